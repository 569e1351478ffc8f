import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { OllamaState } from '../../src/shared/ollama.ts';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { tempDir } from '../support/headless.ts';
import { createApp, faultEnv, fixtureRunner, isGone, killAfter, waitFor, type InProcessApp } from './support.ts';

const FAST_OLLAMA = { healthIntervalMs: 100, probeTimeoutMs: 1_000, restartDelays: [50], stopGraceMs: 2_000, readyTimeoutMs: 15_000 };

/** The app core with Ollama as the provider at `host`, closed when the test ends. */
async function ollamaApp(t: TestContext, host: string, options: { argv?: string[]; withFakeBinary: boolean }): Promise<InProcessApp> {
  const dir = tempDir(t, 'stigmer-fault-ollama-');
  const pathVariable = options.withFakeBinary ? `${FAKE_OLLAMA_BIN_DIR}:${process.env.PATH}` : (process.env.PATH ?? '');
  const app = createApp({
    userDataDir: dir,
    argv: ['--runner-command', fixtureRunner('runner/fixtures/sleeper.ts'), ...(options.argv ?? [])],
    env: { ...faultEnv(dir), PATH: pathVariable, OLLAMA_HOST: host },
    ollamaOptions: FAST_OLLAMA,
  });
  t.after(() => app.close());
  await app.core.start();
  return app;
}

const ollama = (app: InProcessApp): OllamaState => app.core.getState().ollama;

test('a managed Ollama that dies is restarted, and the state says what happened meanwhile', async (t) => {
  const app = await ollamaApp(t, `127.0.0.1:${await freePort()}`, { withFakeBinary: true });
  const first = await waitFor('the managed server', () => ollama(app).server.phase === 'running' && ollama(app).pid);
  killAfter(t, first);
  assert.deepEqual(ollama(app).server, { phase: 'running', owner: 'managed' });
  process.kill(first, 'SIGKILL');
  const down = await waitFor('the crash to be reported', () => (ollama(app).server.phase === 'unhealthy' ? ollama(app).server : undefined));
  assert.match(JSON.stringify(down), /ollama serve was killed by SIGKILL unexpectedly; restarting in/);
  const second = await waitFor('the restarted server', () => ollama(app).server.phase === 'running' && ollama(app).pid);
  killAfter(t, second);
  assert.notEqual(second, first);
  assert.equal(ollama(app).restarts, 1);
  await app.close();
  assert.ok(isGone(second), 'a server this app started is stopped on quit');
});

test('an external Ollama that dies is reported unhealthy, never relaunched, and reconnected when it is back', async (t) => {
  const port = await freePort();
  let external = await startFakeOllama({ port, models: ['llama3.2'] });
  t.after(() => external.close());
  const app = await ollamaApp(t, `127.0.0.1:${port}`, { withFakeBinary: true });
  await waitFor('the external server', () => ollama(app).server.phase === 'running');
  assert.deepEqual(ollama(app).server, { phase: 'running', owner: 'external' });
  await external.close();
  const down = await waitFor('the outage to be reported', () => (ollama(app).server.phase === 'unhealthy' ? ollama(app).server : undefined));
  assert.deepEqual(down, {
    phase: 'unhealthy',
    owner: 'external',
    reason: `the Ollama server at http://127.0.0.1:${port} stopped answering (connection refused)`,
    fix: 'start Ollama again; Stigmer reconnects by itself',
  });
  assert.equal(ollama(app).pid, null, 'nothing was launched in its place');
  assert.match(app.core.getState().lastError?.message ?? '', /stopped answering/);
  external = await startFakeOllama({ port, models: ['llama3.2'] });
  await waitFor('the reconnection', () => ollama(app).server.phase === 'running');
  assert.deepEqual(ollama(app).server, { phase: 'running', owner: 'external' });
});

test('a port held by a program that is not Ollama is reported as such and left alone', async (t) => {
  const foreign = http.createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>my dev server</h1>'));
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        // The app's health checks keep connections open until it is closed itself.
        foreign.close(() => resolve());
        foreign.closeAllConnections();
      }),
  );
  const port = (foreign.address() as AddressInfo).port;
  const app = await ollamaApp(t, `127.0.0.1:${port}`, { withFakeBinary: true });
  const server = await waitFor('the verdict', () => (ollama(app).server.phase === 'failed' ? ollama(app).server : undefined));
  assert.match(
    JSON.stringify(server),
    new RegExp(
      `http://127\\.0\\.0\\.1:${port} is answered by a program that is not Ollama \\(GET /api/version answered HTTP 200 \\(text/html\\): <h1>my dev server</h1>\\); it is left alone`,
    ),
  );
  assert.match(JSON.stringify(server), /set OLLAMA_HOST to a free port/);
  assert.equal(ollama(app).pid, null, 'no Ollama was launched');
  const stillThere = await fetch(`http://127.0.0.1:${port}/`).then((response) => response.text());
  assert.equal(stillThere, '<h1>my dev server</h1>', 'the foreign server still runs');
});

for (const [name, prepare, expected] of [
  ['missing', (dir: string) => path.join(dir, 'no-such-ollama'), /does not exist|not found|no such/i],
  [
    'not executable',
    (dir: string) => {
      const file = path.join(dir, 'ollama');
      fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
      return file;
    },
    /is not an executable file/,
  ],
] as const) {
  test(`an ollama binary that is ${name} is named with a fix, and the app keeps running`, async (t) => {
    const binary = prepare(tempDir(t, 'stigmer-fault-bin-'));
    const app = await ollamaApp(t, `127.0.0.1:${await freePort()}`, { argv: ['--ollama-path', binary], withFakeBinary: false });
    const server = await waitFor('the verdict', () => (ollama(app).server.phase === 'not-installed' ? ollama(app).server : undefined));
    const described = server as { reason: string; fix: string };
    assert.ok(described.reason.includes(binary), described.reason);
    assert.match(described.reason, expected);
    assert.ok(described.fix.length > 0);
    assert.equal(app.core.getState().runner.state, 'running', 'the runner does not depend on Ollama running');
  });
}

test('quitting during a model pull cancels it, installs nothing half-way, and leaves an external Ollama running', async (t) => {
  const external = await startFakeOllama({ registry: { 'qwen2.5:0.5b': [397_807_936, 6_929] }, pullIntervalMs: 100, pullStepsPerLayer: 200 });
  t.after(() => external.close());
  const app = await ollamaApp(t, external.url, { withFakeBinary: false });
  await waitFor('the external server', () => ollama(app).server.phase === 'running');
  const pull = app.core.execute('ollama:pull', { model: 'qwen2.5:0.5b' });
  await waitFor('the pull to be under way', () => ollama(app).pulls['qwen2.5:0.5b']);
  await app.close();
  assert.deepEqual(await pull, { status: 'cancelled', model: 'qwen2.5:0.5b' });
  assert.deepEqual(external.installedModels(), [], 'no half-pulled model is installed');
  const version = await fetch(`${external.url}/api/version`).then((response) => response.json());
  assert.ok(version, 'the external Ollama still answers');
});

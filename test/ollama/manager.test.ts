import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { OllamaManager, type OllamaManagerOptions } from '../../src/main/ollama/manager.ts';
import { pidFilePath, readPidFile } from '../../src/main/process/pid-file.ts';
import { OllamaStateSchema, type OllamaPullProgress, type OllamaState } from '../../src/shared/ollama.ts';
import { FAKE_OLLAMA_BIN_DIR, FAKE_OLLAMA_HOLD_ENV, startFakeOllama, type FakeOllamaConfig } from '../doubles/ollama/server.ts';
import { tempDir } from '../support/headless.ts';
import { recordingOutput } from '../support/process-output.ts';
import { freePort, listenTcp, waitFor, writeFakeConfig } from './support.ts';
import { isGone } from '../support/processes.ts';

const FAKE_BINARY = path.join(FAKE_OLLAMA_BIN_DIR, 'ollama');

interface Harness {
  manager: OllamaManager;
  runDir: string;
  output: () => string;
  states: OllamaState[];
}

/** A manager whose PATH finds the fake `ollama` first, with fast health checks and backoff. */
function harness(
  t: TestContext,
  options: Partial<OllamaManagerOptions> & { port: number; fake?: FakeOllamaConfig; extraEnv?: Record<string, string>; path?: string },
): Harness {
  const dir = tempDir(t);
  const runDir = path.join(dir, 'run');
  const { output, chunks } = recordingOutput(t, 'ollama');
  const { port, fake, extraEnv, path: pathValue, ...overrides } = options;
  const manager = new OllamaManager({
    host: `127.0.0.1:${port}`,
    serverSettings: { exposeToNetwork: false },
    runDir,
    env: {
      PATH: pathValue ?? [FAKE_OLLAMA_BIN_DIR, path.dirname(process.execPath), '/usr/bin', '/bin'].join(':'),
      HOME: dir,
      FAKE_OLLAMA_CONFIG: writeFakeConfig(dir, { pullIntervalMs: 2, ...fake }),
      ...extraEnv,
    },
    output,
    healthIntervalMs: 100,
    probeTimeoutMs: 3000,
    readyTimeoutMs: 20_000,
    stopGraceMs: 5000,
    restartDelays: [20, 40],
    ...overrides,
  });
  const states: OllamaState[] = [];
  manager.subscribe((state) => states.push(state));
  t.after(() => manager.stop());
  return { manager, runDir, output: () => chunks.join(''), states };
}

const phaseOf = (manager: OllamaManager) => manager.getState().server;

test('launches ollama serve when absent, manages models, and stops only what it started', async (t) => {
  const port = await freePort();
  const modelsDir = path.join(tempDir(t), 'models');
  const { manager, runDir, output } = harness(t, {
    port,
    configuredModel: 'qwen2.5:0.5b',
    serverSettings: { exposeToNetwork: false, modelsDir, contextLength: 8192, keepAlive: '10m' },
    fake: { version: '0.9.1', models: ['llama3.2'], pullIntervalMs: 2 },
  });

  const state = OllamaStateSchema.parse(await manager.start());
  assert.deepEqual(state.server, { phase: 'running', owner: 'managed' });
  assert.equal(state.serverVersion, '0.9.1');
  assert.equal(state.url, `http://127.0.0.1:${port}`);
  assert.deepEqual(state.binary, { path: FAKE_BINARY, source: 'path', version: '0.9.1' });
  const pid = state.pid;
  assert.ok(pid && !isGone(pid));
  assert.equal((await readPidFile(pidFilePath(runDir, 'ollama')))?.pid, pid);
  assert.match(output(), new RegExp(`Listening on 127\\.0\\.0\\.1:${port} \\(version 0\\.9\\.1\\)`));
  assert.match(output(), /OLLAMA_CONTEXT_LENGTH:8192/);
  assert.match(output(), /OLLAMA_KEEP_ALIVE:10m/);
  assert.ok(output().includes(`OLLAMA_MODELS:${modelsDir}`));
  assert.deepEqual(
    state.models.map((model) => model.name),
    ['llama3.2:latest'],
  );
  assert.equal(state.configuredModelMissing, true);

  const progress: OllamaPullProgress[] = [];
  const pulled = await manager.pull('qwen2.5:0.5b', { onProgress: (p) => progress.push(p) });
  assert.deepEqual(pulled, { status: 'success', model: 'qwen2.5:0.5b' });
  assert.equal(progress[0]?.status, 'pulling manifest');
  assert.ok(progress.some((p) => /^pulling [0-9a-f]{12}$/.test(p.status) && p.percent !== null && p.percent > 0 && p.percent < 100));
  assert.deepEqual(progress.map((p) => p.status).slice(-3), ['verifying sha256 digest', 'writing manifest', 'success']);
  assert.equal(progress.at(-1)?.percent, 100);
  assert.equal(progress.at(-1)?.totalBytes, 397_807_936 + 6_929 + 11_343 + 1_693 + 488);
  assert.deepEqual(
    manager
      .getState()
      .models.map((model) => model.name)
      .sort(),
    ['llama3.2:latest', 'qwen2.5:0.5b'],
  );
  assert.equal(manager.getState().configuredModelMissing, false);
  assert.deepEqual(manager.getState().pulls, {});
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(modelsDir, 'fake-ollama-models.json'), 'utf8')).sort(), ['llama3.2:latest', 'qwen2.5:0.5b']);

  const unknown = await manager.pull('no-such-model');
  assert.equal(unknown.status, 'failed');
  assert.match(unknown.status === 'failed' ? unknown.reason : '', /pull model manifest: file does not exist/);

  await manager.deleteModel('llama3.2');
  assert.deepEqual(
    manager.getState().models.map((model) => model.name),
    ['qwen2.5:0.5b'],
  );
  await assert.rejects(manager.deleteModel('llama3.2'), /model "llama3\.2" is not installed/);

  await manager.stop();
  await waitFor('the launched server to exit', () => isGone(pid));
  assert.equal(fs.existsSync(pidFilePath(runDir, 'ollama')), false);
  assert.deepEqual(phaseOf(manager), { phase: 'stopped' });
  assert.deepEqual(
    await fetch(`http://127.0.0.1:${port}/api/version`).then(
      () => 'answered',
      () => 'refused',
    ),
    'refused',
  );
});

test('a pull can be cancelled midway and leaves nothing installed', async (t) => {
  const port = await freePort();
  const { manager } = harness(t, { port, fake: { pullIntervalMs: 30, pullStepsPerLayer: 20 } });
  await manager.start();
  const controller = new AbortController();
  const result = await manager.pull('llama3.2', {
    signal: controller.signal,
    onProgress: (progress) => {
      if (progress.completedBytes > 0) controller.abort();
    },
  });
  assert.deepEqual(result, { status: 'cancelled', model: 'llama3.2' });
  assert.deepEqual(await manager.listModels(), []);
  assert.deepEqual(manager.getState().pulls, {});
});

test('an Ollama already running is used, not launched, and left running on stop', async (t) => {
  const fake = await startFakeOllama({ version: '0.6.8', models: ['mistral:7b'] });
  t.after(() => fake.close());
  const { manager, runDir, output } = harness(t, { port: fake.port, configuredModel: 'mistral:7b' });
  const state = await manager.start();
  assert.deepEqual(state.server, { phase: 'running', owner: 'external' });
  assert.equal(state.serverVersion, '0.6.8');
  assert.equal(state.pid, null);
  assert.deepEqual(
    state.models.map((model) => model.name),
    ['mistral:7b'],
  );
  assert.equal(state.configuredModelMissing, false);
  assert.equal(output(), '');
  assert.equal(fs.existsSync(pidFilePath(runDir, 'ollama')), false);
  await manager.stop();
  assert.deepEqual(await (await fetch(`${fake.url}/api/version`)).json(), { version: '0.6.8' });
});

test('a program that is not Ollama on the port is reported and left alone', async (t) => {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>dev server</html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const { manager, output } = harness(t, { port });
  const state = await manager.start();
  assert.equal(state.server.phase, 'failed');
  assert.match(
    JSON.stringify(state.server),
    /is answered by a program that is not Ollama \(GET \/api\/version answered HTTP 200 \(text\/html\): <html>dev server<\/html>\); it is left alone/,
  );
  assert.equal(output(), '');
  await manager.stop();
  assert.equal(server.listening, true);
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), '<html>dev server</html>');
});

test('a server that accepts and never answers is shown as not answering yet, then gets its verdict at the timeout', async (t) => {
  const port = await listenTcp(t, () => undefined);
  const { manager, states, output } = harness(t, { port });
  const final = await manager.start();
  const phases = states.map((state) => state.server.phase).filter((phase, index, all) => phase !== all[index - 1]);
  assert.deepEqual(phases.slice(-2), ['waiting', 'failed'], `phases: ${phases.join(' → ')}`);
  const waiting = states.find((state) => state.server.phase === 'waiting')!.server;
  assert.match(JSON.stringify(waiting), /Ollama at http:\/\/127\.0\.0\.1:\d+ is not answering yet \(0\.3 s so far\).*the verdict comes after 3 s/);
  assert.equal(final.server.phase, 'failed');
  assert.match(JSON.stringify(final.server), /accepted the connection but did not answer within 3 s/);
  assert.equal(output(), '', 'nothing was launched over the port');
});

test('a remote host is detected only, never launched', async (t) => {
  const { manager, output, runDir } = harness(t, { port: 1, host: 'http://ollama-remote.invalid:11434', probeTimeoutMs: 5000 });
  const state = await manager.start();
  assert.equal(state.server.phase, 'failed');
  assert.match(JSON.stringify(state.server), /Ollama at http:\/\/ollama-remote\.invalid:11434 (is not reachable|accepted the connection|did not answer)/);
  assert.equal(state.binary, null);
  assert.equal(output(), '');
  assert.equal(fs.existsSync(pidFilePath(runDir, 'ollama')), false);
});

test('an early exit is reported with what ollama serve printed (port taken)', async (t) => {
  const port = await freePort();
  const dir = tempDir(t);
  const hold = path.join(dir, 'bind-now');
  const { manager } = harness(t, { port, extraEnv: { [FAKE_OLLAMA_HOLD_ENV]: hold } });
  // Once the manager has decided to launch, another program takes the port before Ollama binds it.
  let blocked: Promise<void> | undefined;
  manager.subscribe((state) => {
    if (state.server.phase !== 'starting' || blocked) return;
    blocked = listenTcp(t, (socket) => socket.destroy(), port).then(() => fs.writeFileSync(hold, ''));
  });
  const state = await manager.start();
  assert.deepEqual(state.server, {
    phase: 'failed',
    reason: `ollama serve exited with code 1 before it was ready: Error: listen tcp 127.0.0.1:${port}: bind: address already in use`,
    fix: `another program holds 127.0.0.1:${port}; stop it, or set OLLAMA_HOST to a free port`,
  });
  assert.equal(state.pid, null);
});

test('a crashed server is restarted with backoff, and a crash loop stops', async (t) => {
  const port = await freePort();
  const { manager, runDir } = harness(t, { port, maxRestarts: 1 });
  const first = (await manager.start()).pid;
  assert.ok(first);
  process.kill(first, 'SIGKILL');
  const restarted = await waitFor('a restarted server', () => {
    const state = manager.getState();
    return state.server.phase === 'running' && state.pid !== null && state.pid !== first ? state : undefined;
  });
  assert.equal(restarted.restarts, 1);
  assert.equal((await readPidFile(pidFilePath(runDir, 'ollama')))?.pid, restarted.pid);

  process.kill(restarted.pid ?? 0, 'SIGKILL');
  const failed = await waitFor('the crash loop to stop', () => (manager.getState().server.phase === 'failed' ? manager.getState().server : undefined));
  assert.match(JSON.stringify(failed), /ollama serve crashed 2 times in a row \(last time it was killed by SIGKILL\)/);
  assert.equal(fs.existsSync(pidFilePath(runDir, 'ollama')), false);
});

test('a subscriber that throws is reported, and the state still changes for the manager and the other subscribers', async (t) => {
  const fake = await startFakeOllama({ version: '0.6.0' });
  t.after(() => fake.close());
  const reported = t.mock.method(console, 'error', () => undefined);
  const { manager, states } = harness(t, { port: fake.port, path: '/nonexistent' });
  manager.subscribe(() => {
    throw new Error('a broken window');
  });
  const later: OllamaState[] = [];
  manager.subscribe((state) => later.push(state));

  const state = await manager.start();
  assert.deepEqual(state.server, { phase: 'running', owner: 'external' });
  assert.deepEqual(phaseOf(manager), { phase: 'running', owner: 'external' });
  assert.deepEqual(later.at(-1)?.server, { phase: 'running', owner: 'external' }, 'a subscriber after the broken one still hears of it');
  assert.deepEqual(states.at(-1)?.server, { phase: 'running', owner: 'external' });
  assert.ok(
    reported.mock.calls.some((call) => call.arguments.some((argument) => argument instanceof Error && argument.message === 'a broken window')),
    'the failure is reported',
  );
});

test('an external server that goes away and comes back is noticed', async (t) => {
  let fake = await startFakeOllama({ version: '0.6.0' });
  t.after(() => fake.close());
  const { manager, states } = harness(t, { port: fake.port, path: '/nonexistent' });
  assert.deepEqual((await manager.start()).server, { phase: 'running', owner: 'external' });
  await fake.close();
  await waitFor('the server to be reported unhealthy', () => manager.getState().server.phase === 'unhealthy');
  assert.match(JSON.stringify(manager.getState().server), /"owner":"external".*stopped answering \(connection refused\)/);
  fake = await startFakeOllama({ version: '0.6.1', port: fake.port });
  await waitFor('the server to be running again', () => manager.getState().serverVersion === '0.6.1');
  assert.deepEqual(phaseOf(manager), { phase: 'running', owner: 'external' });
  assert.ok(
    states.every((state) => state.pid === null),
    'never launched one of its own',
  );
});

test('not installed is reported; installing Ollama while the app runs starts it', async (t) => {
  const port = await freePort();
  const dir = tempDir(t);
  const binary = path.join(dir, 'ollama');
  const { manager } = harness(t, { port, binaryPath: binary });
  const state = await manager.start();
  assert.deepEqual(state.server, {
    phase: 'not-installed',
    reason: `--ollama-path ${JSON.stringify(binary)} does not exist`,
    fix: 'point --ollama-path at the ollama binary, or remove it to search PATH and the install locations',
  });
  fs.symlinkSync(FAKE_BINARY, binary);
  await waitFor('the newly installed Ollama to run', () => manager.getState().server.phase === 'running');
  assert.deepEqual(phaseOf(manager), { phase: 'running', owner: 'managed' });
  assert.equal(manager.getState().binary?.path, binary);
});

test('watch() shows a server that answers and never launches one (a cloud provider is in use)', async (t) => {
  const absent = harness(t, { port: await freePort() });
  const idle = await absent.manager.watch();
  assert.deepEqual(idle.server, { phase: 'stopped' }, 'nothing answers: nothing changes');
  assert.equal(idle.binary?.path, FAKE_BINARY, 'the binary is described all the same');
  assert.equal(absent.output(), '', 'ollama serve was not launched');
  assert.equal(fs.existsSync(pidFilePath(absent.runDir, 'ollama')), false);

  const fake = await startFakeOllama({ models: ['mistral:7b'] });
  const { manager } = harness(t, { port: fake.port });
  const state = await manager.watch();
  assert.deepEqual(state.server, { phase: 'running', owner: 'external' });
  assert.deepEqual(
    state.models.map((model) => model.name),
    ['mistral:7b'],
  );
  assert.equal(state.pid, null);
  await fake.close();
  await waitFor('the outage to be noticed', () => phaseOf(manager).phase === 'unhealthy');
});

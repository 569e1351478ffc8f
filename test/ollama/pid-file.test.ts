import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { OllamaManager } from '../../src/main/ollama/manager.ts';
import { commandLineMatches, commandLineOf, pidFilePath, readPidFile, stopRecordedProcess, writePidFile } from '../../src/main/process/pid-file.ts';
import { processStartTime } from '../../src/lib/process-identity.ts';
import { FAKE_OLLAMA_BIN_DIR } from '../doubles/ollama/server.ts';
import { tempDir } from '../support/headless.ts';
import { freePort, waitFor } from './support.ts';
import { isGone } from '../support/processes.ts';

const FAKE_BINARY = path.join(FAKE_OLLAMA_BIN_DIR, 'ollama');
const HOST_FIXTURE = path.join(import.meta.dirname, 'fixtures', 'managed-host.ts');
const PATH_WITH_FAKE = [FAKE_OLLAMA_BIN_DIR, path.dirname(process.execPath), '/usr/bin', '/bin'].join(':');

const ollamaPidFile = (runDir: string) => pidFilePath(runDir, 'ollama');
/** The recorded `ollama serve` of an app: its argv is the binary followed by serve. */
const isOllamaServeOf = (argv: readonly string[] | string, binary: string) => commandLineMatches(argv, [binary, 'serve']);

function endLater(t: TestContext, pid: number | undefined): void {
  t.after(() => {
    if (pid !== undefined && !isGone(pid)) process.kill(pid, 'SIGKILL');
  });
}

test('argv matching: the binary followed by serve, directly or through a script interpreter', () => {
  assert.equal(isOllamaServeOf(['/usr/local/bin/ollama', 'serve'], '/usr/local/bin/ollama'), true);
  assert.equal(isOllamaServeOf(['node', '/x/bin/ollama', 'serve'], '/x/bin/ollama'), true);
  assert.equal(isOllamaServeOf(['/usr/local/bin/ollama', 'run', 'llama3.2'], '/usr/local/bin/ollama'), false);
  assert.equal(isOllamaServeOf(['/usr/bin/vim', 'serve'], '/usr/local/bin/ollama'), false);
});

test('an ollama serve left behind by a SIGKILLed app is stopped on the next start', async (t) => {
  const port = await freePort();
  const runDir = path.join(tempDir(t), 'run');
  const env = { PATH: PATH_WITH_FAKE, HOME: runDir };
  const host = spawn(process.execPath, [HOST_FIXTURE, JSON.stringify({ port, runDir })], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  endLater(t, host.pid);
  let line = '';
  host.stdout.setEncoding('utf8').on('data', (chunk: string) => (line += chunk));
  const reported = await waitFor('the host to report its server', () =>
    line.includes('\n') ? (JSON.parse(line) as { pid: number; phase: string }) : undefined,
  );
  assert.equal(reported.phase, 'running');
  const leftover = reported.pid;
  endLater(t, leftover);
  assert.equal((await readPidFile(ollamaPidFile(runDir)))?.pid, leftover);

  host.kill('SIGKILL');
  await waitFor('the host to die', () => host.exitCode !== null || host.signalCode !== null);
  assert.ok(!isGone(leftover), 'the server outlives its host');
  assert.ok(isOllamaServeOf((await commandLineOf(leftover)) ?? [], FAKE_BINARY));

  const manager = new OllamaManager({ host: `127.0.0.1:${port}`, serverSettings: { exposeToNetwork: false }, runDir, env, stopGraceMs: 5000 });
  t.after(() => manager.stop());
  const state = await manager.start();
  assert.equal(isGone(leftover), true);
  assert.deepEqual(state.server, { phase: 'running', owner: 'managed' });
  assert.notEqual(state.pid, leftover);
  assert.equal((await readPidFile(ollamaPidFile(runDir)))?.pid, state.pid);
});

test('a pid file whose pid is now another program leaves that program alone', async (t) => {
  const port = await freePort();
  const runDir = path.join(tempDir(t), 'run');
  const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
  endLater(t, bystander.pid);
  assert.ok(bystander.pid);
  // The format of earlier versions, without a start time: only the argv check can tell.
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(ollamaPidFile(runDir), JSON.stringify({ pid: bystander.pid, binary: FAKE_BINARY, startedAt: new Date().toISOString() }));

  const manager = new OllamaManager({
    host: `127.0.0.1:${port}`,
    serverSettings: { exposeToNetwork: false },
    runDir,
    env: { PATH: PATH_WITH_FAKE, HOME: runDir },
  });
  t.after(() => manager.stop());
  const state = await manager.start();
  assert.deepEqual(state.server, { phase: 'running', owner: 'managed' });
  assert.ok(!isGone(bystander.pid), 'the unrelated process is untouched');
  assert.equal((await readPidFile(ollamaPidFile(runDir)))?.pid, state.pid);
  await manager.stop();
  assert.ok(!isGone(bystander.pid));
  assert.equal(fs.existsSync(ollamaPidFile(runDir)), false);
});

test("a pid file names a process by pid and start time: a user's own ollama serve that got the pid is left alone", async (t) => {
  const runDir = path.join(tempDir(t), 'run');
  const port = await freePort();
  const own = spawn(FAKE_BINARY, ['serve'], { env: { PATH: PATH_WITH_FAKE, HOME: runDir, OLLAMA_HOST: `127.0.0.1:${port}` }, stdio: 'ignore' });
  endLater(t, own.pid);
  // Right after the fork, /proc shows the parent's argv until the exec: wait for the server's own.
  await waitFor('its argv, by which it looks like the recorded server', async () => isOllamaServeOf((await commandLineOf(own.pid!)) ?? [], FAKE_BINARY));
  const startTime = await waitFor('its start time', () => processStartTime(own.pid!));

  const argv = [FAKE_BINARY, 'serve'];
  await writePidFile(ollamaPidFile(runDir), { pid: own.pid!, argv, startedAt: new Date().toISOString(), startTime: `${Number(startTime) - 1}` });
  assert.equal((await stopRecordedProcess(ollamaPidFile(runDir), { graceMs: 1000 })).kind, 'stale');
  assert.ok(!isGone(own.pid!), 'another start time: not the server this app launched');
  assert.equal(fs.existsSync(ollamaPidFile(runDir)), false, 'the stale pid file is removed');

  await writePidFile(ollamaPidFile(runDir), { pid: own.pid!, argv, startedAt: new Date().toISOString(), startTime });
  assert.equal((await stopRecordedProcess(ollamaPidFile(runDir), { graceMs: 5000 })).kind, 'stopped', 'the same start time: the recorded server');
  await waitFor('it to be gone', () => isGone(own.pid!));
});

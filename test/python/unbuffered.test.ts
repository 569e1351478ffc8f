/**
 * Issue 15 §1: a Python runner's prints reach the window and the log file as they are written,
 * not in late 4–8 KiB bursts, because the app starts runners with PYTHONUNBUFFERED=1.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../ollama/support.ts';
import { HOST_WAIT_MS, Scope, hostEnv, isGone, readPidFile, startHost, waitFor } from '../support/e2e-host.ts';

const PRINT_THEN_SLEEP = path.join(import.meta.dirname, 'fixtures', 'print-then-sleep.py');
const LINE = 'python worker: waiting for work';

test('a python3 runner that prints one line and sleeps: the line is shown and on disk while it still sleeps', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--user-data-dir', userDataDir, '--runner-command', `python3 ${PRINT_THEN_SLEEP}`], env);

  // The window's entries and the stdout echo are fed by the same pipeline callback.
  await host.waitForLine('the runner line in the live log', (line) => line.includes(' [runner] ') && line.endsWith(LINE));
  const runnerLog = path.join(userDataDir, 'logs', 'runner.log');
  await waitFor('the runner line in runner.log', () => fs.existsSync(runnerLog) && fs.readFileSync(runnerLog, 'utf8').includes(LINE), HOST_WAIT_MS);
  const runnerPid = readPidFile(userDataDir, 'runner.pid');
  assert.ok(runnerPid !== undefined && !isGone(runnerPid), 'the runner is still sleeping: the line was not flushed by its exit');

  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { isRecordedProcess, pidFilePath, readPidFile, recordOf, stopRecordedProcess, writePidFile } from '../../src/main/process/pid-file.ts';
import { processStartTime } from '../../src/lib/process-identity.ts';
import { isProcessAlive } from '../../src/main/process/process-tree.ts';
import { tempDir } from '../support/headless.ts';
import { waitFor } from '../support/processes.ts';

const IDLE_ARGV = [process.execPath, '-e', 'process.stdout.write("ready\\n"); setInterval(() => {}, 60_000)'] as const;

/** A long-running child that has printed `ready` (so its clock tick of birth has passed), killed when the test ends. */
async function idleChild(t: TestContext): Promise<ChildProcess & { pid: number }> {
  const [file, ...args] = IDLE_ARGV;
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await once(child.stdout, 'data');
  return child as ChildProcess & { pid: number };
}

test(
  'the pid file recognises its own process by pid and start time, and stopping it ends that process',
  { skip: process.platform !== 'linux' && 'start times come from /proc here' },
  async (t) => {
    const file = pidFilePath(path.join(tempDir(t), 'run'), 'runner');
    const child = await idleChild(t);
    const record = recordOf(child.pid, IDLE_ARGV);
    assert.equal(record.startTime, processStartTime(child.pid));
    await writePidFile(file, record);

    assert.deepEqual(await readPidFile(file), record);
    assert.equal(await isRecordedProcess(record), true);
    assert.deepEqual(await stopRecordedProcess(file, { graceMs: 5_000 }), { kind: 'stopped', pid: child.pid });
    await waitFor('the recorded process to be gone', async () => !(await isProcessAlive(child.pid)));
    assert.equal(fs.existsSync(file), false);
  },
);

test(
  'a reused pid is rejected by its start time, even running the same command, and is left alone',
  { skip: process.platform !== 'linux' && 'start times come from /proc here' },
  async (t) => {
    const file = pidFilePath(path.join(tempDir(t), 'run'), 'ollama');
    const first = await idleChild(t);
    const recorded = recordOf(first.pid, IDLE_ARGV);
    first.kill('SIGKILL');
    await once(first, 'exit');
    // The pid now names another process with the same command line, as a reused pid can.
    const second = await idleChild(t);
    assert.notEqual(processStartTime(second.pid), recorded.startTime, 'the second process started in a later clock tick');
    const reused = { ...recorded, pid: second.pid };

    const { startTime: _ignored, ...withoutStartTime } = reused;
    assert.equal(await isRecordedProcess(withoutStartTime), true, 'the argv alone (a file of an earlier version) cannot tell them apart');
    assert.equal(await isRecordedProcess(reused), false);

    await writePidFile(file, reused);
    assert.deepEqual(await stopRecordedProcess(file, { graceMs: 1_000 }), { kind: 'stale', pid: second.pid });
    assert.equal(await isProcessAlive(second.pid), true, 'the other process is untouched');
    assert.equal(fs.existsSync(file), false, 'the stale pid file is removed');
  },
);

test("pid files of earlier versions are still read: the runner's (epoch milliseconds) and Ollama's (binary, no argv)", async (t) => {
  const runDir = path.join(tempDir(t), 'run');
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(pidFilePath(runDir, 'runner'), JSON.stringify({ pid: 4242, argv: ['/opt/runner/run.sh', '--serve'], startedAt: 0 }));
  fs.writeFileSync(
    pidFilePath(runDir, 'ollama'),
    JSON.stringify({ pid: 4343, binary: '/usr/local/bin/ollama', startedAt: '2026-01-02T03:04:05.000Z', startTime: '123' }),
  );

  assert.deepEqual(await readPidFile(pidFilePath(runDir, 'runner')), {
    pid: 4242,
    argv: ['/opt/runner/run.sh', '--serve'],
    startedAt: '1970-01-01T00:00:00.000Z',
  });
  assert.deepEqual(await readPidFile(pidFilePath(runDir, 'ollama')), {
    pid: 4343,
    argv: ['/usr/local/bin/ollama', 'serve'],
    startTime: '123',
    startedAt: '2026-01-02T03:04:05.000Z',
  });
  fs.writeFileSync(pidFilePath(runDir, 'runner'), '{"pid": "not a number"');
  assert.equal(await readPidFile(pidFilePath(runDir, 'runner')), undefined, 'a damaged file names no process');
});

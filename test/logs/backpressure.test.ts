/**
 * Backpressure on the path the app really takes: a runner flooding stdout through the real app
 * core (supervisor → log pipeline → rotating file) into a log file that takes nothing is held
 * in write() with little buffered, and gets every line out once the file drains.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { test } from 'node:test';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { CLOUD_KEY, createApp, faultEnv, fixtureRunner, waitFor } from '../faults/support.ts';
import { tempDir } from '../support/headless.ts';

const LINES = 100_000;
const LINE_BYTES = 'flood line 000000 '.length + 64 + 1;
/** What may be in flight while the runner waits: the pipe, the stream buffers and the file's high-water mark (1 MiB). */
const MAX_IN_FLIGHT = 4 * 1024 * 1024;

/** The system call a sleeping process is in, from /proc (x86-64 and arm64 numbers for write). */
function blockedInWriteToStdout(pid: number): boolean {
  try {
    const [call, fd] = fs.readFileSync(`/proc/${pid}/syscall`, 'utf8').trim().split(' ');
    return (call === '1' || call === '64') && fd === '0x1';
  } catch {
    return false;
  }
}

const progress = (file: string): number => (fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8') || '0') : 0);

test('a runner flooding through the real app wiring waits on a log file that falls behind, with memory bounded, and loses no line', async (t) => {
  const dir = tempDir(t, 'stigmer-backpressure-');
  const progressFile = path.join(dir, 'progress');
  // A log file that takes nothing until the test reads it: a FIFO in place of runner.log.
  fs.mkdirSync(path.join(dir, 'logs'));
  const runnerLog = path.join(dir, 'logs', 'runner.log');
  execFileSync('mkfifo', [runnerLog]);

  const externalBefore = process.memoryUsage().arrayBuffers;
  const app = createApp({
    userDataDir: dir,
    argv: ['--runner-command', fixtureRunner('runner/fixtures/flood-progress.ts', String(LINES), progressFile)],
    env: faultEnv(dir, CLOUD_KEY),
  });
  let reader: fs.ReadStream | undefined;
  t.after(async () => {
    reader?.destroy();
    await app.close();
  });
  await app.core.start();
  const pid = await waitFor('a running runner', () => app.core.getState().runner.pid ?? undefined);

  await waitFor('the runner to be held in write() by its full pipe', () => blockedInWriteToStdout(pid) && progress(progressFile) > 0);
  const held = progress(progressFile);
  assert.ok(held < MAX_IN_FLIGHT, `the runner got ${held} bytes out while the file took none`);
  assert.ok(held < LINES * LINE_BYTES, 'the flood is not over');
  const externalGrowth = process.memoryUsage().arrayBuffers - externalBefore;
  assert.ok(externalGrowth < 16 * 1024 * 1024, `buffers grew by ${externalGrowth} bytes`);
  assert.equal(app.core.getState().runner.state, 'running');

  // The disk catches up: every line arrives, once, in order.
  let received = '';
  reader = fs.createReadStream(runnerLog, { encoding: 'utf8' });
  reader.on('data', (text) => (received += text));
  await waitFor('the whole flood in the log file', () => received.endsWith(' flood done\n'), 120_000);
  const bodies = received
    .split('\n')
    .slice(0, -1)
    .map((line) => line.replace(/^\S+ INFO  stdout /, ''));
  assert.equal(bodies.length, LINES + 1);
  for (let index = 0; index < LINES; index++) {
    if (bodies[index] !== `flood line ${String(index).padStart(6, '0')} ${'x'.repeat(64)}`) assert.fail(`line ${index}: ${bodies[index]}`);
  }
  assert.equal(progress(progressFile), LINES * LINE_BYTES + 'flood done\n'.length);
});

test('sinks told their chunks are their own free each one once its lines are taken; other sinks, and views into shared memory, are left alone', async (t) => {
  const logsDir = tempDir(t);
  const logs = new LogPipeline({ logsDir });
  const owning = logs.processOutput('runner').open({ releaseChunks: true });
  const plain = logs.processOutput('ollama').open();
  // Pipe reads: buffers of their own, as Node allocates one per read.
  const pipeRead = () => {
    const read = Buffer.allocUnsafeSlow(64 * 1024).fill(0x61);
    read[read.length - 1] = 0x0a;
    return read;
  };
  const [read, another] = [pipeRead(), pipeRead()];
  const whole = Buffer.from(`${'0123456789'.repeat(1000)}\n`, 'latin1');
  const middle = whole.subarray(10);
  owning.stdout.write(read);
  owning.stdout.write(middle);
  owning.stdout.end();
  plain.stdout.write(another);
  plain.stdout.end();
  await Promise.all([finished(owning.stdout), finished(plain.stdout)]);
  await logs.close();
  assert.equal(read.buffer.detached, true, 'the read is freed');
  assert.equal(whole.buffer.detached, false, 'a view into the middle of a buffer is not');
  assert.equal(another.buffer.detached, false, 'a sink not told so frees nothing');
  const file = fs.readFileSync(path.join(logsDir, 'runner.log'), 'utf8');
  assert.match(file, new RegExp(`^\\S+ INFO  stdout a{${64 * 1024 - 1}}\\n\\S+ INFO  stdout ${'0123456789'.repeat(999)}\\n$`));
});

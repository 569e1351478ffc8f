import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { formatLogJson } from '../../src/main/logs/line-format.ts';
import { entriesOf } from '../../src/main/logs/line-ring.ts';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { Redactor } from '../../src/lib/redactor.ts';
import { LogBatchSchema, LogEntrySchema, type LogBatch, type LogEntry } from '../../src/shared/logs.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { tempDir } from '../support/headless.ts';
import { waitFor } from '../support/processes.ts';

const SECRET = 'sk-ant-api03-SeCrEt0123456789abcdefghijklmnop-XYZW';

/** The text after the `ts LEVEL stream ` head of each line of a log file. */
function fileBodies(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .slice(0, -1)
    .map((line) => line.replace(/^\S+ \S+\s+\S+\s+/, ''));
}

/** This file's waits have always allowed 15 s. */
const WAIT_MS = 15_000;

test('bytes fed one at a time become redacted, cleaned, parsed entries in the ring, the file and the hook', async (t) => {
  const dir = tempDir(t);
  const hooked: LogEntry[] = [];
  const pipeline = new LogPipeline({
    logsDir: dir,
    redactor: new Redactor([SECRET]),
    maxLineBytes: 200,
    clock: () => Date.UTC(2025, 0, 2),
    onRecord: (record) => hooked.push(...entriesOf(record)),
  });
  const bytes = Buffer.concat([
    Buffer.from(`\u001b[32mready\u001b[0m with key ${SECRET}\r\n`),
    Buffer.from(`{"level":40,"msg":"using ${SECRET}","model":"llama3.2"}\n`),
    Buffer.from(`${'x'.repeat(300)}\n`),
    Buffer.from('über '),
    Buffer.from([0xff]),
    Buffer.from('\nlast line without newline'),
  ]);
  const sink = pipeline.input('runner', 'stderr');
  for (const byte of bytes) sink.write(Buffer.from([byte]));
  sink.end();
  await new Promise((resolve) => sink.on('finish', resolve));
  await pipeline.close();

  const entries = pipeline.recent();
  for (const entry of entries) LogEntrySchema.parse(entry);
  assert.deepEqual(
    entries.map(({ level, msg, fields, stream, ts }) => ({ level, msg, fields, stream, ts })),
    [
      { level: 'warn', msg: `ready with key ${maskSecret(SECRET)}`, fields: undefined, stream: 'stderr', ts: '2025-01-02T00:00:00.000Z' },
      { level: 'warn', msg: `using ${maskSecret(SECRET)}`, fields: { model: 'llama3.2' }, stream: 'stderr', ts: '2025-01-02T00:00:00.000Z' },
      { level: 'warn', msg: `${'x'.repeat(200)}… [truncated 100 bytes]`, fields: undefined, stream: 'stderr', ts: '2025-01-02T00:00:00.000Z' },
      { level: 'warn', msg: 'über \uFFFD', fields: undefined, stream: 'stderr', ts: '2025-01-02T00:00:00.000Z' },
      { level: 'warn', msg: 'last line without newline', fields: undefined, stream: 'stderr', ts: '2025-01-02T00:00:00.000Z' },
    ],
  );
  assert.deepEqual(hooked, entries);
  const file = fs.readFileSync(path.join(dir, 'runner.log'), 'utf8');
  assert.ok(!file.includes(SECRET) && !file.includes('SeCrEt0123'), 'the secret reached the file');
  assert.ok(!file.includes('\u001b'));
  assert.deepEqual(fileBodies(path.join(dir, 'runner.log')), [
    `ready with key ${maskSecret(SECRET)}`,
    `{"level":40,"msg":"using ${maskSecret(SECRET)}","model":"llama3.2"}`,
    `${'x'.repeat(200)}… [truncated 100 bytes]`,
    'über \uFFFD',
    'last line without newline',
  ]);
  assert.match(file.split('\n')[0]!, /^2025-01-02T00:00:00\.000Z WARN  stderr ready/);
});

test("the app's own messages are redacted, stay one line in the file, and a secret set later is masked from then on", async (t) => {
  const dir = tempDir(t);
  const key = 'a-brand-new-key-0123456789';
  const masked = maskSecret(key);
  const pipeline = new LogPipeline({ logsDir: dir });
  pipeline.log('app', 'info', 'starting');
  pipeline.redactor.setSecrets([key]);
  pipeline.log('app', 'error', `saved ${key}\nsecond line`, { key, attempt: 2 });
  await pipeline.close();
  const lines = fs.readFileSync(path.join(dir, 'app.log'), 'utf8').split('\n');
  assert.equal(lines.length, 3);
  assert.ok(lines[1]!.endsWith(`ERROR app    saved ${masked}\\nsecond line {"key":"${masked}","attempt":2}`), lines[1]);
  const [, error] = pipeline.recent({ sources: ['app'] });
  assert.deepEqual(
    { msg: error?.msg, fields: error?.fields, stream: error?.stream },
    { msg: `saved ${masked}\nsecond line`, fields: { key: masked, attempt: 2 }, stream: 'internal' },
  );
  assert.deepEqual(
    pipeline.recent({ minLevel: 'error' }).map((entry) => entry.seq),
    [2],
  );
  assert.deepEqual(
    pipeline.recent({ afterSeq: 1 }).map((entry) => entry.seq),
    [2],
  );
  assert.equal(JSON.parse(formatLogJson(error!)).msg, `saved ${masked}\nsecond line`);
});

test("logs:recent filters as the window does: a text is found in a line's fields too, whatever its case, within the sources and level asked", async (t) => {
  const pipeline = new LogPipeline({ logsDir: tempDir(t) });
  pipeline.log('app', 'warn', 'pull failed', { model: 'Llama3.2' });
  pipeline.log('app', 'info', 'llama3.2 is ready');
  pipeline.log('ollama', 'warn', 'llama3.2 is slow');
  pipeline.log('app', 'warn', 'disk is full');
  await pipeline.close();
  const found = (filter: Parameters<LogPipeline['recent']>[0]) => pipeline.recent(filter).map((entry) => entry.msg);
  assert.deepEqual(found({ sources: ['app'], minLevel: 'warn', text: 'LLAMA3' }), ['pull failed']);
  assert.deepEqual(found({ text: 'llama3.2' }), ['pull failed', 'llama3.2 is ready', 'llama3.2 is slow']);
  assert.deepEqual(found({ minLevel: 'warn', limit: 2 }), ['llama3.2 is slow', 'disk is full'], 'the newest, oldest first');
});

test('subscribers get batches no more than the newest maxBatchEntries, with the count they skipped', async (t) => {
  const dir = tempDir(t);
  const pipeline = new LogPipeline({ logsDir: dir, batchIntervalMs: 50 });
  const batches: LogBatch[] = [];
  const unsubscribe = pipeline.subscribe((batch) => batches.push(LogBatchSchema.parse(batch)), { maxBatchEntries: 10 });
  for (let index = 1; index <= 1000; index++) pipeline.log('runner', 'info', `message ${index}`);
  assert.equal(batches.length, 0, 'batches are delivered later, not synchronously per entry');
  await waitFor('the first batch', () => batches.length === 1, WAIT_MS);
  assert.deepEqual(
    batches[0]!.entries.map((entry) => entry.msg),
    Array.from({ length: 10 }, (_, index) => `message ${991 + index}`),
  );
  assert.equal(batches[0]!.skipped, 990);
  pipeline.log('runner', 'info', 'one more');
  await waitFor('the second batch', () => batches.length === 2, WAIT_MS);
  assert.deepEqual(batches[1], { entries: [pipeline.recent().at(-1)], skipped: 0 });
  unsubscribe();
  pipeline.log('runner', 'info', 'unseen');
  await pipeline.close();
  assert.equal(batches.length, 2);
  assert.equal(fileBodies(path.join(dir, 'runner.log')).length, 1002, 'the file keeps every line');
});

test('a log file that cannot be written does not stop the pipeline; the failure is in the status and in the log', async (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'logs'));
  fs.symlinkSync('/dev/full', path.join(dir, 'logs', 'runner.log'));
  const pipeline = new LogPipeline({ logsDir: path.join(dir, 'logs') });
  const sink = pipeline.input('runner', 'stdout');
  sink.write('first\nsecond\n');
  await pipeline.flush();
  sink.end('third\n');
  await new Promise((resolve) => sink.on('finish', resolve));
  await pipeline.close();
  const runnerFile = pipeline.getStatus().files.find((file) => file.source === 'runner');
  assert.equal(runnerFile?.failing?.code, 'ENOSPC');
  assert.ok(runnerFile.lostBytes > 0);
  assert.deepEqual(
    pipeline.recent({ sources: ['runner'] }).map((entry) => entry.msg),
    ['first', 'second', 'third'],
  );
  const report = pipeline.recent({ sources: ['app'] })[0];
  assert.equal(report?.level, 'error');
  assert.match(report?.msg ?? '', /Cannot write the runner log file .*runner\.log: .*ENOSPC.*free disk space/);
  assert.match(fs.readFileSync(path.join(dir, 'logs', 'app.log'), 'utf8'), /Cannot write the runner log file/);
});

test('a flood from a real child reaches the file exactly once and in order, with the ring within bounds', async (t) => {
  const dir = tempDir(t);
  const lines = 300_000;
  const pipeline = new LogPipeline({ logsDir: dir, ringMaxEntries: 5000, ringMaxBytes: 512 * 1024, fileMaxBytes: 2 * 1024 * 1024, fileCount: 100 });
  let delivered = 0;
  let skipped = 0;
  pipeline.subscribe((batch) => ((delivered += batch.entries.length), (skipped += batch.skipped)), { maxBatchEntries: 200 });
  const child = spawn(process.execPath, ['-e', `for (let i = 0; i < ${lines}; i++) process.stdout.write('flood line ' + i + ' ${SECRET}\\n')`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  pipeline.redactor.setSecrets([SECRET]);
  const rssBefore = process.memoryUsage().rss;
  let peakRing = 0;
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    const status = pipeline.getStatus();
    assert.ok(status.ringEntries <= 5000 && status.ringBytes <= 512 * 1024, JSON.stringify(status));
    peakRing = Math.max(peakRing, status.ringEntries);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  t.after(() => clearInterval(sampler));
  child.stdout.pipe(pipeline.input('runner', 'stdout'));
  await new Promise((resolve) => child.on('close', resolve));
  await pipeline.close();
  clearInterval(sampler);

  const status = pipeline.getStatus();
  assert.equal(status.lastSeq, lines);
  assert.ok(status.ringEntries <= 5000 && status.ringBytes <= 512 * 1024);
  assert.ok(peakRss - rssBefore < 200 * 1024 * 1024, `memory grew by ${peakRss - rssBefore} bytes`);
  assert.equal(delivered + skipped, lines);
  const rotations = status.files[0]!.rotations;
  assert.ok(rotations >= 5, `only ${rotations} rotations`);
  const files = [...Array.from({ length: rotations }, (_, index) => path.join(dir, `runner.${rotations - index}.log`)), path.join(dir, 'runner.log')];
  let expected = 0;
  const masked = maskSecret(SECRET);
  for (const file of files) {
    for (const body of fileBodies(file)) {
      assert.equal(body, `flood line ${expected} ${masked}`);
      expected++;
    }
  }
  assert.equal(expected, lines);
  assert.equal(pipeline.recent().at(-1)?.msg, `flood line ${lines - 1} ${masked}`);
});

test('close keeps an unfinished last line of an input that never ended', async (t) => {
  const dir = tempDir(t);
  const pipeline = new LogPipeline({ logsDir: dir });
  pipeline.input('ollama', 'stderr').write('time=x level=INFO msg="half a li');
  await pipeline.close();
  assert.deepEqual(fileBodies(path.join(dir, 'ollama.log')), ['time=x level=INFO msg="half a li']);
  assert.equal(pipeline.recent()[0]?.level, 'info');
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { readLogRange } from '../../src/main/logs/file-range.ts';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { Redactor } from '../../src/lib/redactor.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { tempDir } from '../support/headless.ts';

/** Writes `count` runner lines (one per millisecond) and a few app lines through the real pipeline, with rotation. */
async function writeLogs(t: { after(fn: () => void): void }, count: number) {
  const dir = tempDir(t);
  let now = Date.UTC(2026, 0, 19, 7, 0, 0);
  const pipeline = new LogPipeline({ logsDir: dir, fileMaxBytes: 64 * 1024, fileCount: 10, clock: () => now });
  const runner = pipeline.input('runner', 'stdout');
  for (let index = 0; index < count; index++) {
    now += 1;
    runner.write(`line ${index} ${'x'.repeat(index % 40)}\n`);
    if (index % 1000 === 0) pipeline.log('app', 'info', `checkpoint ${index}`, { index });
  }
  await pipeline.close();
  return { dir, tsOf: (index: number) => new Date(Date.UTC(2026, 0, 19, 7, 0, 0) + index + 1).toISOString() };
}

test('a time window is read back in order across rotated files, from either end, with "more" when cut', async (t) => {
  const { dir, tsOf } = await writeLogs(t, 5000);
  assert.ok(fs.readdirSync(dir).filter((name) => name.startsWith('runner.')).length > 3, 'the runner log was rotated several times');

  const window = await readLogRange(dir, { sources: ['runner'], fromTs: tsOf(1200), toTs: tsOf(3800), limit: 10_000, end: 'oldest' });
  assert.equal(window.more, false);
  assert.deepEqual(
    window.lines.map((line) => line.msg),
    Array.from({ length: 2601 }, (_, offset) => `line ${1200 + offset} ${'x'.repeat((1200 + offset) % 40)}`),
  );

  const oldest = await readLogRange(dir, { sources: ['runner'], fromTs: tsOf(1200), toTs: tsOf(3800), limit: 10, end: 'oldest' });
  assert.deepEqual([oldest.lines[0]!.msg.split(' ')[1], oldest.lines.at(-1)!.msg.split(' ')[1], oldest.more], ['1200', '1209', true]);
  const newest = await readLogRange(dir, { sources: ['runner'], toTs: tsOf(3800), limit: 10, end: 'newest' });
  assert.deepEqual([newest.lines[0]!.msg.split(' ')[1], newest.lines.at(-1)!.msg.split(' ')[1], newest.more], ['3791', '3800', true]);
  const first = await readLogRange(dir, { sources: ['runner'], toTs: tsOf(4), limit: 100, end: 'newest' });
  assert.deepEqual([first.lines.length, first.more], [5, false], 'the very first lines, and nothing older');
});

test('sources are merged in time order, with level, stream and fields read back', async (t) => {
  const { dir, tsOf } = await writeLogs(t, 3000);
  const { lines } = await readLogRange(dir, { sources: ['runner', 'app'], fromTs: tsOf(1999), toTs: tsOf(2001), limit: 100, end: 'oldest' });
  assert.deepEqual(
    lines.map(({ source, stream, level, msg }) => [source, stream, level, msg.slice(0, 16)]),
    [
      ['runner', 'stdout', 'info', `line 1999 ${'x'.repeat(6)}`],
      ['runner', 'stdout', 'info', 'line 2000 '],
      ['app', 'internal', 'info', 'checkpoint 2000 '],
      ['runner', 'stdout', 'info', 'line 2001 x'],
    ],
  );
});

test('a missing logs folder reads as no lines', async () => {
  assert.deepEqual(await readLogRange('/nonexistent/stigmer-logs', { sources: ['runner'], limit: 10, end: 'oldest' }), { lines: [], more: false });
});

test('a key that became known after a line was written is masked when the line is read back', async (t) => {
  const dir = tempDir(t);
  const late = 'proxy-token-0123456789-abcdefghij';
  const pipeline = new LogPipeline({ logsDir: dir });
  pipeline.input('runner', 'stdout').write(`connecting with ${late}\n`);
  await pipeline.close();
  const redactor = new Redactor();
  redactor.setSecrets([late]);
  const { lines } = await readLogRange(dir, { sources: ['runner'], limit: 10, end: 'oldest' }, redactor);
  assert.deepEqual(
    lines.map((line) => line.msg),
    [`connecting with ${maskSecret(late)}`],
  );
});

test('a JSON line a file holds with its key behind escapes (as written before they were scrubbed) is read back masked and neutralised', async (t) => {
  const dir = tempDir(t);
  const key = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-abcdEFGH';
  const head = '2026-01-19T07:00:00.001Z INFO  stdout ';
  fs.writeFileSync(`${dir}/runner.log`, `${head}{"msg":"key \\u0073${key.slice(1)} x\\u2028 forged","note":"${key.slice(0, 20)}\\u001b[0m${key.slice(20)}"}\n`);
  const { lines } = await readLogRange(dir, { sources: ['runner'], limit: 10, end: 'oldest' });
  assert.deepEqual(
    lines.map(({ msg, fields }) => ({ msg, fields })),
    [{ msg: `key ${maskSecret(key)} x\ufffd forged`, fields: { note: maskSecret(key) } }],
  );
});

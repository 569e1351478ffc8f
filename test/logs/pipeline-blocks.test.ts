import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { tempDir } from '../support/headless.ts';

const LINES = [
  'plain line one',
  'WARN disk almost full',
  '{"level":50,"msg":"structured","taskId":7}',
  '',
  'ERROR something broke',
  'naïve café 日本語',
  'INFO back to normal',
];

/**
 * Feeds the same output in big chunks (lines taken as blocks, through the composer) or in pieces
 * smaller than its lines (each line assembled and read by the full rules); returns the file and the entries.
 */
async function run(dir: string, pieceSize: number, lines: readonly (string | Buffer)[], options: { maxLineBytes?: number } = {}) {
  const pipeline = new LogPipeline({ logsDir: dir, clock: () => Date.UTC(2025, 0, 2), fileMaxBytes: 1024 * 1024 * 1024, ...options });
  const input = pipeline.input('runner', 'stdout');
  const bytes = Buffer.concat(lines.flatMap((line) => [Buffer.from(line), Buffer.from('\n')]));
  for (let start = 0; start < bytes.length; start += pieceSize) input.write(bytes.subarray(start, start + pieceSize));
  input.end();
  await new Promise((resolve) => input.on('finish', resolve));
  await pipeline.close();
  const onDisk = fs.readFileSync(path.join(dir, 'runner.log'));
  return { bytes: onDisk, file: onDisk.toString('utf8'), entries: pipeline.recent().map(({ seq: _seq, ...entry }) => entry) };
}

test('lines of one level taken as a block reach the file and the ring exactly as lines taken one by one', async (t) => {
  const sameLevel = ['first', 'INFO second', 'third 日本語', '', 'fifth'];
  const asBlock = await run(tempDir(t), 64 * 1024, sameLevel);
  assert.deepEqual(asBlock, await run(tempDir(t), 1, sameLevel));
  assert.equal(asBlock.file, sameLevel.map((line) => `2025-01-02T00:00:00.000Z INFO  stdout ${line}\n`).join(''));
});

test('lines of mixed levels taken together reach the file and the ring exactly as lines taken one by one', async (t) => {
  const lines = [...LINES, ...LINES.slice(0, 3), 'INFO a', 'INFO b', 'INFO c'];
  const asBlocks = await run(tempDir(t), 64 * 1024, lines);
  const oneByOne = await run(tempDir(t), 1, lines);
  assert.deepEqual(asBlocks, oneByOne);
  assert.match(asBlocks.file, /^2025-01-02T00:00:00\.000Z INFO  stdout plain line one\n2025-01-02T00:00:00\.000Z WARN  stdout WARN disk almost full\n/);
  assert.match(
    asBlocks.file,
    /\n2025-01-02T00:00:00\.000Z INFO  stdout INFO a\n2025-01-02T00:00:00\.000Z INFO  stdout INFO b\n2025-01-02T00:00:00\.000Z INFO  stdout INFO c\n$/,
  );
});

/** A deterministic mix of what runners print: plain and levelled text, JSON, controls, keys, non-ASCII and invalid UTF-8. */
function mixedLines(count: number): Buffer[] {
  const pieces: (string | Buffer)[] = [
    'plain words ',
    'INFO ',
    ' WARN ',
    'ERROR: ',
    '[DEBUG] ',
    '{"level":40,"msg":"j"}',
    'level=warn ',
    '[GIN] | 500 | ',
    'Traceback (most recent call last):',
    'TypeError: boom',
    '\t',
    '\u0007',
    'a\rb',
    '\u001b[31mred\u001b[0m',
    '\u0085',
    '\u200b',
    'naïve ',
    '日本語 ',
    'sk-ant-api03-0123456789abcdefghij',
    'Bearer abcdefgh12345678 ',
    'api_key=hunter2hunter2 ',
    'id=42 ',
    'tokens=7 ',
    'AKIAIOSFODNN7EXAMPLE ',
    Buffer.from([0xc3]),
    Buffer.from([0xff, 0xfe]),
    Buffer.from([0xed, 0xa0, 0x80]),
    '',
  ];
  let state = 11;
  const next = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, () =>
    Buffer.concat(Array.from({ length: Math.floor(next() * 6) }, () => Buffer.from(pieces[Math.floor(next() * pieces.length)]!))),
  );
}

test('a flood of mixed lines in one write of several MiB reaches the file and the ring exactly as lines read by the full rules', async (t) => {
  const lines = mixedLines(60_000);
  const composed = await run(tempDir(t), 3 * 1024 * 1024, lines);
  const assembled = await run(tempDir(t), 5, lines);
  // Byte for byte: invalid UTF-8 is replaced on disk too, whichever way a line came.
  assert.ok(composed.bytes.equals(assembled.bytes), 'the same bytes on disk');
  assert.deepEqual(composed.entries, assembled.entries);
  // The mix exercised the slow path: keys masked, controls made visible, invalid UTF-8 replaced.
  for (const sign of ['sk-ant-…ghij', 'api_key=…ter2', '␇', '\ufffd']) assert.ok(composed.file.includes(sign), sign);
});

test('a million empty lines in one write fill pool after pool and every one reaches the file', async (t) => {
  const { file } = await run(
    tempDir(t),
    2 * 1024 * 1024,
    Array.from({ length: 1_000_000 }, () => ''),
  );
  assert.equal(file, '2025-01-02T00:00:00.000Z INFO  stdout \n'.repeat(1_000_000));
});

test("long lines that outlast the composer's own pools (held by the ring) and a line longer than its input area are written exactly", async (t) => {
  const long = Array.from({ length: 200 }, (_, index) => `INFO ${String(index).padStart(5, '0')} ${'x'.repeat(60 * 1024)}`);
  const composed = await run(tempDir(t), 16 * 1024 * 1024, long);
  assert.equal(composed.file, long.map((line) => `2025-01-02T00:00:00.000Z INFO  stdout ${line}\n`).join(''));
  const huge = `WARN ${'y'.repeat(2 * 1024 * 1024)}`;
  const { file } = await run(tempDir(t), 4 * 1024 * 1024, ['before', huge, 'after'], { maxLineBytes: 3 * 1024 * 1024 });
  assert.equal(file, ['before', huge, 'after'].map((line, index) => `2025-01-02T00:00:00.000Z ${index === 1 ? 'WARN ' : 'INFO '} stdout ${line}\n`).join(''));
});

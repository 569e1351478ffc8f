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

/** Feeds the same output in one chunk (lines taken as blocks) or byte by byte (line by line); returns the file and the entries. */
async function run(dir: string, pieceSize: number, lines: readonly string[]) {
  const pipeline = new LogPipeline({ logsDir: dir, clock: () => Date.UTC(2025, 0, 2) });
  const input = pipeline.input('runner', 'stdout');
  const bytes = Buffer.from(`${lines.join('\n')}\n`);
  for (let start = 0; start < bytes.length; start += pieceSize) input.write(bytes.subarray(start, start + pieceSize));
  input.end();
  await new Promise((resolve) => input.on('finish', resolve));
  await pipeline.close();
  return { file: fs.readFileSync(path.join(dir, 'runner.log'), 'utf8'), entries: pipeline.recent().map(({ seq: _seq, ...entry }) => entry) };
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

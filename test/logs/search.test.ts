import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { LogSearches, searchLogs, type LogSearchQuery } from '../../src/main/logs/search.ts';
import { Redactor } from '../../src/lib/redactor.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import type { FileLogLine } from '../../src/main/logs/file-range.ts';
import { fileLineTag } from '../../src/main/logs/line-format.ts';
import { tempDir } from '../support/headless.ts';

const START = Date.UTC(2026, 0, 19, 7, 0, 0);
const tsOf = (index: number) => new Date(START + index + 1).toISOString();

/** Runner lines (one per millisecond, every 97th an `Order-Shipped` line), Ollama and app lines, through the real pipeline with rotation. */
async function writeLogs(t: { after(fn: () => void): void }, count: number) {
  const dir = tempDir(t);
  let now = START;
  const pipeline = new LogPipeline({ logsDir: dir, fileMaxBytes: 64 * 1024, fileCount: 40, clock: () => now });
  const runner = pipeline.input('runner', 'stdout');
  const ollama = pipeline.input('ollama', 'stderr');
  for (let index = 0; index < count; index++) {
    now = START + index + 1;
    runner.write(index % 97 === 0 ? `Order-Shipped #${index} ${'x'.repeat(index % 50)}\n` : `line ${index} ${'y'.repeat(index % 60)}\n`);
    if (index % 500 === 0) ollama.write(`time=${tsOf(index)} level=WARN msg="order-shipped check ${index}"\n`);
    if (index % 1000 === 0) pipeline.log('app', 'info', `checkpoint ${index}`, { index });
  }
  await pipeline.close();
  return dir;
}

/** Every page of a search, in order, following the cursor. */
async function allPages(dir: string, query: Omit<LogSearchQuery, 'cursor'>, options: Parameters<typeof searchLogs>[2] = {}) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = await searchLogs(dir, { ...query, cursor }, options);
    pages.push(page);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return pages;
}

const shippedIndex = (line: FileLogLine) => Number(/#(\d+)/.exec(line.msg)?.[1] ?? /check (\d+)/.exec(line.msg)?.[1]);

test('a search finds the matches in every rotated file of every source, newest first, with their time, page after page', async (t) => {
  const count = 20_000;
  const dir = await writeLogs(t, count);
  const runnerFiles = fs.readdirSync(dir).filter((name) => name.startsWith('runner.'));
  assert.ok(runnerFiles.length > 15, `the runner log was rotated many times (${runnerFiles.length} files)`);

  // Small chunks and pages, so that the search crosses files, chunks and pages many times.
  const pages = await allPages(dir, { query: 'order-SHIPPED', sources: ['runner', 'ollama', 'app'], limit: 25 }, { chunkBytes: 8 * 1024 });
  assert.ok(pages.length > 5, `several pages (${pages.length})`);
  const found = pages.flatMap((page) => page.matches);
  const expectedRunner = Array.from({ length: count }, (_, index) => index).filter((index) => index % 97 === 0);
  const expectedOllama = Array.from({ length: count }, (_, index) => index).filter((index) => index % 500 === 0);
  assert.deepEqual(
    found.filter((line) => line.source === 'runner').map(shippedIndex),
    expectedRunner.reverse(),
    'every runner match once, newest first, the oldest from the oldest rotated file',
  );
  assert.deepEqual(found.filter((line) => line.source === 'ollama').map(shippedIndex), expectedOllama.reverse());
  for (const page of pages) {
    assert.ok(page.matches.length <= 25);
    assert.deepEqual(
      page.matches.map((line) => line.ts),
      [...page.matches.map((line) => line.ts)].sort().reverse(),
      'each page is newest first',
    );
  }
  const line = found.find((match) => shippedIndex(match) === 97 && match.source === 'runner')!;
  assert.deepEqual([line.ts, line.level, line.stream], [tsOf(97), 'info', 'stdout'], 'a match keeps its time, level and stream');
  const files = fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
  assert.equal(pages[0]!.totalBytes, files, 'the total is the size of every file searched');
  assert.equal(pages.reduce((sum, page) => sum + page.scannedBytes, 0) >= files, true, 'every byte was read (a cut line is read again with the next chunk)');
  assert.equal(pages.at(-1)!.cursor, null, 'the last page says the history is searched to its start');

  const warnings = await searchLogs(dir, { query: 'order-shipped', sources: ['runner', 'ollama'], minLevel: 'warn', limit: 1000 });
  assert.deepEqual(new Set(warnings.matches.map((match) => match.source)), new Set(['ollama']), 'the level filter applies');
  const none = await searchLogs(dir, { query: 'INFO  stdout', sources: ['runner'], limit: 10 });
  assert.deepEqual([none.matches.length, none.cursor], [0, null], "the line's head (time, level, stream) is not searched, as the window does not filter it");
});

test('a match is scrubbed as the window shows it, and a key hidden by scrubbing is not found by its text', async (t) => {
  const dir = tempDir(t);
  const secret = 'stigmer-test-secret-value-0123456789';
  // Written before the key was known to the app: the file holds it in clear.
  const pipeline = new LogPipeline({ logsDir: dir });
  pipeline.input('runner', 'stdout').write(`connecting with token ${secret}\n{"msg":"retry with \\u0073k-ant-api03-${'A'.repeat(40)}","level":"warn"}\n`);
  await pipeline.close();
  assert.ok(fs.readFileSync(path.join(dir, 'runner.log'), 'utf8').includes(secret), 'the key is in the file');

  const redactor = new Redactor([secret]);
  const byContext = await searchLogs(dir, { query: 'connecting with token', sources: ['runner'], limit: 10 }, { redactor });
  assert.equal(byContext.matches.length, 1);
  assert.equal(byContext.matches[0]!.msg, `connecting with token ${maskSecret(secret)}`);
  assert.doesNotMatch(JSON.stringify(byContext), new RegExp(secret.slice(8)), 'no byte of the key beyond its masked form');

  const byKey = await searchLogs(dir, { query: secret.slice(10, 30), sources: ['runner'], limit: 10 }, { redactor });
  assert.equal(byKey.matches.length, 0, 'searching for the text of a masked key finds nothing');

  const escaped = await searchLogs(dir, { query: 'retry with', sources: ['runner'], limit: 10 }, { redactor });
  assert.equal(escaped.matches.length, 1);
  assert.doesNotMatch(escaped.matches[0]!.msg, /A{20}/, 'a key behind JSON escapes is masked once decoded');
});

test('a cancelled search stops reading: a new search supersedes the one still running', async (t) => {
  const dir = await writeLogs(t, 20_000);
  const searches = new LogSearches(dir, new Redactor());
  const options = { chunkBytes: 16 * 1024, maxBytes: Number.POSITIVE_INFINITY };
  const first = searches.search({ query: 'no such text anywhere', sources: ['runner', 'ollama', 'app'], limit: 10 }, options);
  const second = searches.search({ query: 'checkpoint 19000', sources: ['app'], limit: 10 }, options);
  const [cancelled, answered] = await Promise.all([first, second]);
  assert.equal(cancelled.cancelled, true);
  assert.ok(cancelled.scannedBytes <= 16 * 1024, `the first search read at most one chunk after it was superseded (${cancelled.scannedBytes} bytes)`);
  assert.ok(cancelled.totalBytes > 20 * cancelled.scannedBytes, 'far from all of the history');
  assert.notEqual(cancelled.cursor, null, 'it can be resumed');
  assert.deepEqual(
    answered.matches.map((line) => line.msg),
    ['checkpoint 19000 {"index":19000}'],
  );

  const aborted = await searchLogs(dir, { query: 'line', sources: ['runner'], limit: 10 }, { signal: AbortSignal.abort() });
  assert.deepEqual([aborted.cancelled, aborted.scannedBytes, aborted.matches.length], [true, 0, 0]);
});

test('a search with a byte budget answers a cursor, and a missing folder reads as no matches', async (t) => {
  const dir = await writeLogs(t, 5_000);
  const page = await searchLogs(dir, { query: 'zzz-not-there', sources: ['runner'], limit: 10 }, { chunkBytes: 16 * 1024, maxBytes: 32 * 1024 });
  assert.deepEqual([page.matches.length, page.scannedBytes, typeof page.cursor], [0, 32 * 1024, 'string']);
  assert.deepEqual(await searchLogs('/nonexistent/stigmer-logs', { query: 'x', sources: ['runner'], limit: 10 }), {
    matches: [],
    scannedBytes: 0,
    totalBytes: 0,
    cursor: null,
    cancelled: false,
  });
});

test('searches running at once each find exactly what they find alone, with the memory of earlier searches reused', async (t) => {
  const dir = await writeLogs(t, 20_000);
  const options = { chunkBytes: 8 * 1024, maxBytes: Number.POSITIVE_INFINITY };
  const shipped = { query: 'order-SHIPPED', sources: ['runner', 'ollama'], limit: 1_000 } as const;
  const checkpoints = { query: 'CHECKPOINT 1', sources: ['app'], limit: 1_000 } as const;
  const alone = [await searchLogs(dir, shipped, options), await searchLogs(dir, checkpoints, options)];
  // Both read and fold chunks between each other's awaits: one's memory must never be the other's.
  const together = await Promise.all([searchLogs(dir, shipped, options), searchLogs(dir, checkpoints, options), searchLogs(dir, shipped, options)]);
  assert.equal(alone[0]!.matches.length, 207 + 40);
  assert.equal(alone[1]!.matches.length, 11);
  assert.deepEqual(together, [alone[0], alone[1], alone[0]]);
});

test('a search finds every line holding the text in any case, wherever it falls in chunks of several sizes, and no other', async (t) => {
  const dir = tempDir(t);
  // A small alphabet, so that short texts occur often, astride chunk edges, at a line's ends, overlapping themselves.
  const alphabet = 'abcABCxyz -_';
  let seed = 7;
  const random = (below: number) => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) % below;
  const bodies = Array.from({ length: 2_000 }, () => `w${Array.from({ length: random(40) }, () => alphabet[random(alphabet.length)]).join('')}`);
  fs.writeFileSync(path.join(dir, 'runner.log'), bodies.map((body, index) => `${tsOf(index)}${fileLineTag('info', 'stdout')}${body}\n`).join(''));
  for (const query of ['a', 'Ab', 'c-', 'zz', 'bAc', ' x_', 'aaa', 'wcb', 'B C a', '-', ' -']) {
    const expected = bodies.filter((body) => body.toLowerCase().includes(query.toLowerCase())).reverse();
    for (const chunkBytes of [128, 333, 4_096]) {
      const found = (await allPages(dir, { query, sources: ['runner'], limit: 5_000 }, { chunkBytes, maxBytes: Number.POSITIVE_INFINITY })).flatMap(
        (page) => page.matches,
      );
      assert.deepEqual(
        found.map((line) => line.msg),
        expected,
        `${JSON.stringify(query)} in chunks of ${chunkBytes} bytes`,
      );
    }
  }
});

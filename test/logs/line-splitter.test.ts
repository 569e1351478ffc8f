import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter, truncationMarker } from '../../src/lib/line-splitter.ts';

interface Line {
  line: string;
  dropped: number;
}

/** Feeds `input` in pieces cut at `cuts` (byte offsets) and returns every line, ended. */
function split(input: Buffer, pieceSize: number, maxLineBytes?: number): Line[] {
  const lines: Line[] = [];
  const splitter = new LineSplitter({ maxLineBytes, onLine: (line, dropped) => lines.push({ line, dropped }) });
  for (let start = 0; start < input.length; start += pieceSize) splitter.write(input.subarray(start, start + pieceSize));
  splitter.end();
  return lines;
}

/** The same input byte by byte, in odd piece sizes and whole must give the same lines. */
function splitEveryWay(input: Buffer, maxLineBytes?: number): Line[] {
  const whole = split(input, Math.max(1, input.length), maxLineBytes);
  for (const size of [1, 2, 3, 5, 7, 64]) assert.deepEqual(split(input, size, maxLineBytes), whole, `piece size ${size}`);
  return whole;
}

const texts = (lines: Line[]) => lines.map((each) => each.line);

test('partial lines across chunks become whole lines, in order', () => {
  assert.deepEqual(texts(splitEveryWay(Buffer.from('first line\nsecond\n\nfourth after an empty one\n'))), [
    'first line',
    'second',
    '',
    'fourth after an empty one',
  ]);
});

test('CRLF ends a line like LF, also when \\r and \\n arrive in different chunks; a lone CR stays', () => {
  assert.deepEqual(texts(splitEveryWay(Buffer.from('windows\r\nunix\nprogress 10%\rprogress 20%\r\n'))), ['windows', 'unix', 'progress 10%\rprogress 20%']);
});

test('multi-byte characters split across chunks are reassembled', () => {
  const text = 'naïve café 日本語 🎉 emoji\nzweite Zeile ü\n';
  assert.deepEqual(texts(splitEveryWay(Buffer.from(text))), ['naïve café 日本語 🎉 emoji', 'zweite Zeile ü']);
});

test('invalid UTF-8 becomes U+FFFD without touching the characters around it', () => {
  const input = Buffer.concat([Buffer.from('ok é '), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('A日'), Buffer.from([0xc3]), Buffer.from('\nnext ü\n')]);
  const lines = texts(splitEveryWay(input));
  assert.deepEqual(lines, ['ok é \uFFFD\uFFFDA日\uFFFD', 'next ü']);
  assert.deepEqual(lines, new TextDecoder().decode(input).split('\n').slice(0, 2));
});

test('a final line without a newline is kept at end, and a trailing CR is not part of it', () => {
  assert.deepEqual(texts(splitEveryWay(Buffer.from('done\nlast words'))), ['done', 'last words']);
  assert.deepEqual(texts(splitEveryWay(Buffer.from('last with cr\r'))), ['last with cr']);
  assert.deepEqual(texts(splitEveryWay(Buffer.from(''))), []);
});

test('an over-long line is cut at the limit and counts what it dropped, at a character boundary', () => {
  const long = `${'x'.repeat(9)}é${'y'.repeat(20)}`; // é is 2 bytes at offsets 9-10: a cut at 10 must not split it
  const lines = splitEveryWay(Buffer.from(`short\n${long}\r\nafter\n`), 10);
  assert.deepEqual(lines, [
    { line: 'short', dropped: 0 },
    { line: 'x'.repeat(9), dropped: Buffer.byteLength(long) - 9 },
    { line: 'after', dropped: 0 },
  ]);
  assert.deepEqual(splitEveryWay(Buffer.from('exactly10!\r\n'), 10), [{ line: 'exactly10!', dropped: 0 }]);
  assert.deepEqual(splitEveryWay(Buffer.from('exactly10!?'), 10), [{ line: 'exactly10!', dropped: 1 }]);
  assert.equal(truncationMarker(123456), '… [truncated 123456 bytes]');
});

test('a 10 MB line is truncated to 64 KiB without being held whole', () => {
  const lines: Line[] = [];
  const splitter = new LineSplitter({ onLine: (line, dropped) => lines.push({ line, dropped }) });
  const piece = Buffer.alloc(64 * 1024, 'z');
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  for (let sent = 0; sent < 10 * 1024 * 1024; sent += piece.length) {
    splitter.write(piece);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }
  splitter.write(Buffer.from('\nnext\n'));
  assert.equal(lines.length, 2);
  assert.equal(lines[0]!.line.length, 64 * 1024);
  assert.equal(lines[0]!.dropped, 10 * 1024 * 1024 - 64 * 1024);
  assert.equal(lines[1]!.line, 'next');
  assert.ok(peak - before < 4 * 1024 * 1024, `held ${peak - before} bytes of a 10 MB line`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from '../../src/lib/line-splitter.ts';

interface Line {
  line: string;
  dropped: number;
}

/**
 * The splitter's contract the slow, obvious way: the whole input at once, cut on `\n`, a `\r`
 * before it removed, each line decoded on its own and cut at a character boundary at the limit.
 */
function referenceLines(input: Buffer, maxLineBytes: number): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < input.length) {
    let newline = input.indexOf(0x0a, start);
    const last = newline === -1;
    if (last) newline = input.length;
    let end = newline;
    if (end > start && input[end - 1] === 0x0d) end--;
    let cut = Math.min(end, start + maxLineBytes);
    if (cut < end) {
      let lead = cut - 1;
      while (lead >= start && lead > cut - 4 && (input[lead]! & 0xc0) === 0x80) lead--;
      if (lead >= start) {
        const byte = input[lead]!;
        const width = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        if (lead + width > cut) cut = lead;
      }
    }
    lines.push({ line: new TextDecoder().decode(input.subarray(start, cut)), dropped: end - cut });
    start = newline + 1;
  }
  return lines;
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

const PIECES = [
  Buffer.from('word '),
  Buffer.from('\n'),
  Buffer.from('\r\n'),
  Buffer.from('\r'),
  Buffer.from('é'),
  Buffer.from('日本'),
  Buffer.from('🎉'),
  Buffer.from([0xff]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from('x'.repeat(40)),
];

test('whatever the chunking and the limit, the lines are those of splitting the whole input line by line', () => {
  for (let seed = 1; seed <= 400; seed++) {
    const next = random(seed);
    const parts: Buffer[] = [];
    for (let count = Math.floor(next() * 120); count > 0; count--) parts.push(PIECES[Math.floor(next() * PIECES.length)]!);
    const input = Buffer.concat(parts);
    const maxLineBytes = 4 + Math.floor(next() * 120);
    const lines: Line[] = [];
    const batched: Line[] = [];
    const splitter = new LineSplitter({ maxLineBytes, onLine: (line, dropped) => lines.push({ line, dropped }) });
    // The same input to a splitter that also takes runs of lines at once.
    const batching = new LineSplitter({
      maxLineBytes,
      onLine: (line, dropped) => batched.push({ line, dropped }),
      onRegion: (chunk, start, end) => {
        assert.equal(chunk[end], 0x0a, 'a region ends before a newline');
        for (const line of chunk.toString('utf8', start, end).split('\n')) batched.push({ line: line.endsWith('\r') ? line.slice(0, -1) : line, dropped: 0 });
      },
    });
    for (let start = 0; start < input.length;) {
      const size = 1 + Math.floor(next() * (next() < 0.5 ? 8 : 400));
      splitter.write(input.subarray(start, start + size));
      batching.write(input.subarray(start, start + size));
      start += size;
    }
    splitter.end();
    batching.end();
    const expected = referenceLines(input, maxLineBytes);
    assert.deepEqual(lines, expected, `seed ${seed}, limit ${maxLineBytes}`);
    assert.deepEqual(batched, expected, `seed ${seed}, limit ${maxLineBytes}, in runs`);
  }
});

import assert from 'node:assert/strict';
import { StringDecoder } from 'node:string_decoder';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { neutralizeControls } from '../../src/main/logs/control-chars.ts';
import { OutputTail } from '../../src/main/runner/output-tail.ts';

/** The tail's contract written the plain way: decode everything, split, clean, keep the last lines. */
function referenceTail(chunks: readonly { stream: string; bytes: Buffer }[], maxLines: number, redact: (text: string) => string): string[] {
  const lines: string[] = [];
  const partial = new Map<string, { decoder: StringDecoder; text: string }>();
  const push = (raw: string) => {
    const line = neutralizeControls(redact(stripVTControlCharacters(raw.replace(/\r$/, '')).slice(0, 2_000)));
    if (line.trim() !== '') lines.push(line);
  };
  for (const { stream, bytes } of chunks) {
    const state = partial.get(stream) ?? { decoder: new StringDecoder('utf8'), text: '' };
    partial.set(stream, state);
    const pieces = (state.text + state.decoder.write(bytes)).split('\n');
    state.text = (pieces.pop() ?? '').slice(-2_000);
    pieces.forEach(push);
  }
  for (const state of partial.values()) push(state.text + state.decoder.end());
  return lines.slice(-maxLines);
}

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

const PIECES = ['ok', ' ', '\n', '\r\n', '\n\n', 'é', '日本', '🎉', '\u001b[31m', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz', '   ', 'Traceback'];

test('reading only the newest lines of each chunk keeps exactly the lines a full read would', () => {
  const redact = (text: string) => text.replaceAll('sk-ant-api03-abcdefghijklmnopqrstuvwxyz', 'sk-ant-…wxyz');
  for (let seed = 1; seed <= 300; seed++) {
    const next = random(seed);
    const maxLines = 1 + Math.floor(next() * 6);
    let text = '';
    for (let count = Math.floor(next() * 200); count > 0; count--) text += PIECES[Math.floor(next() * PIECES.length)];
    const bytes = Buffer.concat([Buffer.from(text), next() < 0.3 ? Buffer.from([0xe2, 0x82]) : Buffer.alloc(0)]);
    const chunks: { stream: string; bytes: Buffer }[] = [];
    for (let start = 0; start < bytes.length; ) {
      const size = 1 + Math.floor(next() * 40);
      chunks.push({ stream: next() < 0.5 ? 'stdout' : 'stderr', bytes: bytes.subarray(start, start + size) });
      start += size;
    }
    const tail = new OutputTail({ maxLines, redact });
    for (const { stream, bytes: chunk } of chunks) tail.write(stream, chunk);
    tail.flush();
    assert.deepEqual(tail.lines(), referenceTail(chunks, maxLines, redact), `seed ${seed}`);
  }
});

test('a chunk of many lines leaves only its newest lines, and a partial line continues in the next chunk', () => {
  const tail = new OutputTail({ maxLines: 3, redact: (text) => text });
  const many = Array.from({ length: 1000 }, (_, index) => `line ${index}`).join('\n');
  tail.write('stdout', Buffer.from(`${many}\nhalf of `));
  tail.write('stdout', Buffer.from('a line\n'));
  assert.deepEqual(tail.lines(), ['line 998', 'line 999', 'half of a line']);
});

/**
 * The flood benchmarks' lines: deterministic, so what reached the disk can be compared with
 * what was written, byte for byte, without keeping a copy.
 */

/** The last line a flood runner writes, after the numbered ones. */
export const FLOOD_DONE = 'flood done';

const WORDS = ['request', 'handled', 'queue', 'worker', 'tokens', 'latency', 'cache', 'model', 'retry', 'chunk'];

/** Line `index` of a flood: about 100 bytes of plain-text log, without its newline. */
export function floodLine(index: number): string {
  const word = WORDS[index % WORDS.length]!;
  return `${String(index).padStart(8, '0')} INFO worker[${index % 8}] ${word} id=${(index * 2654435761) >>> 0} took ${index % 997} ms ${'x'.repeat(20 + (index % 23))}`;
}

/** The flood as ~64 KiB chunks of whole lines. */
export function* floodChunks(lines: number, chunkBytes = 64 * 1024): Generator<Buffer> {
  let text = '';
  for (let index = 0; index < lines; index++) {
    text += `${floodLine(index)}\n`;
    if (text.length >= chunkBytes) {
      yield Buffer.from(text);
      text = '';
    }
  }
  if (text !== '') yield Buffer.from(text);
}

/** Bytes of the flood's numbered lines, newlines included. */
export function floodBytes(lines: number): number {
  let bytes = 0;
  for (let index = 0; index < lines; index++) bytes += floodLine(index).length + 1;
  return bytes;
}

/** Everything a flood runner writes on stdout: the numbered lines, then the marker line. */
export function floodOutput(lines: number): Buffer {
  return Buffer.concat([...floodChunks(lines), Buffer.from(`${FLOOD_DONE}\n`)]);
}

import { isUtf8 } from 'node:buffer';
import type { LogStream } from '../../shared/logs.ts';
import { fileLineTag } from './line-format.ts';
import { LEVEL_CODES, UNSURE, levelCodeOfBytes } from './level-bytes.ts';
import { HEAD_BYTES } from './line-ring.ts';
import { SHAPE_END_BYTES, mayStartShape } from '../../lib/redactor.ts';

/** File lines are composed in shared buffers this large; records and the file keep slices of them. */
const POOL_BYTES = 1024 * 1024;
/** Enough to cover what the file has not written yet (its 1 MiB high-water mark) and the ring's newest records. */
const MAX_FREE_POOLS = 8;

interface Pool {
  readonly bytes: Buffer;
  /** Segments of it still held by the file or the ring. */
  refs: number;
}
const LF = 0x0a;
const CR = 0x0d;

/** What the byte loop does with each byte value: most only get copied. */
const PLAIN = 0;
const NEWLINE = 1;
const CONTROL = 2;
const NON_ASCII = 3;
const SHAPE_END = 4;
const BLANK = 5;
const BYTE_KIND = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte++) BYTE_KIND[byte] = CONTROL;
BYTE_KIND[0x09] = PLAIN;
BYTE_KIND[LF] = NEWLINE;
BYTE_KIND[0x7f] = CONTROL;
for (let byte = 0x80; byte <= 0xff; byte++) BYTE_KIND[byte] = NON_ASCII;
for (const byte of SHAPE_END_BYTES) BYTE_KIND[byte] = SHAPE_END;
BYTE_KIND[0x20] = BLANK;

/** What `scanLine` noticed in the line it scanned last. */
const SPECIAL = 1;
const NON_ASCII_SEEN = 2;
let scanFlags = 0;

/**
 * Scans the line starting at `lineStart` up to its newline (or `end`) and returns where it
 * ends, leaving in `scanFlags` whether it needs the slow path and holds non-ASCII bytes. Kept
 * small and apart, so that the compiler makes the common case (a plain byte) a tight loop.
 */
function scanLine(chunk: Uint8Array, lineStart: number, end: number): number {
  let flags = 0;
  let index = lineStart;
  for (; index < end; index++) {
    const kind = BYTE_KIND[chunk[index]!]!;
    if (kind === PLAIN) continue;
    if (kind === NEWLINE) break;
    if (kind === BLANK) {
      // Only a blank after `bearer`/`basic` can matter; most blanks stop at this test.
      const before = chunk[index - 1]! | 0x20;
      if ((before === 0x72 || before === 0x63) && mayStartShape(chunk, lineStart, index)) flags |= SPECIAL;
    } else {
      flags |= classify(chunk, lineStart, index, end, kind);
    }
  }
  scanFlags = flags;
  return index;
}

/** The flags one byte other than a plain one or a blank adds. */
function classify(chunk: Uint8Array, lineStart: number, index: number, end: number, kind: number): number {
  const byte = chunk[index]!;
  if (kind === SHAPE_END) return mayStartShape(chunk, lineStart, index) ? SPECIAL : 0;
  if (kind === NON_ASCII) {
    const next = chunk[index + 1]!;
    // C1 controls (C2 80–9F), soft hyphen (C2 AD), zero-width characters and the BOM.
    const hidden =
      byte === 0xc2
        ? next <= 0x9f || next === 0xad
        : byte === 0xe2
          ? (next === 0x80 && chunk[index + 2]! >= 0x8b && chunk[index + 2]! <= 0x8d) || (next === 0x81 && chunk[index + 2] === 0xa0)
          : byte === 0xef && next === 0xbb && chunk[index + 2] === 0xbf;
    return hidden ? SPECIAL | NON_ASCII_SEEN : NON_ASCII_SEEN;
  }
  // A control character, but TAB (plain) and the CR of a CRLF.
  return byte === CR && (index + 1 === end || chunk[index + 1] === LF) ? 0 : SPECIAL;
}

/**
 * What the byte loop cannot settle for a line: it has a control character, invalid UTF-8, a
 * character that could hide inside a key, a known secret or the start of a credential's shape
 * (`needsScrub`), or a level only
 * the full rules can tell. The pipeline decodes such a line and answers with its level and, if
 * the text changed, the text to write instead.
 */
export type SlowLine = (line: string, needsScrub: boolean) => { level: number; text: string | undefined };

/**
 * Composes file lines (`head body\n`) from raw chunks without decoding them: one pass over each
 * chunk's bytes copies every line behind its head, finds its level (level-bytes.ts) and notices
 * what needs the slow path. Lines go into a segment that `take` hands out as one buffer.
 */
export class LineWriter {
  #pool: Pool = { bytes: Buffer.allocUnsafe(POOL_BYTES), refs: 0 };
  /**
   * Pools no segment uses any more, for reuse: a flood then allocates no memory, which matters
   * because V8 collects dead buffers late when the JavaScript heap stays quiet (RSS grew by
   * tens of MiB of garbage buffers before).
   */
  readonly #free: Pool[] = [];
  /** Where the open segment starts in the pool, and where the next byte goes. */
  #start = 0;
  #offset = 0;
  #count = 0;
  /** The six heads (one per level) of the open segment, `HEAD_BYTES` each. */
  #heads = new Uint8Array(6 * HEAD_BYTES);
  #headsKey = '';

  /** Lines in the open segment. */
  get count(): number {
    return this.#count;
  }

  /** Sets the timestamp and stream of the next lines' heads (all lines of a segment share them). */
  setHead(ts: string, stream: LogStream): void {
    const key = ts + stream;
    if (key === this.#headsKey) return;
    this.#headsKey = key;
    const heads = Buffer.from(LEVEL_CODES.map((level) => ts + fileLineTag(level, stream)).join(''), 'latin1');
    if (heads.length !== 6 * HEAD_BYTES) throw new Error(`unexpected log line head ${JSON.stringify(ts)}`);
    this.#heads = heads;
  }

  /** Appends one line of text (no newline in it) at `level` (a level code). */
  writeText(level: number, text: string): void {
    this.#reserve(HEAD_BYTES + 3 * text.length + 1);
    this.#head(this.#offset, level);
    this.#offset += HEAD_BYTES;
    const pool = this.#pool.bytes;
    this.#offset += pool.write(text, this.#offset);
    pool[this.#offset++] = LF;
    this.#count++;
  }

  /**
   * Appends the lines of `chunk[start, end)` (a `LineSplitter` region: the byte at `end` is a
   * newline, no line is over the limit). `hits` are sorted positions of known secrets; the
   * starts of credential shapes are found in the same pass (`mayStartShape`).
   */
  writeRegion(chunk: Buffer, start: number, end: number, stream: LogStream, hits: readonly number[], slow: SlowLine): void {
    let hit = 0;
    let lineStart = start;
    while (lineStart <= end) {
      this.#reserve(HEAD_BYTES + end - lineStart + 1);
      const pool = this.#pool.bytes;
      const headAt = this.#offset;
      const lineEnd = scanLine(chunk, lineStart, end);
      const special = (scanFlags & SPECIAL) !== 0;
      const nonAscii = (scanFlags & NON_ASCII_SEEN) !== 0;
      let contentEnd = lineEnd;
      if (contentEnd > lineStart && chunk[contentEnd - 1] === CR) contentEnd--;
      while (hit < hits.length && hits[hit]! < lineStart) hit++;
      const scrub = special || (hit < hits.length && hits[hit]! < lineEnd) || (nonAscii && !isUtf8(chunk.subarray(lineStart, contentEnd)));
      let level = scrub || chunk[lineStart] === 0x7b ? UNSURE : levelCodeOfBytes(chunk, lineStart, contentEnd, stream);
      if (level === UNSURE) {
        const answer = slow(chunk.toString('utf8', lineStart, contentEnd), scrub);
        level = answer.level;
        if (answer.text !== undefined) {
          this.#offset = headAt;
          this.writeText(level, answer.text);
          lineStart = lineEnd + 1;
          continue;
        }
      }
      this.#head(headAt, level);
      let out = headAt + HEAD_BYTES + chunk.copy(pool, headAt + HEAD_BYTES, lineStart, contentEnd);
      pool[out++] = LF;
      this.#offset = out;
      this.#count++;
      lineStart = lineEnd + 1;
    }
  }

  /**
   * The open segment's bytes and line count, and a fresh segment after it; undefined when
   * empty. Its bytes stay valid until `release` was called `holders` times.
   */
  take(holders: number): { bytes: Buffer; count: number; release: () => void } | undefined {
    if (this.#count === 0) return undefined;
    const pool = this.#pool;
    pool.refs += holders;
    const segment = { bytes: pool.bytes.subarray(this.#start, this.#offset), count: this.#count, release: () => this.#release(pool) };
    this.#start = this.#offset;
    this.#count = 0;
    return segment;
  }

  #release(pool: Pool): void {
    pool.refs--;
    if (pool.refs === 0 && pool !== this.#pool && this.#free.length < MAX_FREE_POOLS) this.#free.push(pool);
  }

  #head(at: number, level: number): void {
    const heads = this.#heads;
    const pool = this.#pool.bytes;
    const from = level * HEAD_BYTES;
    for (let index = 0; index < HEAD_BYTES; index++) pool[at + index] = heads[from + index]!;
  }

  /**
   * Makes room for `bytes` more. The open segment moves to a new pool with it, so that a
   * segment is always one slice.
   */
  #reserve(bytes: number): void {
    if (this.#pool.bytes.length - this.#offset >= bytes) return;
    const old = this.#pool;
    const open = old.bytes.subarray(this.#start, this.#offset);
    const size = open.length + bytes;
    const reused = this.#free.findIndex((pool) => pool.bytes.length >= size);
    const pool = reused === -1 ? { bytes: Buffer.allocUnsafe(Math.max(POOL_BYTES, 2 * size)), refs: 0 } : this.#free.splice(reused, 1)[0]!;
    open.copy(pool.bytes, 0);
    this.#pool = pool;
    this.#start = 0;
    this.#offset = open.length;
    if (old.refs === 0 && this.#free.length < MAX_FREE_POOLS) this.#free.push(old);
  }
}

import type { LogStream } from '../../shared/logs.ts';
import { fileLineTag } from './line-format.ts';
import { HEAD_BYTES } from './line-ring.ts';
import { Composer, LEVEL_CODES, Stop } from './wasm/composer.ts';

/** File lines are composed in shared buffers this large; records and the file keep slices of them. */
const POOL_BYTES = 1024 * 1024;
/**
 * Enough to cover what the file has not written yet (its 1 MiB high-water mark) and the ring's
 * newest records. That many pools live in the composer's memory, where it writes lines directly;
 * more (a ring of long lines) are ordinary buffers that composed lines are copied into.
 */
const MAX_FREE_POOLS = 8;

interface Pool {
  readonly bytes: Buffer;
  /** Segments of it still held by the file or the ring. */
  refs: number;
  /** Whether it is one of the composer's pools (the composer writes into it), which are always reused. */
  readonly inComposer: boolean;
}
const LF = 0x0a;
const CR = 0x0d;

/**
 * What the composer (wasm/compose.as.ts) cannot settle for a line: it has a control character,
 * invalid UTF-8, a character that could hide inside a key, a known secret or the start of a
 * credential's shape (`needsScrub`), or a level only the full rules can tell. The pipeline decodes such a line and answers with its level and, if
 * the text changed, the text to write instead.
 */
export type SlowLine = (line: string, needsScrub: boolean) => { level: number; text: string | undefined };

/**
 * Composes file lines (`head body\n`) from raw chunks without decoding them: the composer
 * (WebAssembly) copies every line behind its head, reads its level and stops at what needs the
 * slow path. Lines go into a segment that `take` hands out as one buffer.
 */
export class LineWriter {
  readonly #composer = new Composer({ pools: MAX_FREE_POOLS, poolBytes: POOL_BYTES });
  /**
   * Pools no segment uses any more, for reuse: a flood then allocates no memory, which matters
   * because V8 collects dead buffers late when the JavaScript heap stays quiet (RSS grew by
   * tens of MiB of garbage buffers before). The composer's own pools come first.
   */
  readonly #free: Pool[] = this.#composer.pools.map((bytes) => ({ bytes, refs: 0, inComposer: true }));
  #pool: Pool = this.#free.shift()!;
  /** Where the open segment starts in the pool, and where the next byte goes. */
  #start = 0;
  #offset = 0;
  #count = 0;
  /** The six heads (one per level) of the open segment, `HEAD_BYTES` each. */
  #heads = new Uint8Array(6 * HEAD_BYTES);
  #headsKey = '';

  /** Sets the timestamp and stream of the next lines' heads (all lines of a segment share them). */
  setHead(ts: string, stream: LogStream): void {
    const key = ts + stream;
    if (key === this.#headsKey) return;
    this.#headsKey = key;
    const heads = Buffer.from(LEVEL_CODES.map((level) => ts + fileLineTag(level, stream)).join(''), 'latin1');
    if (heads.length !== 6 * HEAD_BYTES) throw new Error(`unexpected log line head ${JSON.stringify(ts)}`);
    this.#heads = heads;
    this.#composer.setHeads(heads, HEAD_BYTES);
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
   * newline, no line is over the limit). `hits` are sorted positions of known secrets: their
   * lines take the slow path, the lines between them go through the composer.
   */
  writeRegion(chunk: Buffer, start: number, end: number, stream: LogStream, hits: readonly number[], slow: SlowLine): void {
    let lineStart = start;
    let hit = 0;
    while (lineStart <= end) {
      while (hit < hits.length && hits[hit]! < lineStart) hit++;
      const hitAt = hit < hits.length && hits[hit]! <= end ? hits[hit]! : -1;
      // The newline before the line with the next known secret, or the region's end.
      const composedEnd = hitAt === -1 ? end : chunk.lastIndexOf(LF, hitAt);
      if (composedEnd >= lineStart) this.#compose(chunk, lineStart, composedEnd, stream, slow);
      if (hitAt === -1) return;
      lineStart = composedEnd + 1;
      const lineEnd = chunk.indexOf(LF, hitAt);
      this.#writeSlowLine(chunk, lineStart, lineEnd > lineStart && chunk[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd, true, slow);
      lineStart = lineEnd + 1;
    }
  }

  /**
   * The lines of `chunk[start, end]` (`end` is a newline), through the composer, window by
   * window: straight into the pool when it is one of the composer's, else copied from its
   * scratch area.
   */
  #compose(chunk: Buffer, start: number, end: number, stream: LogStream, slow: SlowLine): void {
    const composer = this.#composer;
    const stderr = stream === 'stderr';
    for (let windowStart = start; windowStart <= end;) {
      const windowEnd = composer.load(chunk, windowStart, end);
      if (windowEnd === -1) {
        // A line longer than the composer's input area (only with a raised line limit).
        const lineEnd = chunk.indexOf(LF, windowStart);
        this.#writeSlowLine(chunk, windowStart, lineEnd > windowStart && chunk[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd, true, slow);
        windowStart = lineEnd + 1;
        continue;
      }
      for (;;) {
        const pool = this.#pool;
        const direct = pool.inComposer;
        const capacity = direct ? pool.bytes.length - this.#offset : composer.scratch.length;
        const stop = composer.run(stderr, direct ? pool.bytes.byteOffset + this.#offset : composer.scratch.byteOffset, capacity);
        const written = composer.written;
        if (!direct) {
          this.#reserve(written);
          this.#pool.bytes.set(composer.scratch.subarray(0, written), this.#offset);
        }
        this.#offset += written;
        this.#count += composer.lines;
        if (stop === Stop.Done) break;
        if (stop === Stop.Slow) this.#writeSlowLine(chunk, composer.slowStart, composer.slowEnd, composer.slowScrub, slow);
        // Full: on to a pool with room for more than this one had.
        else if (direct) this.#reserve(capacity - written + 1);
      }
      windowStart = windowEnd + 1;
    }
  }

  /** One line the composer could not settle, `chunk[start, end)` without its line ending. */
  #writeSlowLine(chunk: Buffer, start: number, end: number, needsScrub: boolean, slow: SlowLine): void {
    const answer = slow(chunk.toString('utf8', start, end), needsScrub);
    if (answer.text !== undefined) return this.writeText(answer.level, answer.text);
    this.#reserve(HEAD_BYTES + end - start + 1);
    const pool = this.#pool.bytes;
    this.#head(this.#offset, answer.level);
    this.#offset += HEAD_BYTES;
    this.#offset += chunk.copy(pool, this.#offset, start, end);
    pool[this.#offset++] = LF;
    this.#count++;
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
    if (pool.refs === 0 && pool !== this.#pool) this.#reuse(pool);
  }

  /**
   * Keeps a pool no segment uses: the composer's always, in front (it writes into them without a
   * copy), other buffers behind them while the list holds fewer than the composer's pools and as
   * many others.
   */
  #reuse(pool: Pool): void {
    if (pool.inComposer) this.#free.unshift(pool);
    else if (this.#free.length < 2 * MAX_FREE_POOLS) this.#free.push(pool);
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
    const pool = reused === -1 ? { bytes: Buffer.allocUnsafe(Math.max(POOL_BYTES, 2 * size)), refs: 0, inComposer: false } : this.#free.splice(reused, 1)[0]!;
    open.copy(pool.bytes, 0);
    this.#pool = pool;
    this.#start = 0;
    this.#offset = open.length;
    if (old.refs === 0) this.#reuse(old);
  }
}

import fs from 'node:fs';
import path from 'node:path';
import type { LogFileError } from '../../shared/logs.ts';

export interface RotatingFileOptions {
  dir: string;
  /** The base name: `runner` writes `runner.log`, rotated to `runner.1.log`, `runner.2.log`, … */
  name: string;
  /** The current file is rotated before the first line that finds it at or over this size. */
  maxBytes: number;
  /** Files kept, the current one included (at least 2); older ones are deleted by the rename. */
  count: number;
  /** Above this many bytes not yet on disk, `needsDrain` asks writers to wait. */
  highWaterMark?: number;
  /** After a failed write, lines are discarded (and counted) for this long before trying again. */
  retryDelayMs?: number;
  clock?: () => number;
  /** Called when writing starts failing (with the error) and when it works again (with null). */
  onFailureChange?: (failure: LogFileError | null) => void;
}

export interface RotatingFileStatus {
  path: string;
  bytesWritten: number;
  rotations: number;
  failedWrites: number;
  lostBytes: number;
  failing: LogFileError | null;
  lastError: LogFileError | null;
}

const ROTATE = Symbol('rotate');
/** Text is encoded into shared buffers this large, each holding many queued segments. */
const POOL_BYTES = 1024 * 1024;
/** Text this long is encoded at once, so it never piles up as a long chain of pieces for the GC to trace. */
const SEAL_CHARS = 128 * 1024;
/** At most this many buffers per `writev` call. */
const MAX_WRITEV_BUFFERS = 64;

/**
 * An append-only log file rotated by size by renaming (`runner.log` → `runner.1.log` → …),
 * never by copy-and-truncate, so no line is lost or duplicated by a rotation. Lines are buffered
 * and written by one write at a time, in order; whatever arrives meanwhile goes out in the next
 * write. A failing disk (ENOSPC, EACCES, a missing folder) never throws: the failure is recorded,
 * reported through `onFailureChange`, lines are discarded and counted while it lasts, and
 * writing is retried after `retryDelayMs`.
 */
export class RotatingFile {
  readonly path: string;
  readonly #dir: string;
  readonly #name: string;
  readonly #maxBytes: number;
  readonly #count: number;
  readonly #highWaterMark: number;
  readonly #retryDelayMs: number;
  readonly #clock: () => number;
  readonly #onFailureChange: ((failure: LogFileError | null) => void) | undefined;

  #queue: (Buffer | typeof ROTATE)[] = [];
  /** Called once the bytes given to `appendBytes` are written or counted as lost. */
  readonly #onDone = new Map<Buffer, () => void>();
  /**
   * Lines not yet queued, as one string: encoding a whole segment at once costs far less than
   * encoding line by line, and the disk still sees few, large writes.
   */
  #text = '';
  /** The most bytes `#text` can encode to (3 per UTF-16 unit), so rotation can be decided exactly. */
  #textMaxBytes = 0;
  /** Where `#seal` encodes text; the bytes before `#poolOffset` belong to queued segments. */
  #pool = Buffer.allocUnsafe(POOL_BYTES);
  #poolOffset = 0;
  /** Size of the file the next line goes to, counting bytes queued but not `#text`. */
  #fileBytes: number;
  /** Bytes queued and not yet written or discarded; `#text` adds about its length. */
  #pendingBytes = 0;
  #handle: fs.promises.FileHandle | undefined;
  #pumpScheduled = false;
  #pumping = false;
  #closed = false;
  #retryAt = 0;
  #drainWaiters: (() => void)[] = [];
  #flushWaiters: (() => void)[] = [];

  #bytesWritten = 0;
  #rotations = 0;
  #failedWrites = 0;
  #lostBytes = 0;
  #failing: LogFileError | null = null;
  #lastError: LogFileError | null = null;

  constructor(options: RotatingFileOptions) {
    if (!(options.count >= 2)) throw new RangeError(`A rotating log file keeps at least 2 files (got ${options.count})`);
    if (!(options.maxBytes >= 1)) throw new RangeError(`A rotating log file needs a positive size limit (got ${options.maxBytes})`);
    this.#dir = options.dir;
    this.#name = options.name;
    this.path = this.#pathOf(0);
    this.#maxBytes = options.maxBytes;
    this.#count = options.count;
    this.#highWaterMark = options.highWaterMark ?? 8 * 1024 * 1024;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#clock = options.clock ?? Date.now;
    this.#onFailureChange = options.onFailureChange;
    this.#fileBytes = currentSize(this.path);
  }

  /** True while writers should wait for `whenDrained` before sending more. */
  get needsDrain(): boolean {
    return this.#pendingBytes + this.#text.length >= this.#highWaterMark;
  }

  whenDrained(callback: () => void): void {
    if (this.needsDrain) this.#drainWaiters.push(callback);
    else callback();
  }

  /** Appends `head` (ASCII) and `body` (any text) as one line; `body` must not contain a newline. */
  appendLine(head: string, body: string): void {
    this.appendLines(`${head}${body}\n`);
  }

  /**
   * Appends whole lines, each ending in `\n`. The file is rotated, if it must be, before them,
   * never between them: a rotated file is at least `maxBytes`, and at most one append larger.
   */
  appendLines(text: string): void {
    if (this.#closed || (this.#failing && this.#clock() < this.#retryAt)) {
      this.#lostBytes += Buffer.byteLength(text);
      return;
    }
    // Exact, as if every append were counted on its own: only when the text not yet encoded
    // could reach the limit is it encoded to learn its size.
    if (this.#fileBytes + this.#textMaxBytes >= this.#maxBytes) {
      this.#seal();
      if (this.#fileBytes >= this.#maxBytes) {
        this.#queue.push(ROTATE);
        this.#fileBytes = 0;
      }
    }
    this.#text += text;
    this.#textMaxBytes += 3 * text.length;
    if (this.#text.length >= SEAL_CHARS) this.#seal();
    this.#schedulePump();
  }

  /**
   * Appends whole lines already encoded, each ending in `\n`, kept as they are (not copied):
   * the caller must not change `bytes` until `onDone`, called once they are written or counted
   * as lost. Rotated before them, as `appendLines`.
   */
  appendBytes(bytes: Buffer, onDone?: () => void): void {
    if (this.#closed || (this.#failing && this.#clock() < this.#retryAt)) {
      this.#lostBytes += bytes.length;
      onDone?.();
      return;
    }
    if (onDone) this.#onDone.set(bytes, onDone);
    // Text appended before goes first, and its size must be known to decide the rotation.
    this.#seal();
    if (this.#fileBytes >= this.#maxBytes) {
      this.#queue.push(ROTATE);
      this.#fileBytes = 0;
    }
    this.#queue.push(bytes);
    this.#fileBytes += bytes.length;
    this.#pendingBytes += bytes.length;
    this.#schedulePump();
  }

  /** Resolves once every line appended so far is on disk (or counted as lost). */
  flush(): Promise<void> {
    if (!this.#pumping && !this.#pumpScheduled && this.#queue.length === 0 && this.#text === '') return Promise.resolve();
    return new Promise((resolve) => {
      this.#flushWaiters.push(resolve);
      this.#schedulePump();
    });
  }

  /** Flushes and closes the file; later lines are counted as lost. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    await this.#closeHandle();
  }

  status(): RotatingFileStatus {
    return {
      path: this.path,
      bytesWritten: this.#bytesWritten,
      rotations: this.#rotations,
      failedWrites: this.#failedWrites,
      lostBytes: this.#lostBytes,
      failing: this.#failing,
      lastError: this.#lastError,
    };
  }

  #pathOf(generation: number): string {
    return path.join(this.#dir, generation === 0 ? `${this.#name}.log` : `${this.#name}.${generation}.log`);
  }

  /** Queues the text appended since the last seal as one buffer. */
  #seal(): void {
    if (this.#text === '') return;
    if (this.#pool.length - this.#poolOffset < this.#textMaxBytes) {
      this.#pool = Buffer.allocUnsafe(Math.max(POOL_BYTES, this.#textMaxBytes));
      this.#poolOffset = 0;
    }
    const start = this.#poolOffset;
    this.#poolOffset += this.#pool.write(this.#text, start);
    const segment = this.#pool.subarray(start, this.#poolOffset);
    this.#text = '';
    this.#textMaxBytes = 0;
    this.#fileBytes += segment.length;
    this.#pendingBytes += segment.length;
    this.#queue.push(segment);
  }

  #schedulePump(): void {
    if (this.#pumping || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    // Deferred so that all lines of the chunk being processed go out in one write.
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    this.#seal();
    while (this.#queue.length > 0) {
      if (this.#queue[0] === ROTATE) {
        this.#queue.shift();
        await this.#rotate();
      } else {
        const buffers: Buffer[] = [];
        let bytes = 0;
        for (let next = this.#queue[0]; buffers.length < MAX_WRITEV_BUFFERS && next instanceof Buffer; next = this.#queue[0]) {
          this.#queue.shift();
          buffers.push(next);
          bytes += next.length;
        }
        await this.#write(buffers, bytes);
        this.#pendingBytes -= bytes;
        for (const buffer of buffers) {
          const done = this.#onDone.get(buffer);
          if (done) {
            this.#onDone.delete(buffer);
            done();
          }
        }
        if (!this.needsDrain) for (const waiter of this.#drainWaiters.splice(0)) waiter();
      }
      this.#seal();
    }
    this.#pumping = false;
    for (const waiter of this.#flushWaiters.splice(0)) waiter();
  }

  async #write(buffers: Buffer[], bytes: number): Promise<void> {
    if (this.#failing && this.#clock() < this.#retryAt) {
      this.#lostBytes += bytes;
      return;
    }
    let written = 0;
    try {
      const handle = await this.#open();
      let remaining = buffers;
      while (written < bytes) {
        const result = await handle.writev(remaining);
        if (result.bytesWritten === 0) throw Object.assign(new Error('the disk accepted no bytes'), { code: 'EIO' });
        written += result.bytesWritten;
        remaining = skipBytes(remaining, result.bytesWritten);
      }
      this.#bytesWritten += written;
      if (this.#failing) {
        this.#failing = null;
        this.#onFailureChange?.(null);
      }
    } catch (error) {
      this.#failedWrites++;
      this.#lostBytes += bytes - written;
      this.#retryAt = this.#clock() + this.#retryDelayMs;
      await this.#closeHandle();
      this.#recordFailure(error);
    }
  }

  async #open(): Promise<fs.promises.FileHandle> {
    if (this.#handle) return this.#handle;
    await fs.promises.mkdir(this.#dir, { recursive: true });
    this.#handle = await fs.promises.open(this.path, 'a', 0o600);
    return this.#handle;
  }

  async #closeHandle(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  async #rotate(): Promise<void> {
    await this.#closeHandle();
    try {
      for (let generation = this.#count - 1; generation >= 1; generation--) {
        await fs.promises.rename(this.#pathOf(generation - 1), this.#pathOf(generation)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
      this.#rotations++;
    } catch (error) {
      // The current file keeps growing; the next rotation tries again.
      this.#lastError = describe(error, this.#clock());
    }
  }

  #recordFailure(error: unknown): void {
    const wasFailing = this.#failing !== null;
    this.#lastError = this.#failing = describe(error, this.#clock());
    if (!wasFailing) this.#onFailureChange?.(this.#failing);
  }
}

function describe(error: unknown, now: number): LogFileError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EUNKNOWN';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message, at: new Date(now).toISOString() };
}

function currentSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The buffers left after the first `count` bytes were written. */
function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  let index = 0;
  while (index < buffers.length && count >= buffers[index]!.length) count -= buffers[index++]!.length;
  const rest = buffers.slice(index);
  if (count > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(count);
  return rest;
}

import fs from 'node:fs';
import { LOG_LEVEL_RANK, type LogLevel, type LogSource } from '../../shared/logs.ts';
import { Redactor } from '../../lib/redactor.ts';
import { filesOf, parseFileLine, type FileLogLine } from './file-range.ts';
import { scrubText, scrubValue } from './scrub.ts';

/**
 * Searches the whole log history on disk (every source, the current file and its rotations) for
 * a text, newest first. Files are read backwards in large chunks and scanned on their raw bytes
 * with `Buffer.indexOf`; a case-insensitive search folds each chunk with one OR of 0x20 per byte
 * (16 bytes at a time, in WebAssembly), which never misses an ASCII letter in either case and may find a few
 * lines that do not match (`[` folds to `{`). Every candidate line is then read as the window
 * shows it, scrubbed, and kept only if what is shown contains the text: a match never reveals
 * what scrubbing hides (a key that became known after the line was written, a key behind JSON
 * escapes), and matches in the line's head (timestamp, level, stream) do not count.
 *
 * Why a fold and `indexOf` rather than a RegExp or `toLowerCase`: the measurements are in
 * docs/BENCHMARKS.md ("Log search over 1 GB of history").
 *
 * A call reads at most `maxBytes` and answers a `cursor` to go on from, so the first matches
 * come back at once whatever the size of the history, and the caller can stop between pages.
 * Each await of a read lets the event loop run (a chunk costs about a millisecond of CPU).
 */

export interface LogSearchQuery {
  /** Compared case-insensitively with the message and fields as the window shows them. */
  query: string;
  sources: readonly LogSource[];
  minLevel?: LogLevel | undefined;
  /** At most this many matches per call. */
  limit: number;
  /** Where the previous call stopped; absent to start from the newest line. */
  cursor?: string | undefined;
}

export interface LogSearchPage {
  /** Newest first within the page; a page may reach a little past the next one's newest match of another source. */
  matches: FileLogLine[];
  /** Bytes read by this call. */
  scannedBytes: number;
  /** The size of every file of the sources searched, when the call started. */
  totalBytes: number;
  /** Null once every file was searched to its first line. */
  cursor: string | null;
  cancelled: boolean;
}

export interface LogSearchOptions {
  redactor?: Redactor;
  signal?: AbortSignal;
  /** A call stops after reading this many bytes (at a chunk's end) and answers a cursor; by default 8 MB for the first page, 64 MB after. */
  maxBytes?: number;
  chunkBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/**
 * The first page stops sooner, so that a rare text's newest matches show at once (a page ends at
 * `limit` matches or its byte budget, and a rare text fills neither; docs/BENCHMARKS.md).
 */
const FIRST_PAGE_MAX_BYTES = 8 * 1024 * 1024;
/** The timestamp is the first 24 bytes of a line (`2026-01-19T07:00:00.000Z`). */
const TS_BYTES = 24;
const SHAPES_ONLY = new Redactor();
/** Never read a source past this: everything it still holds is older than any timestamp. */
const NEWEST = '\uffff';

/** Where a source's search stands: the file (by inode, which a rotation's rename keeps) and the offset still to read below. */
type Position = { ino: number; end: number } | 'done';
type Cursor = Partial<Record<LogSource, Position>>;

function decodeCursor(cursor: string | undefined): Cursor {
  if (!cursor) return {};
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** The raw-byte matcher of a query: the needle, and whether chunks are folded before looking for it. */
interface Needle {
  bytes: Buffer;
  fold: boolean;
  /** What the shown text must contain, lower case. */
  lower: string;
}

function needleOf(query: string): Needle {
  const bytes = Buffer.from(query, 'utf8');
  // Without an ASCII letter, folding could only add lines that verification then drops.
  const fold = /[A-Za-z]/.test(query);
  if (fold) for (let index = 0; index < bytes.length; index++) bytes[index]! |= 0x20;
  return { bytes, fold, lower: query.toLowerCase() };
}

/**
 * The fold as one WebAssembly SIMD loop, 16 bytes per instruction: less CPU than a `Uint32Array`
 * loop (docs/BENCHMARKS.md). Hand-assembled from:
 *
 *   (module (memory (export "memory") 64)
 *     (func (export "fold") (param $src i32) (param $dst i32) (param $len i32) (local $i i32)
 *       (block (loop
 *         (br_if 1 (i32.ge_u (local.get $i) (local.get $len)))
 *         (v128.store (i32.add (local.get $dst) (local.get $i))
 *           (v128.or (v128.load (i32.add (local.get $src) (local.get $i))) (v128.const i8x16 0x20 … 0x20)))
 *         (local.set $i (i32.add (local.get $i) (i32.const 16)))
 *         (br 0)))))
 *
 * It rounds `len` up to 16 bytes: both regions are whole multiples of 16 in its 4 MiB.
 */
const FOLD_WASM =
  'AGFzbQEAAAABBwFgA39/fwADAgEABQMBAEAHEQIEZm9sZAAABm1lbW9yeQIACkIBQAEBfwJAA0AgAyACTw0BIAEgA2ogACADav0AAAD9DCAgICAgICAgICAgICAgICD9UP0LAAAgA0EQaiEDDAALCws=';
const FOLD_MEMORY_BYTES = 64 * 65536;
let foldModule: WebAssembly.Module | undefined;

/** Where a search reads its chunks (`chunk`) and folds them (`folded`): the two halves of a module's memory it has to itself. */
interface ChunkMemory {
  chunk: Buffer;
  folded: Buffer;
  /** Folds the first `length` bytes of `chunk` into `folded`. */
  fold(length: number): void;
  /** Gives the memory back for the next search. */
  release(): void;
}

/**
 * Instances no search is using. A fresh instance for every page cost about 25 ms of CPU each
 * (its 4 MiB faulted in, the old one collected): half the CPU of a search paged as the window
 * pages it (docs/BENCHMARKS.md). More than one can be in use: a superseded search may still be
 * folding its last chunk. A few are kept.
 */
const idleInstances: WebAssembly.Instance[] = [];
const MAX_IDLE_INSTANCES = 2;

function chunkMemory(chunkBytes: number): ChunkMemory {
  if (!(chunkBytes >= 16 && chunkBytes * 2 <= FOLD_MEMORY_BYTES)) throw new RangeError(`A search chunk is 16 bytes to 2 MiB (got ${chunkBytes})`);
  foldModule ??= new WebAssembly.Module(Buffer.from(FOLD_WASM, 'base64'));
  const instance = idleInstances.pop() ?? new WebAssembly.Instance(foldModule);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const half = FOLD_MEMORY_BYTES / 2;
  const fold = instance.exports.fold as (src: number, dst: number, length: number) => void;
  return {
    chunk: Buffer.from(memory.buffer, 0, chunkBytes),
    folded: Buffer.from(memory.buffer, half, chunkBytes),
    fold: (length) => fold(0, half, length),
    release: () => {
      if (idleInstances.length < MAX_IDLE_INSTANCES) idleInstances.push(instance);
    },
  };
}

/** The line as the window shows it, or undefined when it does not match (level, or text once scrubbed). */
function shownMatch(source: LogSource, raw: string, needle: Needle, minRank: number, redactor: Redactor): FileLogLine | undefined {
  const line = parseFileLine(source, raw);
  if (!line || LOG_LEVEL_RANK[line.level] < minRank) return undefined;
  line.msg = scrubText(redactor, line.msg);
  if (line.fields) line.fields = scrubValue(redactor, line.fields) as Record<string, unknown>;
  const fields = line.fields && Object.keys(line.fields).length > 0 ? JSON.stringify(line.fields) : '';
  return line.msg.toLowerCase().includes(needle.lower) || fields.toLowerCase().includes(needle.lower) ? line : undefined;
}

interface OpenFile {
  handle: fs.promises.FileHandle;
  ino: number;
  size: number;
}

/** One source's files, newest first, read backwards from its position. */
class SourceScan {
  readonly source: LogSource;
  /** The timestamp of the oldest line read so far: the scan that is furthest behind in time goes next. */
  frontier = NEWEST;
  readonly #files: OpenFile[];
  #position: Position;

  private constructor(source: LogSource, files: OpenFile[], position: Position) {
    this.source = source;
    this.#files = files;
    this.#position = position;
  }

  static async open(logsDir: string, source: LogSource, position: Position | undefined): Promise<SourceScan> {
    const files: OpenFile[] = [];
    if (position !== 'done') {
      for (const file of filesOf(logsDir, source).reverse()) {
        try {
          const handle = await fs.promises.open(file, 'r');
          const stat = await handle.stat();
          files.push({ handle, ino: stat.ino, size: stat.size });
        } catch {
          // Rotated out of existence since the folder was listed.
        }
      }
    }
    const scan = new SourceScan(source, files, position ?? 'done');
    if (position === undefined) scan.#position = files[0] ? { ino: files[0].ino, end: files[0].size } : 'done';
    else if (position !== 'done' && !files.some((file) => file.ino === position.ino)) scan.#position = 'done';
    return scan;
  }

  get done(): boolean {
    return this.#position === 'done';
  }
  get position(): Position {
    return this.#position;
  }
  get totalBytes(): number {
    return this.#files.reduce((sum, file) => sum + file.size, 0);
  }

  close(): Promise<unknown> {
    return Promise.all(this.#files.map((file) => file.handle.close().catch(() => undefined)));
  }

  /**
   * Reads the chunk below the position and hands its candidate lines to `keep`, newest first,
   * until `keep` answers that the page is full (the position then stays just below that line).
   * Answers the bytes read.
   */
  async step(memory: ChunkMemory, needle: Needle, keep: (raw: string) => boolean): Promise<number> {
    const position = this.#position;
    if (position === 'done') return 0;
    const index = this.#files.findIndex((file) => file.ino === position.ino);
    const file = this.#files[index]!;
    const from = Math.max(0, position.end - memory.chunk.length);
    const { bytesRead } = await file.handle.read(memory.chunk, 0, position.end - from, from);
    const bytes = memory.chunk.subarray(0, bytesRead);
    // The first line of the chunk may be cut: it is read whole with the next chunk down.
    let first = 0;
    if (from > 0) {
      const newline = bytes.indexOf(0x0a);
      // A line longer than a chunk cannot be written (lines are cut well below): skip the bytes.
      first = newline === -1 ? bytes.length : newline + 1;
    }
    this.frontier = bytes.toString('latin1', first, first + TS_BYTES) || this.frontier;
    const lines = candidateLines(bytes, first, memory, needle);
    let stopAt: number | undefined;
    for (let at = lines.length - 2; at >= 0; at -= 2) {
      if (!keep(bytes.toString('utf8', lines[at], lines[at + 1]))) continue;
      stopAt = at;
      break;
    }
    const next = this.#files[index + 1];
    if (stopAt !== undefined) this.#position = { ino: file.ino, end: from + lines[stopAt]! };
    else if (from + first > 0) this.#position = { ino: file.ino, end: from + first };
    else this.#position = next ? { ino: next.ino, end: next.size } : 'done';
    return bytesRead;
  }
}

/** [start, end) of each line of `bytes` from `first` on holding the needle, oldest first, flattened. */
function candidateLines(bytes: Buffer, first: number, memory: ChunkMemory, needle: Needle): number[] {
  let haystack = bytes;
  if (needle.fold) {
    memory.fold(bytes.length);
    haystack = memory.folded.subarray(0, bytes.length);
  }
  const lines: number[] = [];
  for (let hit = haystack.indexOf(needle.bytes, first); hit !== -1;) {
    // Newlines are looked for in the raw bytes: folding turns `\n` into `*`.
    const start = bytes.lastIndexOf(0x0a, hit) + 1;
    const newline = bytes.indexOf(0x0a, hit);
    const end = newline === -1 ? bytes.length : newline;
    lines.push(Math.max(start, first), end);
    hit = end >= bytes.length ? -1 : haystack.indexOf(needle.bytes, end + 1);
  }
  return lines;
}

/**
 * One page of matches for `query`: the newest lines holding its text in the files of its
 * sources, scrubbed as the window shows them. The sources are read in step, always the one
 * whose oldest line read is the newest, so that the page follows time across sources.
 */
export async function searchLogs(logsDir: string, query: LogSearchQuery, options: LogSearchOptions = {}): Promise<LogSearchPage> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const maxBytes = options.maxBytes ?? (query.cursor ? DEFAULT_MAX_BYTES : FIRST_PAGE_MAX_BYTES);
  const redactor = options.redactor ?? SHAPES_ONLY;
  const needle = needleOf(query.query);
  const minRank = LOG_LEVEL_RANK[query.minLevel ?? 'trace'];
  const cursor = decodeCursor(query.cursor);
  const scans = await Promise.all([...new Set(query.sources)].map((source) => SourceScan.open(logsDir, source, cursor[source])));
  const memory = chunkMemory(chunkBytes);
  const matches: FileLogLine[] = [];
  let scannedBytes = 0;
  let cancelled = false;
  try {
    for (;;) {
      const next = scans.filter((scan) => !scan.done).sort((a, b) => (a.frontier < b.frontier ? 1 : a.frontier > b.frontier ? -1 : 0))[0];
      if (!next || matches.length >= query.limit || scannedBytes >= maxBytes) break;
      if (options.signal?.aborted) {
        cancelled = true;
        break;
      }
      const page: FileLogLine[] = [];
      scannedBytes += await next.step(memory, needle, (raw) => {
        const line = shownMatch(next.source, raw, needle, minRank, redactor);
        if (line) page.push(line);
        return matches.length + page.length >= query.limit;
      });
      matches.push(...page);
    }
    const totalBytes = scans.reduce((sum, scan) => sum + scan.totalBytes, 0);
    const position: Cursor = Object.fromEntries(scans.map((scan) => [scan.source, scan.position]));
    // Sorted newest first; a stable sort keeps a source's own order on equal timestamps.
    matches.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0));
    return { matches, scannedBytes, totalBytes, cursor: scans.every((scan) => scan.done) ? null : encodeCursor(position), cancelled };
  } finally {
    memory.release();
    await Promise.all(scans.map((scan) => scan.close()));
  }
}

/**
 * The searches of the window: a new search cancels the one still running (the user typed on),
 * which answers `cancelled` after the chunk it is reading.
 */
export class LogSearches {
  readonly #logsDir: string;
  readonly #redactor: Redactor;
  #running: AbortController | undefined;

  constructor(logsDir: string, redactor: Redactor) {
    this.#logsDir = logsDir;
    this.#redactor = redactor;
  }

  async search(query: LogSearchQuery, options: Omit<LogSearchOptions, 'redactor' | 'signal'> = {}): Promise<LogSearchPage> {
    this.#running?.abort();
    const controller = new AbortController();
    this.#running = controller;
    try {
      return await searchLogs(this.#logsDir, query, { ...options, redactor: this.#redactor, signal: controller.signal });
    } finally {
      if (this.#running === controller) this.#running = undefined;
    }
  }
}

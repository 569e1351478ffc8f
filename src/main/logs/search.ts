import fs from 'node:fs';
import { LOG_LEVEL_RANK, type LogLevel, type LogSource } from '../../shared/logs.ts';
import { Redactor } from '../../lib/redactor.ts';
import { filesOf, parseFileLine, type FileLogLine } from './file-range.ts';
import { scrubText, scrubValue } from './scrub.ts';

/**
 * Searches the whole log history on disk (every source, the current file and its rotations) for
 * a text, newest first. Files are read backwards in large chunks and scanned on their raw bytes
 * by one WebAssembly SIMD loop; a case-insensitive search compares every byte ORed with 0x20,
 * which never misses an ASCII letter in either case and may find a few lines that do not match
 * (`[` folds to `{`). Every candidate line is then read as the window shows it, scrubbed, and
 * kept only if what is shown contains the text: a match never reveals what scrubbing hides (a
 * key that became known after the line was written, a key behind JSON escapes), and matches in
 * the line's head (timestamp, level, stream) do not count.
 *
 * Why raw bytes and a fold rather than a RegExp or `toLowerCase`, and why one loop rather than a
 * folded copy and `Buffer.indexOf`: the measurements are in docs/BENCHMARKS.md ("Log search
 * over 1 GB of history").
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

/** The raw-byte matcher of a query: the needle, and whether bytes are folded (ORed with 0x20) before they are compared. */
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
 * Where a needle first occurs, every byte ORed with `$mask` (0x20 to fold, 0 not to), as one
 * WebAssembly SIMD loop: each 16 positions, the needle's first and last bytes are compared at
 * once, and only where both agree are the bytes between compared. It reads each chunk once and
 * writes nothing: a quarter of the CPU of folding a copy and `Buffer.indexOf` over it
 * (docs/BENCHMARKS.md). Assembled (binaryen) from:
 *
 *   (module (memory (export "memory") 64)
 *     (func (export "find") (param $start i32) (param $end i32) (param $needle i32) (param $n i32) (param $mask i32) (result i32)
 *       (local $i i32) (local $first v128) (local $last v128) (local $or v128) (local $bits i32) (local $at i32) (local $k i32)
 *       (local.set $or (i8x16.splat (local.get $mask)))
 *       (local.set $first (i8x16.splat (i32.load8_u (local.get $needle))))
 *       (local.set $last (i8x16.splat (i32.load8_u (i32.add (local.get $needle) (i32.sub (local.get $n) (i32.const 1))))))
 *       (local.set $i (local.get $start))
 *       (block $done (loop $blocks
 *         (br_if $done (i32.gt_s (local.get $i) (i32.sub (local.get $end) (local.get $n))))
 *         (local.set $bits (i8x16.bitmask (v128.and
 *           (i8x16.eq (v128.or (v128.load (local.get $i)) (local.get $or)) (local.get $first))
 *           (i8x16.eq (v128.or (v128.load (i32.add (local.get $i) (i32.sub (local.get $n) (i32.const 1)))) (local.get $or)) (local.get $last)))))
 *         (block $next (loop $candidates
 *           (br_if $next (i32.eqz (local.get $bits)))
 *           (local.set $at (i32.add (local.get $i) (i32.ctz (local.get $bits))))
 *           (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
 *           (br_if $done (i32.gt_s (local.get $at) (i32.sub (local.get $end) (local.get $n))))
 *           (local.set $k (i32.const 1))
 *           (block $mismatch (loop $compare
 *             (if (i32.ge_s (local.get $k) (i32.sub (local.get $n) (i32.const 1))) (then (return (local.get $at))))
 *             (br_if $mismatch (i32.ne (i32.or (i32.load8_u (i32.add (local.get $at) (local.get $k))) (local.get $mask))
 *                                      (i32.load8_u (i32.add (local.get $needle) (local.get $k)))))
 *             (local.set $k (i32.add (local.get $k) (i32.const 1)))
 *             (br $compare)))
 *           (br $candidates)))
 *         (local.set $i (i32.add (local.get $i) (i32.const 16)))
 *         (br $blocks)))
 *       (i32.const -1)))
 *
 * Its loads reach up to 16 bytes past `$end`: the chunk (at most 2 MiB) is followed by a gap,
 * then the needle, in its 4 MiB.
 */
const FIND_WASM =
  'AGFzbQEAAAABCgFgBX9/f39/AX8DAgEABQMBAEAHEQIGbWVtb3J5AgAEZmluZAAACtEBAc4BAgR/A3sgBP0PIQsgAi0AAP0PIQkgAiADQQFrai0AAP0PIQogACEFAkADQCAFIAEgA2tKDQEgBf0ABAAgC/1QIAn9IyAFIANBAWtq/QAEACAL/VAgCv0j/U79ZCEGAkADQCAGRQ0BIAUgBmhqIQcgBiAGQQFrcSEGIAcgASADa0oNA0EBIQgCQANAIAggA0EBa04EQCAHDwsgByAIai0AACAEciACIAhqLQAARw0BIAhBAWohCAwACwALDAALAAsgBUEQaiEFDAALAAtBfws=';
const MEMORY_BYTES = 64 * 65536;
const MAX_CHUNK_BYTES = MEMORY_BYTES / 2;
const NEEDLE_AT = MAX_CHUNK_BYTES + 64;
let findModule: WebAssembly.Module | undefined;

/** Where a search reads its chunks, in a module's memory it has to itself, and looks for its needle in them. */
interface ChunkMemory {
  chunk: Buffer;
  /** Where the needle first occurs in `chunk` from `start` to before `end`, or -1. */
  find(start: number, end: number): number;
  /** Gives the memory back for the next search. */
  release(): void;
}

/**
 * Instances no search is using. A fresh instance for every page cost about 25 ms of CPU each
 * (its 4 MiB faulted in, the old one collected): half the CPU of a search paged as the window
 * pages it (docs/BENCHMARKS.md). More than one can be in use: a superseded search may still be
 * reading its last chunk. A few are kept.
 */
const idleInstances: WebAssembly.Instance[] = [];
const MAX_IDLE_INSTANCES = 2;

function chunkMemory(chunkBytes: number, needle: Needle): ChunkMemory {
  if (!(chunkBytes >= 16 && chunkBytes <= MAX_CHUNK_BYTES)) throw new RangeError(`A search chunk is 16 bytes to 2 MiB (got ${chunkBytes})`);
  if (needle.bytes.length > MEMORY_BYTES - NEEDLE_AT) throw new RangeError(`A search text is at most ${MEMORY_BYTES - NEEDLE_AT} bytes`);
  findModule ??= new WebAssembly.Module(Buffer.from(FIND_WASM, 'base64'));
  const instance = idleInstances.pop() ?? new WebAssembly.Instance(findModule);
  const memory = instance.exports.memory as WebAssembly.Memory;
  needle.bytes.copy(Buffer.from(memory.buffer, NEEDLE_AT));
  const find = instance.exports.find as (start: number, end: number, needle: number, length: number, mask: number) => number;
  const { length } = needle.bytes;
  const mask = needle.fold ? 0x20 : 0;
  return {
    chunk: Buffer.from(memory.buffer, 0, chunkBytes),
    // An empty text is in every line.
    find: length === 0 ? (start, end) => (start < end ? start : -1) : (start, end) => find(start, end, NEEDLE_AT, length, mask),
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
  async step(memory: ChunkMemory, keep: (raw: string) => boolean): Promise<number> {
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
    const lines = candidateLines(bytes, first, memory);
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
function candidateLines(bytes: Buffer, first: number, memory: ChunkMemory): number[] {
  const lines: number[] = [];
  for (let hit = memory.find(first, bytes.length); hit !== -1;) {
    const start = bytes.lastIndexOf(0x0a, hit) + 1;
    const newline = bytes.indexOf(0x0a, hit);
    const end = newline === -1 ? bytes.length : newline;
    lines.push(Math.max(start, first), end);
    hit = end >= bytes.length ? -1 : memory.find(end + 1, bytes.length);
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
  const memory = chunkMemory(chunkBytes, needle);
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
      scannedBytes += await next.step(memory, (raw) => {
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

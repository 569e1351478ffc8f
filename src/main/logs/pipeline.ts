import { Writable } from 'node:stream';
import { type LogBatch, type LogEntry, type LogFileError, type LogLevel, type LogPipelineStatus, type LogSource } from '../../shared/logs.ts';
import { logMatcher, type LogFilterSpec } from '../../shared/log-filter.ts';
import { neutralizeControls } from './control-chars.ts';
import { fileLineTag } from './line-format.ts';
import { LEVEL_CODES } from './wasm/composer.ts';
import { LineRecord, LineRing, type LogRecord } from './line-ring.ts';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from '../../lib/line-splitter.ts';
import { LineWriter } from './line-writer.ts';
import type { ProcessOutput } from '../process/process-output.ts';
import { Redactor } from '../../lib/redactor.ts';
import { RotatingFile } from './rotating-file.ts';
import { scrubJsonLine, scrubText } from './scrub.ts';
import { levelFromText, parseLine } from './structured.ts';

export interface LogPipelineOptions {
  /** Where `<source>.log` files and their rotations go. */
  logsDir: string;
  /** Masks secrets before anything is stored, shown or written; update it with `setSecrets`. */
  redactor?: Redactor;
  /** The in-memory history `recent()` reads from, bounded in entries and in estimated bytes. */
  ringMaxEntries?: number;
  ringMaxBytes?: number;
  /** Each source's file is rotated once it reaches this size. */
  fileMaxBytes?: number;
  /** Files kept per source, the current one included. */
  fileCount?: number;
  /** Subscribers get at most one batch per interval. */
  batchIntervalMs?: number;
  maxLineBytes?: number;
  /** How long a failing log file discards lines before writing is tried again. */
  fileRetryDelayMs?: number;
  /** Milliseconds since the epoch, for timestamps. */
  clock?: () => number;
  /**
   * Called synchronously with every record: a chunk of a child's lines as the bytes written to
   * its file, or one app message (for example to echo logs to stdout). It runs on the hot path:
   * decode (`entriesOf`) only if it must, and do not keep `bytes`: they are reused later.
   */
  onRecord?: (record: LogRecord) => void;
}

/**
 * Rotated files are each at least `fileMaxBytes`, so 9 rotated files of 20 MiB keep the newest
 * 180 MiB per source, plus the current file: a flood of a million 150-byte lines is kept whole.
 */
export const LOG_PIPELINE_DEFAULTS = {
  ringMaxEntries: 10_000,
  ringMaxBytes: 8 * 1024 * 1024,
  fileMaxBytes: 20 * 1024 * 1024,
  fileCount: 10,
  batchIntervalMs: 100,
  maxLineBytes: DEFAULT_MAX_LINE_BYTES,
  fileRetryDelayMs: 1000,
} as const;

export interface SubscribeOptions {
  /** At most this many entries per batch: the newest ones (plus older app entries); the batch counts the rest as skipped. */
  maxBatchEntries?: number;
}

/** The window's filter (sources, least level, text), and which of the ring's entries to look at. */
export interface RecentFilter extends LogFilterSpec {
  /** Only entries newer than this sequence number. */
  afterSeq?: number;
  /** At most this many, the newest. */
  limit?: number;
}

interface Subscriber {
  listener: (batch: LogBatch) => void;
  maxBatchEntries: number;
}

/** Rough in-memory cost of an app message beyond its text: the object, its timestamp and the ring slot. */
const ENTRY_OVERHEAD_BYTES = 96;
const NEWLINE = /\n/g;
/** Bytes not yet on disk above which an input stops taking chunks, so that its child waits. */
const FILE_HIGH_WATER_MARK = 1024 * 1024;

/**
 * The one way logs flow: child process output and the app's own messages become entries that
 * are redacted, parsed, kept in a bounded ring, written to a rotating file per source and handed
 * to subscribers in batches.
 *
 * Lines are split exactly (see LineSplitter); ANSI escape sequences are stripped, not rendered;
 * other control characters are made visible (control-chars.ts); a line over `maxLineBytes`
 * ends with `… [truncated N bytes]`. Child output is handled as bytes: each chunk is scanned
 * once, its lines are copied behind their heads into one buffer that goes to the file and the
 * ring as it is, and only lines that need it (a control character, a candidate secret, a level
 * only the full rules can read) are decoded. Entries are made when they are read.
 *
 * The file never drops a line: when the disk falls behind, `input` streams stop accepting data
 * until it catches up, which pauses the child's pipe. Subscribers may miss lines in a flood
 * (each batch says how many); the ring keeps only the newest.
 */
export class LogPipeline {
  readonly redactor: Redactor;
  readonly #options: Required<Omit<LogPipelineOptions, 'redactor' | 'onRecord'>> & Pick<LogPipelineOptions, 'onRecord'>;
  readonly #ring: LineRing;
  readonly #files = new Map<LogSource, RotatingFile>();
  readonly #openSplitters = new Set<LineSplitter>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #writer = new LineWriter();
  /** Source, stream and timestamp of the lines in the writer's open segment. */
  #segment: { source: LogSource; stream: 'stdout' | 'stderr'; ts: string } | undefined;
  #seq = 0;
  #lastMillis = Number.NaN;
  #lastTs = '';
  /** The last sequence number handed to subscribers (or skipped for them). */
  #deliveredSeq = 0;
  #batchTimer: NodeJS.Timeout | undefined;

  constructor(options: LogPipelineOptions) {
    this.redactor = options.redactor ?? new Redactor();
    this.#options = { ...LOG_PIPELINE_DEFAULTS, clock: Date.now, ...withoutUndefined(options), logsDir: options.logsDir };
    this.#ring = new LineRing({ maxEntries: this.#options.ringMaxEntries, maxBytes: this.#options.ringMaxBytes });
  }

  /**
   * A sink for one output stream of a child process: `child.stdout.pipe(pipeline.input('runner', 'stdout'))`.
   * Ending it (as `pipe` does when the child exits) keeps a last line that had no newline.
   * Use one sink per stream per process. With `releaseChunks` the sink owns what is written to
   * it and frees each chunk's memory once it has the lines (see `releaseChunk`).
   */
  input(source: LogSource, stream: 'stdout' | 'stderr', { releaseChunks = false } = {}): Writable {
    // One timestamp per chunk: all its lines arrived at the same moment.
    let ts = '';
    const splitter = new LineSplitter({
      maxLineBytes: this.#options.maxLineBytes,
      onLine: (line, droppedBytes) => this.#acceptLine(source, stream, ts || this.#timestamp(), line, droppedBytes),
      onRegion: (chunk, start, end) => this.#acceptRegion(source, stream, ts, chunk, start, end),
    });
    this.#openSplitters.add(splitter);
    const file = this.#fileFor(source);
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        ts = this.#timestamp();
        splitter.write(chunk);
        if (releaseChunks) releaseChunk(chunk);
        ts = '';
        this.#closeSegment();
        file.whenDrained(() => callback());
      },
      final: (callback) => {
        this.#endSplitter(splitter);
        callback();
      },
    });
  }

  /** Output sinks for each process a supervisor launches, and the lines they last carried (see ProcessOutput). */
  processOutput(source: LogSource): ProcessOutput {
    let sinceSeq = Number.POSITIVE_INFINITY;
    return {
      open: (options = {}) => {
        this.#closeSegment();
        sinceSeq = this.#seq;
        return { stdout: this.input(source, 'stdout', options), stderr: this.input(source, 'stderr', options) };
      },
      lastLines: (max) => {
        this.#closeSegment();
        const lines: string[] = [];
        this.#ring.walk((line) => {
          if (line.seq <= sinceSeq) return false;
          if (line.source !== source) return true;
          const entry = line.entry();
          if (entry.stream !== 'internal' && entry.msg.trim() !== '') lines.push(entry.msg);
          return lines.length < max;
        });
        return lines.reverse();
      },
    };
  }

  /** The app's own message. `fields` must be JSON-compatible; strings in it are redacted too. */
  log(source: LogSource, level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    // Lines stay lines in the entry (the window shows them); every other control is made visible.
    const text = this.redactor.redact(msg).split(/\r?\n/).map(neutralizeControls).join('\n');
    const safeFields = fields && Object.keys(fields).length > 0 ? (this.redactor.redactValue(fields) as Record<string, unknown>) : undefined;
    const fileBody = text.replace(NEWLINE, '\\n') + (safeFields ? ` ${JSON.stringify(safeFields)}` : '');
    this.#closeSegment();
    const ts = this.#timestamp();
    const entry: LogEntry = safeFields
      ? { seq: ++this.#seq, ts, source, stream: 'internal', level, msg: text, fields: safeFields }
      : { seq: ++this.#seq, ts, source, stream: 'internal', level, msg: text };
    this.#fileFor(source).appendLine(ts + fileLineTag(level, 'internal'), fileBody);
    this.#publish({ kind: 'entry', entry, cost: ENTRY_OVERHEAD_BYTES + fileBody.length * (safeFields ? 4 : 2) });
  }

  /**
   * Receives batches at most every `batchIntervalMs`. Returns the function that unsubscribes.
   */
  subscribe(listener: (batch: LogBatch) => void, options: SubscribeOptions = {}): () => void {
    if (this.#subscribers.size === 0) this.#deliveredSeq = this.#seq;
    const subscriber: Subscriber = { listener, maxBatchEntries: Math.max(1, options.maxBatchEntries ?? 1000) };
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
    };
  }

  /** Entries still in the ring buffer, oldest first. */
  recent(filter: RecentFilter = {}): LogEntry[] {
    this.#closeSegment();
    const matcher = logMatcher(filter);
    const afterSeq = filter.afterSeq ?? 0;
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    const entries: LogEntry[] = [];
    if (limit <= 0) return entries;
    this.#ring.walk((line) => {
      if (line.seq <= afterSeq) return false;
      if (!matcher.admits(line.source, line.level)) return true;
      const entry = line.entry();
      if (matcher.matches(entry)) entries.push(entry);
      return entries.length < limit;
    });
    return entries.reverse();
  }

  /** Resolves once every line received so far is on disk (or counted as lost by a failing file). */
  async flush(): Promise<void> {
    this.#closeSegment();
    await Promise.all([...this.#files.values()].map((file) => file.flush()));
  }

  /**
   * For quitting: keeps the unfinished last line of every open input, hands subscribers their
   * last batch, and resolves once every file is flushed and closed.
   */
  async close(): Promise<void> {
    for (const splitter of [...this.#openSplitters]) this.#endSplitter(splitter);
    this.#closeSegment();
    this.#deliverBatch();
    await Promise.all([...this.#files.values()].map((file) => file.close()));
  }

  getStatus(): LogPipelineStatus {
    this.#closeSegment();
    const ring = this.#ring.status();
    return {
      ringEntries: ring.entries,
      ringBytes: ring.bytes,
      lastSeq: this.#seq,
      files: [...this.#files].map(([source, file]) => ({ source, ...file.status() })),
    };
  }

  #endSplitter(splitter: LineSplitter): void {
    if (!this.#openSplitters.delete(splitter)) return;
    splitter.end();
    this.#closeSegment();
  }

  /** Lines of one chunk, as bytes: the fast path. */
  #acceptRegion(source: LogSource, stream: 'stdout' | 'stderr', ts: string, chunk: Buffer, start: number, end: number): void {
    this.#openSegment(source, stream, ts);
    const hits = this.redactor.secretsIn(chunk, start, end);
    this.#writer.writeRegion(chunk, start, end, stream, hits, (line, needsScrub) => {
      const text = scrubJsonLine(this.redactor, needsScrub ? scrubText(this.redactor, line) : line);
      // A scrubbed line is written as text even when scrubbing changed nothing: its bytes may be
      // invalid UTF-8, which decoding (into `line`) already replaced, as for a line read whole.
      return { level: LEVEL_CODES.indexOf(levelOf(text, stream)), text: needsScrub || text !== line ? text : undefined };
    });
  }

  /** A line assembled from several chunks, or cut at the limit: decoded, and scrubbed in full. */
  #acceptLine(source: LogSource, stream: 'stdout' | 'stderr', ts: string, line: string, droppedBytes: number): void {
    this.#openSegment(source, stream, ts);
    const text = scrubJsonLine(this.redactor, scrubText(this.redactor, line, droppedBytes));
    this.#writer.writeText(LEVEL_CODES.indexOf(levelOf(text, stream)), text);
  }

  #openSegment(source: LogSource, stream: 'stdout' | 'stderr', ts: string): void {
    const open = this.#segment;
    if (open && open.source === source && open.stream === stream && open.ts === ts) return;
    this.#closeSegment();
    this.#segment = { source, stream, ts };
    this.#writer.setHead(ts, stream);
  }

  /** Hands the lines composed so far to the file, the ring, the hook and the subscribers. */
  #closeSegment(): void {
    const open = this.#segment;
    if (!open) return;
    this.#segment = undefined;
    // Held by the file until written and by the ring until dropped; then the buffer is reused.
    const taken = this.#writer.take(2);
    if (!taken) return;
    this.#fileFor(open.source).appendBytes(taken.bytes, taken.release);
    const record = new LineRecord(this.#seq + 1, taken.count, open.ts, open.source, open.stream, taken.bytes, taken.release, this.redactor);
    this.#seq += taken.count;
    this.#publish(record);
  }

  #publish(record: LogRecord): void {
    this.#ring.push(record);
    this.#options.onRecord?.(record);
    if (this.#subscribers.size > 0 && !this.#batchTimer) {
      this.#batchTimer = setTimeout(() => this.#deliverBatch(), this.#options.batchIntervalMs);
      this.#batchTimer.unref();
    }
  }

  #timestamp(): string {
    const now = this.#options.clock();
    if (now !== this.#lastMillis) {
      this.#lastMillis = now;
      this.#lastTs = new Date(now).toISOString();
    }
    return this.#lastTs;
  }

  /** Each subscriber gets the newest entries since the last batch, decoded from the ring once. */
  #deliverBatch(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    this.#closeSegment();
    const produced = this.#seq - this.#deliveredSeq;
    if (produced === 0 || this.#subscribers.size === 0) return;
    const largest = Math.max(...[...this.#subscribers].map((each) => each.maxBatchEntries));
    const newest = this.recent({ afterSeq: this.#deliveredSeq, limit: largest });
    // Only a sampled batch can have left app lines out; they are looked up without decoding the rest.
    const appLines = produced > newest.length ? this.recent({ afterSeq: this.#deliveredSeq, sources: ['app'], limit: largest }) : [];
    this.#deliveredSeq = this.#seq;
    for (const subscriber of [...this.#subscribers]) {
      const entries = withAppLines(
        newest.length > subscriber.maxBatchEntries ? newest.slice(newest.length - subscriber.maxBatchEntries) : newest,
        appLines,
        subscriber.maxBatchEntries,
      );
      try {
        subscriber.listener({ entries, skipped: produced - entries.length });
      } catch (error) {
        // Removed, so that a broken view cannot turn every batch into another error entry.
        this.#subscribers.delete(subscriber);
        this.log('app', 'error', `A log view failed and stopped receiving logs: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  #fileFor(source: LogSource): RotatingFile {
    let file = this.#files.get(source);
    if (!file) {
      file = new RotatingFile({
        dir: this.#options.logsDir,
        name: source,
        maxBytes: this.#options.fileMaxBytes,
        count: this.#options.fileCount,
        highWaterMark: FILE_HIGH_WATER_MARK,
        retryDelayMs: this.#options.fileRetryDelayMs,
        clock: this.#options.clock,
        onFailureChange: (failure) => this.#reportFileFailure(source, failure),
      });
      this.#files.set(source, file);
    }
    return file;
  }

  #reportFileFailure(source: LogSource, failure: LogFileError | null): void {
    const file = this.#files.get(source)!;
    if (failure) {
      this.log(
        'app',
        'error',
        `Cannot write the ${source} log file ${file.path}: ${failure.message}. New ${source} log lines are kept in memory only until writing works again; free disk space or make the folder writable.`,
        { file: file.path, code: failure.code },
      );
    } else {
      this.log('app', 'info', `Writing the ${source} log file ${file.path} works again.`, { file: file.path, lostBytes: file.status().lostBytes });
    }
  }
}

/**
 * Frees the memory of a chunk read from a child's pipe. Node allocates a buffer of its own for
 * each read (up to 64 KiB) and V8 collects it late: in a flood, tens of MiB of read buffers the
 * pipeline had long copied from stayed resident until the next garbage collection (the peak RSS
 * before and after is in docs/BENCHMARKS.md, "How the log pipeline works now"). Transferring the buffer away
 * detaches it and frees its memory now. Only for sinks told that their chunks are their own
 * (`LaunchedProcess.ownChunks`); even then a view that does not start its buffer is left alone.
 */
function releaseChunk(chunk: Buffer): void {
  const memory = chunk.buffer;
  if (!(memory instanceof ArrayBuffer) || chunk.byteOffset !== 0 || memory.detached) return;
  try {
    memory.transfer(0);
  } catch {
    // Not detachable (WebAssembly memory, for one): it stays until collected, as before.
  }
}

/** The level of a decoded line, as `parseLine` reads it. */
const levelOf = (text: string, stream: 'stdout' | 'stderr'): LogLevel =>
  text.charCodeAt(0) === 0x7b ? parseLine(text, stream).level : levelFromText(text, stream);

/**
 * A sampled batch, with every app entry older than it put back in front: the app's own lines
 * (runner started, exited, configuration changed) are never sampled away in a flood of child
 * output. Bounded even if the app itself floods.
 */
function withAppLines(sampled: LogEntry[], appLines: readonly LogEntry[], keep: number): LogEntry[] {
  const firstSeq = sampled[0]?.seq ?? Number.POSITIVE_INFINITY;
  const older = appLines.filter((entry) => entry.seq < firstSeq).slice(-keep);
  return older.length === 0 ? sampled : [...older, ...sampled];
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as Partial<T>;
}

import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import {
  LOG_LEVEL_RANK,
  type LogBatch,
  type LogEntry,
  type LogFileError,
  type LogLevel,
  type LogPipelineStatus,
  type LogSource,
  type LogStream,
} from '../../shared/logs.ts';
import { hasControlBytes, neutralizeControls, neutralizeValue } from './control-chars.ts';
import { fileLineTag } from './format.ts';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, truncationMarker } from './line-splitter.ts';
import { Redactor } from './redactor.ts';
import { RingBuffer } from './ring-buffer.ts';
import { RotatingFile } from './rotating-file.ts';
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
   * Called synchronously with every entry (for example to echo logs to stdout with
   * `formatLogJson`); it runs on the hot path, so it should be quick.
   */
  onEntry?: (entry: LogEntry) => void;
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
  /** At most this many entries per batch: the newest ones; the batch counts the rest as skipped. */
  maxBatchEntries?: number;
}

export interface RecentFilter {
  source?: LogSource;
  /** Only entries at this level or more severe. */
  minLevel?: LogLevel;
  /** Only entries newer than this sequence number. */
  afterSeq?: number;
  /** At most this many, the newest. */
  limit?: number;
}

interface Subscriber {
  listener: (batch: LogBatch) => void;
  maxBatchEntries: number;
}

/** Rough in-memory cost of an entry beyond its text: the object, its timestamp and the ring slot. */
const ENTRY_OVERHEAD_BYTES = 96;
const NEWLINE = /\n/g;
const ESC = 0x1b;
const LONE_ESCAPES = /[\u001b\u009b]/g;

/**
 * The one way logs flow: child process output and the app's own messages become entries that
 * are redacted, parsed, kept in a bounded ring, written to a rotating file per source and handed
 * to subscribers in batches.
 *
 * Lines are split exactly (see LineSplitter); ANSI escape sequences are stripped, not rendered;
 * a line over `maxLineBytes` ends with `… [truncated N bytes]`.
 *
 * The file never drops a line: when the disk falls behind, `input` streams stop accepting data
 * until it catches up, which pauses the child's pipe. Subscribers may miss lines in a flood
 * (each batch says how many); the ring keeps only the newest.
 */
export class LogPipeline {
  readonly redactor: Redactor;
  readonly #options: Required<Omit<LogPipelineOptions, 'redactor' | 'onEntry'>> & Pick<LogPipelineOptions, 'onEntry'>;
  readonly #ring: RingBuffer<LogEntry>;
  readonly #files = new Map<LogSource, RotatingFile>();
  readonly #openSplitters = new Set<LineSplitter>();
  readonly #subscribers = new Set<Subscriber>();
  #seq = 0;
  #lastMillis = Number.NaN;
  #lastTs = '';
  #headsTs = '';
  /** Scratch space for `#acceptCleanLines`, reused so a flood allocates no array per chunk. */
  readonly #levels: LogLevel[] = [];
  readonly #heads = new Map<string, string>();
  /** Entries waiting for the next batch: at most about twice the largest subscriber's batch. */
  #batch: LogEntry[] = [];
  #batchCapacity = 0;
  /** Entries produced since the last batch, including those trimmed from `#batch`. */
  #batchProduced = 0;
  #batchTimer: NodeJS.Timeout | undefined;

  constructor(options: LogPipelineOptions) {
    this.redactor = options.redactor ?? new Redactor();
    this.#options = { ...LOG_PIPELINE_DEFAULTS, clock: Date.now, ...withoutUndefined(options), logsDir: options.logsDir };
    this.#ring = new RingBuffer({ maxEntries: this.#options.ringMaxEntries, maxBytes: this.#options.ringMaxBytes });
  }

  /**
   * A sink for one output stream of a child process: `child.stdout.pipe(pipeline.input('runner', 'stdout'))`.
   * Ending it (as `pipe` does when the child exits) keeps a last line that had no newline.
   * Use one sink per stream per process.
   */
  input(source: LogSource, stream: 'stdout' | 'stderr'): Writable {
    // Decided once per chunk, not per line: all lines of a chunk arrived at the same moment,
    // and most chunks hold nothing to strip or redact.
    let ts = '';
    let chunkNeedsScrub = true;
    const splitter = new LineSplitter({
      maxLineBytes: this.#options.maxLineBytes,
      onLine: (line, droppedBytes, spansChunks) =>
        this.#acceptLine(source, stream, ts || this.#timestamp(), line, droppedBytes, chunkNeedsScrub || spansChunks),
      onLines: (lines, text) => {
        if (chunkNeedsScrub) for (const line of lines) this.#acceptLine(source, stream, ts, line, 0, true);
        else this.#acceptCleanLines(source, stream, ts, lines, text);
      },
    });
    this.#openSplitters.add(splitter);
    const file = this.#fileFor(source);
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        ts = this.#timestamp();
        chunkNeedsScrub = chunk.includes(ESC) || hasControlBytes(chunk) || this.redactor.mayNeedRedaction(chunk);
        splitter.write(chunk);
        ts = '';
        file.whenDrained(() => callback());
      },
      final: (callback) => {
        this.#endSplitter(splitter);
        callback();
      },
    });
  }

  /** The app's own message. `fields` must be JSON-compatible; strings in it are redacted too. */
  log(source: LogSource, level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    // Lines stay lines in the entry (the window shows them); every other control is made visible.
    const text = this.redactor.redact(msg).split(/\r?\n/).map(neutralizeControls).join('\n');
    const safeFields = fields && Object.keys(fields).length > 0 ? (this.redactor.redactValue(fields) as Record<string, unknown>) : undefined;
    const fileBody = text.replace(NEWLINE, '\\n') + (safeFields ? ` ${JSON.stringify(safeFields)}` : '');
    this.#record(source, 'internal', this.#timestamp(), level, text, safeFields, fileBody);
  }

  /**
   * Receives batches at most every `batchIntervalMs`. Returns the function that unsubscribes.
   */
  subscribe(listener: (batch: LogBatch) => void, options: SubscribeOptions = {}): () => void {
    const subscriber: Subscriber = { listener, maxBatchEntries: Math.max(1, options.maxBatchEntries ?? 1000) };
    this.#subscribers.add(subscriber);
    this.#batchCapacity = Math.max(this.#batchCapacity, subscriber.maxBatchEntries);
    return () => {
      this.#subscribers.delete(subscriber);
      this.#batchCapacity = Math.max(0, ...[...this.#subscribers].map((each) => each.maxBatchEntries));
    };
  }

  /** Entries still in the ring buffer, oldest first. */
  recent(filter: RecentFilter = {}): LogEntry[] {
    const minRank = filter.minLevel ? LOG_LEVEL_RANK[filter.minLevel] : 0;
    const afterSeq = filter.afterSeq ?? 0;
    return this.#ring.toArray(
      (entry) => entry.seq > afterSeq && LOG_LEVEL_RANK[entry.level] >= minRank && (!filter.source || entry.source === filter.source),
      filter.limit,
    );
  }

  /** Resolves once every line received so far is on disk (or counted as lost by a failing file). */
  async flush(): Promise<void> {
    await Promise.all([...this.#files.values()].map((file) => file.flush()));
  }

  /**
   * For quitting: keeps the unfinished last line of every open input, hands subscribers their
   * last batch, and resolves once every file is flushed and closed.
   */
  async close(): Promise<void> {
    for (const splitter of [...this.#openSplitters]) this.#endSplitter(splitter);
    this.#deliverBatch();
    await Promise.all([...this.#files.values()].map((file) => file.close()));
  }

  getStatus(): LogPipelineStatus {
    return {
      ringEntries: this.#ring.size,
      ringBytes: this.#ring.bytes,
      lastSeq: this.#seq,
      files: [...this.#files].map(([source, file]) => ({ source, ...file.status() })),
    };
  }

  #endSplitter(splitter: LineSplitter): void {
    if (!this.#openSplitters.delete(splitter)) return;
    splitter.end();
  }

  #acceptLine(source: LogSource, stream: 'stdout' | 'stderr', ts: string, line: string, droppedBytes: number, needsScrub: boolean): void {
    if (needsScrub || droppedBytes > 0) {
      // A lone escape character left by an incomplete sequence goes too: whoever views the file
      // in a terminal must not have it drive their terminal.
      if (line.includes('\u001b') || line.includes('\u009b')) line = stripVTControlCharacters(line).replace(LONE_ESCAPES, '');
      line = neutralizeControls(droppedBytes > 0 ? this.redactor.redactCut(line) + truncationMarker(droppedBytes) : this.redactor.redact(line));
    }
    // Most lines are plain text: their level is all there is to parse.
    if (line.charCodeAt(0) !== 0x7b) return this.#record(source, stream, ts, levelFromText(line, stream), line, undefined, line);
    const parsed = parseLine(line, stream);
    // JSON escapes (`\u0007`, `\r`) bring back what the raw line could not hold.
    if (line.includes('\\')) {
      parsed.msg = neutralizeControls(parsed.msg);
      if (parsed.fields) parsed.fields = neutralizeValue(parsed.fields) as Record<string, unknown>;
    }
    this.#record(source, stream, ts, parsed.level, parsed.msg, parsed.fields, line);
  }

  /**
   * Lines of one chunk with nothing to strip or redact, each stored as it came. When they share
   * one level, the file gets them as one block, which costs far less than line by line.
   */
  #acceptCleanLines(source: LogSource, stream: 'stdout' | 'stderr', ts: string, lines: readonly string[], text: string): void {
    const levels = this.#levels;
    levels.length = 0;
    let uniform = true;
    for (const line of lines) {
      let level: LogLevel;
      if (line.charCodeAt(0) === 0x7b) {
        const parsed = parseLine(line, stream);
        level = parsed.level;
        this.#remember(source, stream, ts, level, parsed.msg, parsed.fields, line);
      } else {
        level = levelFromText(line, stream);
        this.#remember(source, stream, ts, level, line, undefined, line);
      }
      if (level !== levels[0] && levels.length > 0) uniform = false;
      levels.push(level);
    }
    const file = this.#fileFor(source);
    if (uniform) {
      const head = this.#fileLineHead(ts, levels[0]!, stream);
      file.appendLines(`${head}${text.replaceAll('\n', `\n${head}`)}\n`);
    } else {
      for (let index = 0; index < lines.length; index++) file.appendLine(this.#fileLineHead(ts, levels[index]!, stream), lines[index]!);
    }
  }

  /** `fileBody` is the entry as one line of text: the redacted original line for child output. */
  #record(
    source: LogSource,
    stream: LogStream,
    ts: string,
    level: LogLevel,
    msg: string,
    fields: Record<string, unknown> | undefined,
    fileBody: string,
  ): void {
    this.#remember(source, stream, ts, level, msg, fields, fileBody);
    this.#fileFor(source).appendLine(this.#fileLineHead(ts, level, stream), fileBody);
  }

  /** Everything `#record` does but writing the file: the ring, the subscribers, the hook. */
  #remember(
    source: LogSource,
    stream: LogStream,
    ts: string,
    level: LogLevel,
    msg: string,
    fields: Record<string, unknown> | undefined,
    fileBody: string,
  ): void {
    const entry: LogEntry = fields
      ? { seq: ++this.#seq, ts, source, stream, level, msg, fields }
      : { seq: ++this.#seq, ts, source, stream, level, msg };
    this.#ring.push(entry, ENTRY_OVERHEAD_BYTES + fileBody.length * (fields ? 4 : 2));
    if (this.#subscribers.size > 0) this.#queueForBatch(entry);
    this.#options.onEntry?.(entry);
  }

  /** `ts` and the level and stream tag, made once per timestamp and tag rather than once per line. */
  #fileLineHead(ts: string, level: LogLevel, stream: LogStream): string {
    if (ts !== this.#headsTs) {
      this.#headsTs = ts;
      this.#heads.clear();
    }
    const tag = fileLineTag(level, stream);
    let head = this.#heads.get(tag);
    if (head === undefined) {
      head = ts + tag;
      this.#heads.set(tag, head);
    }
    return head;
  }

  #timestamp(): string {
    const now = this.#options.clock();
    if (now !== this.#lastMillis) {
      this.#lastMillis = now;
      this.#lastTs = new Date(now).toISOString();
    }
    return this.#lastTs;
  }

  #queueForBatch(entry: LogEntry): void {
    this.#batch.push(entry);
    this.#batchProduced++;
    if (this.#batch.length >= 2 * this.#batchCapacity) this.#batch.splice(0, this.#batch.length - this.#batchCapacity);
    if (!this.#batchTimer) {
      this.#batchTimer = setTimeout(() => this.#deliverBatch(), this.#options.batchIntervalMs);
      this.#batchTimer.unref();
    }
  }

  #deliverBatch(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    const batch = this.#batch;
    const produced = this.#batchProduced;
    this.#batch = [];
    this.#batchProduced = 0;
    if (produced === 0) return;
    for (const subscriber of [...this.#subscribers]) {
      const entries = batch.length > subscriber.maxBatchEntries ? batch.slice(batch.length - subscriber.maxBatchEntries) : batch;
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

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as Partial<T>;
}

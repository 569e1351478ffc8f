import type { Redactor } from '../../lib/redactor.ts';
import type { LogEntry, LogLevel, LogSource } from '../../shared/logs.ts';
import { scrubText, scrubValue } from './scrub.ts';
import { parseBody } from './structured.ts';

/**
 * Child output is kept as the bytes written to its log file, one `LineRecord` per chunk, and
 * decoded into entries only when someone reads them (the window's batches, `recent`): a flood
 * makes no JavaScript object per line.
 */

/** `2025-01-01T10:00:00.000Z` */
export const TS_CHARS = 24;
/** A file line's head: the timestamp and ` INFO  stdout ` (fixed-width level and stream). */
export const HEAD_BYTES = TS_CHARS + 14;
const LF = 0x0a;

/** The level of a file line from the first letter of its level label, which tells them apart. */
const LEVEL_BY_INITIAL: Readonly<Record<number, LogLevel>> = { 0x54: 'trace', 0x44: 'debug', 0x49: 'info', 0x57: 'warn', 0x45: 'error', 0x46: 'fatal' };

export const levelOfFileLine = (bytes: Buffer, lineStart: number): LogLevel => LEVEL_BY_INITIAL[bytes[lineStart + TS_CHARS + 1]!]!;

/** Lines of one chunk of a child's output, exactly as written to its file: head, body, `\n` each. */
export class LineRecord {
  readonly kind = 'lines';
  readonly firstSeq: number;
  readonly count: number;
  readonly ts: string;
  readonly source: LogSource;
  readonly stream: 'stdout' | 'stderr';
  readonly bytes: Buffer;
  /** Called when the ring lets go of it: `bytes` may then be reused. */
  readonly release: () => void;
  /** Scrubs what a JSON line's escapes decode to, with the keys known when it is read. */
  readonly #redactor: Redactor;

  constructor(
    firstSeq: number,
    count: number,
    ts: string,
    source: LogSource,
    stream: 'stdout' | 'stderr',
    bytes: Buffer,
    release: () => void,
    redactor: Redactor,
  ) {
    this.firstSeq = firstSeq;
    this.count = count;
    this.ts = ts;
    this.source = source;
    this.stream = stream;
    this.bytes = bytes;
    this.release = release;
    this.#redactor = redactor;
  }

  /** The entry of the line `bytes[lineStart, newline)`, numbered `seq`. */
  entryAt(lineStart: number, newline: number, seq: number): LogEntry {
    const level = levelOfFileLine(this.bytes, lineStart);
    const body = this.bytes.toString('utf8', lineStart + HEAD_BYTES, newline);
    const base = { seq, ts: this.ts, source: this.source, stream: this.stream, level };
    if (body.charCodeAt(0) !== 0x7b) return { ...base, msg: body };
    const parsed = parseBody(body);
    // JSON escapes bring back what the raw line, scrubbed as it was, could not hold: a key
    // (`\u0073k-ant-…`), a control (`\u001b`, `\r`), a separator (`\u2028`). What they decode to
    // is scrubbed as a raw line is. Without an escape, every string is a piece of the raw line.
    const escaped = body.includes('\\');
    const msg = escaped ? scrubText(this.#redactor, parsed.msg) : parsed.msg;
    if (!parsed.fields) return { ...base, msg };
    return { ...base, msg, fields: escaped ? (scrubValue(this.#redactor, parsed.fields) as Record<string, unknown>) : parsed.fields };
  }

  /** Every entry, oldest first. */
  entries(): LogEntry[] {
    const entries: LogEntry[] = [];
    let lineStart = 0;
    for (let index = 0; index < this.count; index++) {
      const newline = this.bytes.indexOf(LF, lineStart + HEAD_BYTES);
      entries.push(this.entryAt(lineStart, newline, this.firstSeq + index));
      lineStart = newline + 1;
    }
    return entries;
  }
}

/** One of the app's own messages, kept as the entry it is, with its estimated cost in memory. */
export interface EntryRecord {
  readonly kind: 'entry';
  readonly entry: LogEntry;
  readonly cost: number;
}

export type LogRecord = LineRecord | EntryRecord;

export const entriesOf = (record: LogRecord): LogEntry[] => (record.kind === 'lines' ? record.entries() : [record.entry]);

/** A line seen by `LineRing.walk`: decoded only if `entry()` is called. */
export interface RingLine {
  readonly seq: number;
  readonly source: LogSource;
  readonly level: LogLevel;
  entry(): LogEntry;
}

/**
 * The newest lines, bounded in count and in bytes (a line costs its file bytes; an app message
 * its estimate). Whole records are kept and dropped, so at most one record's worth more is held
 * than is visible; reads see exactly the newest lines within both bounds.
 */
export class LineRing {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #records: LogRecord[] = [];
  /** Index of the oldest record still kept. */
  #head = 0;
  #lines = 0;
  #bytes = 0;

  constructor(options: { maxEntries: number; maxBytes: number }) {
    if (!(options.maxEntries >= 1) || !(options.maxBytes >= 1)) throw new RangeError('A log ring needs room for at least one entry and one byte');
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
  }

  push(record: LogRecord): void {
    this.#records.push(record);
    this.#lines += countOf(record);
    this.#bytes += costOf(record);
    while (this.#records.length - this.#head > 1) {
      const oldest = this.#records[this.#head]!;
      if (this.#lines - countOf(oldest) < this.#maxEntries && this.#bytes - costOf(oldest) < this.#maxBytes) break;
      this.#records[this.#head++] = undefined as unknown as LogRecord;
      this.#lines -= countOf(oldest);
      this.#bytes -= costOf(oldest);
      if (oldest.kind === 'lines') oldest.release();
    }
    if (this.#head > 1024) {
      this.#records = this.#records.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The visible lines and their bytes. */
  status(): { entries: number; bytes: number } {
    let entries = 0;
    let bytes = 0;
    this.walk((_line, cost) => {
      entries++;
      bytes += cost;
      return true;
    });
    return { entries, bytes };
  }

  /**
   * Visits the visible lines newest first, until `visit` returns false. A line larger than the
   * byte bound on its own is not visible.
   */
  walk(visit: (line: RingLine, cost: number) => boolean): void {
    let entries = 0;
    let bytes = 0;
    for (let index = this.#records.length - 1; index >= this.#head; index--) {
      const record = this.#records[index]!;
      if (record.kind === 'entry') {
        if (record.cost > this.#maxBytes) continue;
        if (entries === this.#maxEntries || bytes + record.cost > this.#maxBytes) return;
        entries++;
        bytes += record.cost;
        const { entry } = record;
        if (!visit({ seq: entry.seq, source: entry.source, level: entry.level, entry: () => entry }, record.cost)) return;
        continue;
      }
      let newline = record.bytes.length - 1;
      for (let offset = record.count - 1; offset >= 0; offset--) {
        const lineStart = offset === 0 ? 0 : record.bytes.lastIndexOf(LF, newline - 1) + 1;
        const cost = newline - lineStart + 1;
        if (cost <= this.#maxBytes) {
          if (entries === this.#maxEntries || bytes + cost > this.#maxBytes) return;
          entries++;
          bytes += cost;
          const end = newline;
          const seq = record.firstSeq + offset;
          const line: RingLine = {
            seq,
            source: record.source,
            level: levelOfFileLine(record.bytes, lineStart),
            entry: () => record.entryAt(lineStart, end, seq),
          };
          if (!visit(line, cost)) return;
        }
        newline = lineStart - 1;
      }
    }
  }
}

const countOf = (record: LogRecord): number => (record.kind === 'lines' ? record.count : 1);
const costOf = (record: LogRecord): number => (record.kind === 'lines' ? record.bytes.length : record.cost);

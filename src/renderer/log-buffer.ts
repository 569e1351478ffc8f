import { LOG_LEVEL_RANK, type LogEntry, type LogLevel, type LogSource } from '../shared/logs.ts';

/** The most lines the window keeps; older ones are dropped first. */
export const LOG_BUFFER_CAPACITY = 100_000;

export interface LogViewFilter {
  sources: ReadonlySet<LogSource>;
  minLevel: LogLevel;
  /** Case-insensitive substring; empty matches everything. */
  text: string;
}

/** A structured line's other fields (`{"provider":"ollama",…}`), or '' for a plain line. */
export const formatLogFields = (entry: LogEntry): string => (entry.fields && Object.keys(entry.fields).length > 0 ? JSON.stringify(entry.fields) : '');

export function matchesFilter(entry: LogEntry, filter: LogViewFilter): boolean {
  if (!filter.sources.has(entry.source)) return false;
  if (LOG_LEVEL_RANK[entry.level] < LOG_LEVEL_RANK[filter.minLevel]) return false;
  if (filter.text === '') return true;
  const needle = filter.text.toLowerCase();
  return entry.msg.toLowerCase().includes(needle) || formatLogFields(entry).toLowerCase().includes(needle);
}

/**
 * The window's log lines, bounded. Lines are numbered by arrival (`absolute` index) so a
 * filtered view can stay in step without copying the whole buffer on every batch.
 */
export class LogBuffer {
  readonly capacity: number;
  #entries: LogEntry[] = [];
  /** Lines dropped from the front to stay within capacity. */
  #dropped = 0;
  /** Lines the main side left out (sampling), summed over batches. */
  #skippedByHost = 0;
  #lastSeq = -1;

  constructor(capacity = LOG_BUFFER_CAPACITY) {
    this.capacity = capacity;
  }

  get entries(): readonly LogEntry[] {
    return this.#entries;
  }
  get dropped(): number {
    return this.#dropped;
  }
  get skippedByHost(): number {
    return this.#skippedByHost;
  }
  /** The absolute index one past the newest line. */
  get end(): number {
    return this.#dropped + this.#entries.length;
  }

  /** Adds a batch; a line already seen (same or older `seq`, e.g. from a replay) is ignored. */
  append(entries: readonly LogEntry[], skipped: number): void {
    this.#skippedByHost += skipped;
    for (const entry of entries) {
      if (entry.seq <= this.#lastSeq) continue;
      this.#lastSeq = entry.seq;
      this.#entries.push(entry);
    }
    // Drop in chunks of a tenth, so a full buffer is not shifted on every line.
    if (this.#entries.length > this.capacity) {
      const excess = this.#entries.length - this.capacity + Math.floor(this.capacity / 10);
      this.#entries.splice(0, excess);
      this.#dropped += excess;
    }
  }

  at(absolute: number): LogEntry | undefined {
    return this.#entries[absolute - this.#dropped];
  }
}

/** The lines of a buffer that pass a filter, updated incrementally as lines arrive. */
export class FilteredLogView {
  #filter: LogViewFilter;
  /** Absolute indexes into the buffer. */
  #matches: number[] = [];
  #scannedTo = 0;
  #droppedSeen = 0;

  constructor(filter: LogViewFilter) {
    this.#filter = filter;
  }

  setFilter(filter: LogViewFilter): void {
    this.#filter = filter;
    this.#matches = [];
    this.#scannedTo = 0;
  }

  /** Brings the view up to date with the buffer and returns the matching lines' indexes. */
  sync(buffer: LogBuffer): readonly number[] {
    if (buffer.dropped !== this.#droppedSeen) {
      this.#droppedSeen = buffer.dropped;
      const firstKept = this.#matches.findIndex((index) => index >= buffer.dropped);
      this.#matches = firstKept === -1 ? [] : this.#matches.slice(firstKept);
    }
    for (let index = Math.max(this.#scannedTo, buffer.dropped); index < buffer.end; index++) {
      const entry = buffer.at(index);
      if (entry && matchesFilter(entry, this.#filter)) this.#matches.push(index);
    }
    this.#scannedTo = buffer.end;
    return this.#matches;
  }
}

/** One line as copied to the clipboard. */
export function formatLogLine(entry: LogEntry): string {
  const fields = formatLogFields(entry);
  return `${entry.ts} ${entry.source.padEnd(6)} ${entry.level.toUpperCase().padEnd(5)} ${entry.msg}${fields ? ` ${fields}` : ''}`;
}

import { LOG_LEVEL_RANK, type LogEntry, type LogLevel, type LogSource } from '../shared/logs.ts';
import { TracebackGrouper, type GroupedLine, type LogGroup } from './traceback-groups.ts';

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

/** A traceback is one error entry, whatever the level of each of its lines. */
const GROUP_LEVEL: LogLevel = 'error';

/**
 * The lines of a buffer that pass a filter, updated incrementally as lines arrive. A traceback
 * is one entry (its first line's index) that passes when any of its lines matches the text.
 */
export class FilteredLogView {
  #filter: LogViewFilter;
  /** Absolute indexes into the buffer, ascending. */
  #matches: number[] = [];
  #scannedTo = 0;
  #droppedSeen = 0;
  #grouper = new TracebackGrouper();
  /** Group heads already in `#matches`. */
  #shownHeads = new Set<number>();

  constructor(filter: LogViewFilter) {
    this.#filter = filter;
  }

  setFilter(filter: LogViewFilter): void {
    this.#filter = filter;
    this.#matches = [];
    this.#scannedTo = 0;
    this.#grouper = new TracebackGrouper();
    this.#shownHeads = new Set();
  }

  /** Brings the view up to date with the buffer and returns the matching entries' indexes. */
  sync(buffer: LogBuffer): readonly number[] {
    if (buffer.dropped !== this.#droppedSeen) {
      this.#droppedSeen = buffer.dropped;
      const firstKept = this.#matches.findIndex((index) => index >= buffer.dropped);
      this.#matches = firstKept === -1 ? [] : this.#matches.slice(firstKept);
      this.#grouper.prune(buffer.dropped);
      for (const head of this.#shownHeads) if (head < buffer.dropped) this.#shownHeads.delete(head);
    }
    for (let index = Math.max(this.#scannedTo, buffer.dropped); index < buffer.end; index++) {
      const entry = buffer.at(index);
      if (!entry) continue;
      const line = this.#grouper.add(index, entry);
      if (line.kind === 'plain') {
        if (matchesFilter(entry, this.#filter)) this.#matches.push(index);
      } else if (!this.#shownHeads.has(line.group.head) && matchesFilter({ ...entry, level: GROUP_LEVEL }, this.#filter)) {
        this.#showHead(line.group.head);
      }
    }
    this.#scannedTo = buffer.end;
    return this.#matches;
  }

  /** How a line is grouped: a traceback's head, one of its folded lines, or a plain line. */
  lineAt(index: number): GroupedLine {
    return this.#grouper.lineAt(index);
  }

  /**
   * The rows to draw: the matching entries, with the lines of each unfolded traceback after
   * its head. Without unfolded tracebacks this is `matches` itself, not a copy.
   */
  rows(matches: readonly number[], unfolded: ReadonlySet<number>, firstKept: number): readonly number[] {
    if (unfolded.size === 0) return matches;
    const rows: number[] = [];
    for (const index of matches) {
      rows.push(index);
      const line = unfolded.has(index) ? this.#grouper.lineAt(index) : undefined;
      if (line?.kind === 'head') for (const member of line.group.members) if (member >= firstKept) rows.push(member);
    }
    return rows;
  }

  /** A head is shown once any of its lines matches; lines of other entries may have come since. */
  #showHead(head: number): void {
    this.#shownHeads.add(head);
    let position = this.#matches.length;
    while (position > 0 && this.#matches[position - 1]! > head) position--;
    this.#matches.splice(position, 0, head);
  }
}

/** The text a traceback's row shows: its final `…Error: …` line once it has arrived. */
export function groupSummary(buffer: LogBuffer, group: LogGroup): LogEntry | undefined {
  return buffer.at(group.summary ?? group.head);
}

/** One line as copied to the clipboard. */
export function formatLogLine(entry: LogEntry): string {
  const fields = formatLogFields(entry);
  return `${entry.ts} ${entry.source.padEnd(6)} ${entry.level.toUpperCase().padEnd(5)} ${entry.msg}${fields ? ` ${fields}` : ''}`;
}

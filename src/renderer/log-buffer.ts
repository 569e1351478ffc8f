import { formatLogFields, logMatcher, type LogMatcher } from '../shared/log-filter.ts';
import type { LogEntry, LogLevel, LogSource } from '../shared/logs.ts';
import { TracebackGrouper, type GroupedLine, type LogGroup } from './traceback-groups.ts';

/** The most lines the window keeps; older ones are dropped first. */
export const LOG_BUFFER_CAPACITY = 100_000;

export interface LogViewFilter {
  sources: ReadonlySet<LogSource>;
  minLevel: LogLevel;
  /** Case-insensitive substring; empty matches everything. */
  text: string;
}

/** Where lines the window was not sent (sampled away in a flood) belong; opening it loads them from the files. */
export interface LogGap {
  /** The entries on either side (`seq`), and how many lines are missing between them. */
  afterSeq: number;
  beforeSeq: number;
  missing: number;
  /** Their timestamps bound the time window to read from the files. */
  fromTs: string;
  toTs: string;
  loading: boolean;
  error: string | null;
}

/** A line of the window: a log entry, or the marker of a gap (`gap` set). */
export type ViewEntry = LogEntry & { gap?: LogGap };

/** A line read back from the files: an entry without `seq`. */
export type LoadedLine = Omit<LogEntry, 'seq'>;

const sameLine = (entry: LoadedLine) => `${entry.source}\u0000${entry.ts}\u0000${entry.msg}`;

/**
 * Removes from `lines` those the buffer already holds: a file window includes the boundary
 * timestamps, and the lines at exactly those milliseconds may be on either side of it.
 */
function withoutKnown(lines: readonly LoadedLine[], known: readonly LogEntry[]): LoadedLine[] {
  const counts = new Map<string, number>();
  for (const entry of known) counts.set(sameLine(entry), (counts.get(sameLine(entry)) ?? 0) + 1);
  return lines.filter((line) => {
    const left = counts.get(sameLine(line)) ?? 0;
    if (left === 0) return true;
    counts.set(sameLine(line), left - 1);
    return false;
  });
}

/**
 * The window's log lines, bounded. Lines are numbered by arrival (`absolute` index) so a
 * filtered view can stay in step without copying the whole buffer on every batch. A gap in
 * the `seq` numbers becomes a gap marker; lines loaded from the files replace a marker or
 * go before the oldest line, and bump `generation` so views start over.
 */
export class LogBuffer {
  readonly capacity: number;
  #entries: ViewEntry[] = [];
  /** Lines dropped from the front to stay within capacity, less lines loaded in front. */
  #dropped = 0;
  /** Lines the main side left out (sampling), summed over batches. */
  #skippedByHost = 0;
  #lastSeq = -1;
  #generation = 0;
  #markers = 0;
  #missing = 0;
  /** Whether the files may hold lines older than the oldest one here. */
  olderInFiles = true;

  constructor(capacity = LOG_BUFFER_CAPACITY) {
    this.capacity = capacity;
  }

  get entries(): readonly ViewEntry[] {
    return this.#entries;
  }
  get dropped(): number {
    return this.#dropped;
  }
  get skippedByHost(): number {
    return this.#skippedByHost;
  }
  /** Changes when lines are inserted other than at the end, which renumbers them. */
  get generation(): number {
    return this.#generation;
  }
  /** Gap markers held, and the lines they stand for (not loaded yet). */
  get markers(): number {
    return this.#markers;
  }
  get missing(): number {
    return this.#missing;
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
      const previous = this.#entries.at(-1);
      if (previous && entry.seq > this.#lastSeq + 1) this.#pushMarker(gapMarker(previous, entry, this.#lastSeq));
      this.#lastSeq = entry.seq;
      this.#entries.push(entry);
    }
    this.#trim();
  }

  at(absolute: number): ViewEntry | undefined {
    return this.#entries[absolute - this.#dropped];
  }

  /** Replaces the gap marker at `absolute` with the lines loaded for it, and a marker for the rest if there is more. */
  fillGap(absolute: number, loaded: readonly LoadedLine[], more: boolean): void {
    const position = absolute - this.#dropped;
    const gap = this.#entries[position]?.gap;
    if (!gap) return;
    const around = (from: number, step: number, ts: string) => {
      const found: ViewEntry[] = [];
      for (let at = from; at >= 0 && at < this.#entries.length && this.#entries[at]!.ts === ts; at += step) found.push(this.#entries[at]!);
      return found;
    };
    const lines = withoutKnown(loaded, [...around(position - 1, -1, gap.fromTs), ...around(position + 1, 1, gap.toTs)]);
    // Files keep no seq: loaded lines get numbers between the gap's neighbours, in order.
    const slots = lines.length + (more ? 2 : 1);
    const step = (gap.beforeSeq - gap.afterSeq) / slots;
    const filled: ViewEntry[] = lines.map((line, index) => ({ ...line, seq: gap.afterSeq + step * (index + 1) }));
    const last = filled.at(-1);
    if (more && last) {
      const rest = Math.max(1, gap.missing - lines.length);
      filled.push({
        ...markerFields(rest, gap.toTs),
        seq: last.seq + step,
        gap: { ...gap, afterSeq: last.seq, missing: rest, fromTs: last.ts, loading: false, error: null },
      });
      this.#markers++;
      this.#missing += rest;
    }
    this.#markers--;
    this.#missing -= gap.missing;
    this.#entries.splice(position, 1, ...filled);
    this.#generation++;
    this.#trim();
  }

  /**
   * The lines that share the oldest line's timestamp. A read of the files up to that timestamp
   * returns them too (a timestamp is not unique: a fast runner writes thousands of lines in one
   * millisecond), so it must ask for that many more to get any older line.
   */
  oldestMillisecond(): ViewEntry[] {
    const first = this.#entries[0];
    const same: ViewEntry[] = [];
    for (const entry of this.#entries) {
      if (entry.ts !== first!.ts) break;
      same.push(entry);
    }
    return same;
  }

  /** Puts lines older than the oldest one in front of it; `more` says the files hold older ones still. */
  prependOlder(loaded: readonly LoadedLine[], more: boolean): void {
    const first = this.#entries[0];
    this.olderInFiles = more;
    if (!first) return;
    const lines = withoutKnown(loaded, this.oldestMillisecond());
    if (lines.length === 0) {
      // Nothing new came back: asking again would only repeat the same answer.
      this.olderInFiles = false;
      return;
    }
    this.#entries.unshift(...lines.map((line, index) => ({ ...line, seq: first.seq - (lines.length - index) })));
    this.#dropped -= lines.length;
    this.#generation++;
  }

  #pushMarker(marker: ViewEntry): void {
    this.#entries.push(marker);
    this.#markers++;
    this.#missing += marker.gap!.missing;
  }

  // Drop in chunks of a tenth, so a full buffer is not shifted on every line.
  #trim(): void {
    if (this.#entries.length <= this.capacity) return;
    const excess = this.#entries.length - this.capacity + Math.floor(this.capacity / 10);
    for (const removed of this.#entries.splice(0, excess)) {
      if (!removed.gap) continue;
      this.#markers--;
      this.#missing -= removed.gap.missing;
    }
    this.#dropped += excess;
    this.olderInFiles = true;
  }
}

function markerFields(missing: number, ts: string): Omit<LogEntry, 'seq'> {
  const lines = missing === 1 ? '1 line' : `${missing.toLocaleString('en-US')} lines`;
  return { ts, source: 'app', stream: 'internal', level: 'warn', msg: `${lines} skipped here to keep up` };
}

function gapMarker(previous: LogEntry, next: LogEntry, lastSeq: number): ViewEntry {
  const missing = next.seq - lastSeq - 1;
  return {
    ...markerFields(missing, next.ts),
    // Unique and in order: no real entry has a number between the two.
    seq: lastSeq + 0.5,
    gap: { afterSeq: lastSeq, beforeSeq: next.seq, missing, fromTs: previous.ts, toTs: next.ts, loading: false, error: null },
  };
}

/** A traceback is one error entry, whatever the level of each of its lines. */
const GROUP_LEVEL: LogLevel = 'error';

/**
 * The lines of a buffer that pass a filter, updated incrementally as lines arrive. A traceback
 * is one entry (its first line's index) that passes when any of its lines matches the text.
 */
export class FilteredLogView {
  #filter: LogViewFilter;
  #matcher: LogMatcher;
  /** Absolute indexes into the buffer, ascending. */
  #matches: number[] = [];
  /** Absolute indexes can be negative once older lines are loaded in front. */
  #scannedTo = Number.NEGATIVE_INFINITY;
  #droppedSeen = 0;
  #generationSeen = 0;
  #grouper = new TracebackGrouper();
  /** Group heads already in `#matches`. */
  #shownHeads = new Set<number>();

  constructor(filter: LogViewFilter) {
    this.#filter = filter;
    this.#matcher = logMatcher(filter);
  }

  setFilter(filter: LogViewFilter): void {
    this.#filter = filter;
    this.#matcher = logMatcher(filter);
    this.#matches = [];
    this.#scannedTo = Number.NEGATIVE_INFINITY;
    this.#grouper = new TracebackGrouper();
    this.#shownHeads = new Set();
  }

  /** Brings the view up to date with the buffer and returns the matching entries' indexes. */
  sync(buffer: LogBuffer): readonly number[] {
    if (buffer.generation !== this.#generationSeen) {
      this.#generationSeen = buffer.generation;
      this.setFilter(this.#filter);
      this.#droppedSeen = buffer.dropped;
    }
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
      // A gap may hold exactly the line the filter is for: its marker is always shown.
      if (entry.gap) {
        this.#matches.push(index);
        continue;
      }
      const line = this.#grouper.add(index, entry);
      if (line.kind === 'plain') {
        if (this.#matcher.matches(entry)) this.#matches.push(index);
      } else if (!this.#shownHeads.has(line.group.head) && this.#matcher.matches({ ...entry, level: GROUP_LEVEL })) {
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
   * The rows to draw: the matching entries, with the lines of each unfolded traceback (by the
   * `seq` of its head, which survives renumbering) after its head. Without unfolded tracebacks this is `matches` itself, not a copy.
   */
  rows(buffer: LogBuffer, matches: readonly number[], unfolded: ReadonlySet<number>): readonly number[] {
    if (unfolded.size === 0) return matches;
    const rows: number[] = [];
    for (const index of matches) {
      rows.push(index);
      const line = unfolded.has(buffer.at(index)?.seq ?? Number.NaN) ? this.#grouper.lineAt(index) : undefined;
      if (line?.kind === 'head') for (const member of line.group.members) if (member >= buffer.dropped) rows.push(member);
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

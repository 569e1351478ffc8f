import type { LogEntry } from '../shared/logs.ts';

/**
 * Python tracebacks as one log entry: `Traceback (most recent call last):`, its indented frame
 * lines, and the final `SomethingError: …` line (chained tracebacks included) are folded into
 * the line that starts them. Only the window groups: the files keep every line as written.
 */
export interface LogGroup {
  /** Absolute index of the `Traceback (most recent call last):` line. */
  readonly head: number;
  /** Every later line of the traceback, in order (absolute indexes). */
  readonly members: number[];
  /** The last unindented line (`ZeroDivisionError: division by zero`), once it has arrived. */
  summary: number | null;
}

const TRACEBACK_START = 'Traceback (most recent call last):';
/** What Python prints between the tracebacks of a chained exception. */
const CHAIN_LINE =
  /^(During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)$/;

interface OpenGroup {
  group: LogGroup;
  /** `frames` until the summary line; `after` while a chained traceback may still follow. */
  phase: 'frames' | 'after';
}

export type GroupedLine = { kind: 'plain' } | { kind: 'head'; group: LogGroup } | { kind: 'member'; group: LogGroup };

const PLAIN: GroupedLine = { kind: 'plain' };

/**
 * Groups lines as they arrive, per source and stream, so lines of other sources that land in
 * between (the app's "runner exited") neither break a traceback nor join it.
 */
export class TracebackGrouper {
  readonly #open = new Map<string, OpenGroup>();
  readonly #byIndex = new Map<number, GroupedLine>();
  /** Oldest first, for pruning once the buffer drops lines. */
  readonly #groups: LogGroup[] = [];

  add(index: number, entry: LogEntry): GroupedLine {
    const key = `${entry.source}:${entry.stream}`;
    const open = this.#open.get(key);
    const text = entry.msg;
    if (text === TRACEBACK_START && open === undefined) {
      const group: LogGroup = { head: index, members: [], summary: null };
      this.#groups.push(group);
      this.#open.set(key, { group, phase: 'frames' });
      return this.#remember(index, { kind: 'head', group });
    }
    if (open === undefined) return PLAIN;
    if (open.phase === 'frames') {
      // The first unindented line ends the frames: it names the exception.
      if (text !== '' && !/^\s/.test(text) && text !== TRACEBACK_START) {
        open.group.summary = index;
        open.phase = 'after';
      }
    } else if (text === TRACEBACK_START) {
      open.phase = 'frames';
    } else if (text !== '' && !CHAIN_LINE.test(text)) {
      this.#open.delete(key);
      return PLAIN;
    }
    open.group.members.push(index);
    return this.#remember(index, { kind: 'member', group: open.group });
  }

  /** How a line was grouped; lines never given to `add` (or pruned) are plain. */
  lineAt(index: number): GroupedLine {
    return this.#byIndex.get(index) ?? PLAIN;
  }

  /** Forgets groups that start before `firstKept`, the buffer's oldest line. */
  prune(firstKept: number): void {
    while (this.#groups.length > 0 && this.#groups[0]!.head < firstKept) {
      const group = this.#groups.shift()!;
      this.#byIndex.delete(group.head);
      for (const member of group.members) this.#byIndex.delete(member);
    }
    for (const [key, open] of this.#open) if (open.group.head < firstKept) this.#open.delete(key);
  }

  #remember(index: number, line: GroupedLine): GroupedLine {
    this.#byIndex.set(index, line);
    return line;
  }
}

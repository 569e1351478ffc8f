/** What each benchmark hands the runner: table rows, goal verdicts and notes, all as text. */

export interface ResultRow {
  benchmark: string;
  subject: string;
  /** The median, with its unit. */
  median: string;
  /** Everything else worth reading: the runs, ratios, checks. */
  detail: string;
}

export interface GoalCheck {
  goal: string;
  met: boolean;
  observed: string;
}

export interface Section {
  rows: ResultRow[];
  goals: GoalCheck[];
  notes: string[];
}

export const emptySection = (): Section => ({ rows: [], goals: [], notes: [] });

/** A GitHub-flavoured Markdown table, which also reads well in a terminal. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Polls `check` every `intervalMs` until it returns a value; throws naming `what` after `timeoutMs`. */
export async function waitUntil<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000, intervalMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

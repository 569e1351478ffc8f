import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { LOG_SOURCES } from '../../shared/logs.ts';
import { formatBytes, formatClock } from '../format.ts';
import { formatLogFields } from '../../shared/log-filter.ts';
import type { LoadedLine } from '../log-buffer.ts';
import { FILE_SEARCH_MAX, type FileSearch } from '../log-search.ts';
import { useStore } from '../store.ts';

/** Lines read on either side of a match when the user asks for its context. */
const CONTEXT_LINES = 10;

/** "Dec 7 14:03:27.120": the files span days, the window's clock alone would not say which. */
const formatWhen = (ts: string) => `${new Date(ts).toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${formatClock(ts)}`;

/** The status line's words for the file search, counted as the files hold them (not the window). */
export function fileSearchSummary(search: FileSearch): string {
  const count = search.matches.length.toLocaleString();
  const matches = search.matches.length === 1 ? '1 match' : `${count} matches`;
  const searched = `searched ${formatBytes(search.scannedBytes)}`;
  switch (search.status) {
    case 'searching':
      // Before the first page answers, nothing is known yet but that the search runs.
      return search.totalBytes === 0 ? 'Searching the files…' : `Searching the files… ${matches} so far (${searched} of ${formatBytes(search.totalBytes)})`;
    case 'done':
      return `${matches} in the files (${searched})`;
    case 'capped':
      return `The newest ${FILE_SEARCH_MAX.toLocaleString()} matches in the files (${searched} of ${formatBytes(search.totalBytes)}; refine the text to reach older ones)`;
    case 'failed':
      return `Could not search the files: ${search.error ?? 'unknown error'}`;
    case 'idle':
      return '';
  }
}

function MatchRow({ line }: { line: LoadedLine }) {
  const store = useStore();
  const [context, setContext] = useState<{ before: LoadedLine[]; after: LoadedLine[] } | 'loading' | string | null>(null);
  const fields = formatLogFields(line);
  const hit = useRef<HTMLDivElement>(null);
  const open = typeof context === 'object' && context !== null;
  // The lines loaded before the match push it down: it stays where the user clicked.
  useLayoutEffect(() => {
    if (open) hit.current?.scrollIntoView({ block: 'center' });
  }, [open]);
  const toggle = async () => {
    if (context !== null && context !== 'loading') return setContext(null);
    setContext('loading');
    try {
      const sources = [...LOG_SOURCES];
      const [before, after] = await Promise.all([
        store.bridge.invoke('logs:read-files', { sources, toTs: line.ts, limit: CONTEXT_LINES, end: 'newest' }),
        store.bridge.invoke('logs:read-files', { sources, fromTs: line.ts, limit: CONTEXT_LINES + 1, end: 'oldest' }),
      ]);
      const same = (other: LoadedLine) => other.ts === line.ts && other.source === line.source && other.msg === line.msg;
      setContext({ before: before.lines.filter((other) => !same(other)), after: after.lines.filter((other) => !same(other)) });
    } catch (error) {
      setContext(error instanceof Error ? error.message : String(error));
    }
  };
  const row = (entry: LoadedLine, extra = '') => (
    <div class={`log-row log-row--${entry.level} file-match${extra}`}>
      <span class="file-match__when">{formatWhen(entry.ts)}</span>
      <span class={`log-row__source log-row__source--${entry.source}`}>{entry.source}</span>
      <span class="log-row__level">{entry.level}</span>
      <span class="log-row__msg">
        {entry.msg}
        {formatLogFields(entry) ? <span class="log-row__fields"> {formatLogFields(entry)}</span> : null}
      </span>
    </div>
  );
  return (
    <li class={`file-matches__item${open ? ' file-matches__item--open' : ''}`} title={fields ? `${line.msg} ${fields}` : line.msg}>
      {typeof context === 'object' && context !== null ? context.before.map((entry) => row(entry, ' file-match--context')) : null}
      <div class="file-matches__hit" ref={hit}>
        {row(line)}
        <button type="button" class="link-button file-matches__context" aria-expanded={open} onClick={() => void toggle()}>
          {context === 'loading' ? 'Loading…' : open ? 'Hide context' : 'Context'}
        </button>
      </div>
      {typeof context === 'object' && context !== null ? context.after.map((entry) => row(entry, ' file-match--context')) : null}
      {typeof context === 'string' && context !== 'loading' ? <p class="log-row__gap-error">Could not read the log files: {context}</p> : null}
    </li>
  );
}

/** The matches found in the files, newest first, each with its date and time and its context on demand. */
export function FileMatches({ search, compact = false }: { search: FileSearch; compact?: boolean }) {
  // Keyed by what the line is, so a row keeps its open context while newer pages sort in around it.
  const seen = new Map<string, number>();
  const keyOf = (line: LoadedLine) => {
    const key = `${line.ts}\u0000${line.source}\u0000${line.msg}`;
    const count = seen.get(key) ?? 0;
    seen.set(key, count + 1);
    return `${key}\u0000${count}`;
  };
  return (
    <section class={`file-matches${compact ? ' file-matches--compact' : ''}`} aria-label="Matches in the log files">
      <p class="file-matches__caption">In the log files, newest first</p>
      <ul class="file-matches__list">
        {search.matches.map((line) => (
          <MatchRow key={keyOf(line)} line={line} />
        ))}
      </ul>
    </section>
  );
}

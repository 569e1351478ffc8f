import { useEffect, useState } from 'preact/hooks';
import { LOG_SOURCES, type LogLevel, type LogSource } from '../shared/logs.ts';
import type { Bridge } from './bridge.ts';
import type { LoadedLine } from './log-buffer.ts';

/** Matches asked for per page; a page also ends after 64 MB read (8 MB for the first), so progress shows on a big history. */
export const FILE_SEARCH_PAGE = 200;
/** The most matches kept: past this the search stops and says so (the window is not a grep). */
export const FILE_SEARCH_MAX = 1_000;
/** Typing waits this long before searching the files. */
const DEBOUNCE_MS = 250;

export interface FileSearch {
  /** The text searched for; '' when no search runs. */
  query: string;
  /** Newest first. */
  matches: LoadedLine[];
  scannedBytes: number;
  totalBytes: number;
  /** `capped`: stopped at FILE_SEARCH_MAX matches with older files not searched. */
  status: 'idle' | 'searching' | 'done' | 'capped' | 'failed';
  error: string | null;
}

const IDLE: FileSearch = { query: '', matches: [], scannedBytes: 0, totalBytes: 0, status: 'idle', error: null };

const newestFirst = (a: LoadedLine, b: LoadedLine) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0);

/**
 * Searches the log files for the filter's text, page after page, while the filter stays the
 * same: a changed filter starts over, and its first page cancels the old search in main.
 */
export function useFileSearch(bridge: Bridge, text: string, sources: ReadonlySet<LogSource>, minLevel: LogLevel): FileSearch {
  const [search, setSearch] = useState<FileSearch>(IDLE);
  const sourceList = LOG_SOURCES.filter((source) => sources.has(source));
  const key = `${text}\u0000${sourceList.join(',')}\u0000${minLevel}`;
  useEffect(() => {
    if (text === '' || sourceList.length === 0) {
      setSearch(IDLE);
      return;
    }
    let current = true;
    const timer = setTimeout(async () => {
      let found: LoadedLine[] = [];
      let scannedBytes = 0;
      let cursor: string | undefined;
      setSearch({ ...IDLE, query: text, status: 'searching' });
      try {
        for (;;) {
          const page = await bridge.invoke('logs:search', {
            query: text,
            sources: sourceList,
            minLevel,
            limit: FILE_SEARCH_PAGE,
            ...(cursor ? { cursor } : {}),
          });
          if (!current || page.cancelled) return;
          // Pages of different sources may overlap in time by a chunk: the list is kept sorted.
          found = [...found, ...page.matches].sort(newestFirst);
          scannedBytes += page.scannedBytes;
          cursor = page.cursor ?? undefined;
          const status = cursor === undefined ? 'done' : found.length >= FILE_SEARCH_MAX ? 'capped' : 'searching';
          setSearch({ query: text, matches: found, scannedBytes, totalBytes: page.totalBytes, status, error: null });
          if (status !== 'searching') return;
        }
      } catch (error) {
        if (current) setSearch((previous) => ({ ...previous, status: 'failed', error: error instanceof Error ? error.message : String(error) }));
      }
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // `key` stands for the text, sources and level, which are compared by value.
  }, [key]);
  return search;
}

import { LOG_LEVEL_RANK, type LogEntry, type LogLevel, type LogSource } from './logs.ts';

/** What a reader of the logs asks for: some sources (all when absent), a least level, a text. */
export interface LogFilterSpec {
  sources?: Iterable<LogSource> | undefined;
  minLevel?: LogLevel | undefined;
  /** Case-insensitive, in the message or the fields; empty or absent matches everything. */
  text?: string | undefined;
}

/** A structured line's other fields (`{"provider":"ollama",…}`), or '' for a plain line. */
export const formatLogFields = (entry: Pick<LogEntry, 'fields'>): string =>
  entry.fields && Object.keys(entry.fields).length > 0 ? JSON.stringify(entry.fields) : '';

/**
 * A filter prepared once for many lines. The log window, `logs:recent` and the pipeline's ring
 * all match with it, so a line shown in one is shown in the others.
 */
export interface LogMatcher {
  /** Whether a line of this source and level can pass: asked before a stored line is decoded. */
  admits(source: LogSource, level: LogLevel): boolean;
  /** Whether the entry passes: admitted, and the text (if any) is in its message or its fields. */
  matches(entry: Pick<LogEntry, 'source' | 'level' | 'msg' | 'fields'>): boolean;
}

export function logMatcher(filter: LogFilterSpec): LogMatcher {
  const sources = filter.sources ? new Set(filter.sources) : undefined;
  const minRank = filter.minLevel ? LOG_LEVEL_RANK[filter.minLevel] : 0;
  const needle = filter.text?.toLowerCase() ?? '';
  const admits = (source: LogSource, level: LogLevel) => (!sources || sources.has(source)) && LOG_LEVEL_RANK[level] >= minRank;
  return {
    admits,
    matches: (entry) =>
      admits(entry.source, entry.level) && (needle === '' || entry.msg.toLowerCase().includes(needle) || formatLogFields(entry).toLowerCase().includes(needle)),
  };
}

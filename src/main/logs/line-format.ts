import type { LogEntry, LogLevel, LogStream } from '../../shared/logs.ts';

/** Levels as fixed-width labels, so columns line up in files and terminals. */
export const LEVEL_LABEL: Readonly<Record<LogLevel, string>> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO ',
  warn: 'WARN ',
  error: 'ERROR',
  fatal: 'FATAL',
};

const STREAM_LABEL: Readonly<Record<LogStream, string>> = { stdout: 'stdout', stderr: 'stderr', internal: 'app   ' };

const FILE_LINE_TAGS = Object.fromEntries(
  (Object.keys(STREAM_LABEL) as LogStream[]).map((stream) => [
    stream,
    Object.fromEntries((Object.keys(LEVEL_LABEL) as LogLevel[]).map((level) => [level, ` ${LEVEL_LABEL[level]} ${STREAM_LABEL[stream]} `])),
  ]),
) as Record<LogStream, Record<LogLevel, string>>;

/** What follows the timestamp on a line of a log file: ` INFO  stderr `. */
export const fileLineTag = (level: LogLevel, stream: LogStream): string => FILE_LINE_TAGS[stream][level];

/**
 * One human-readable line: `2025-01-01T10:00:00.000Z INFO  [runner] text {"other":"fields"}`.
 * Entries hold no control character but the newlines of the app's own messages (see control-chars.ts).
 */
export function formatLogText(entry: LogEntry): string {
  const fields = entry.fields ? ` ${JSON.stringify(entry.fields)}` : '';
  // An app message may span lines in the window; on a terminal each entry stays one line.
  return `${entry.ts} ${LEVEL_LABEL[entry.level]} [${entry.source}] ${entry.msg.includes('\n') ? entry.msg.replaceAll('\n', '\\n') : entry.msg}${fields}`;
}

/**
 * One JSON line, `{ts, source, stream, level, msg, …fields}`, as the headless host prints with
 * `--log-format json`. A field whose name is taken by those keys is kept with a `_` prefix.
 */
export function formatLogJson(entry: LogEntry): string {
  const record: Record<string, unknown> = { ts: entry.ts, source: entry.source, stream: entry.stream, level: entry.level, msg: entry.msg };
  if (entry.fields) {
    for (const [key, value] of Object.entries(entry.fields)) {
      let name = key;
      while (Object.hasOwn(record, name)) name = `_${name}`;
      record[name] = value;
    }
  }
  return JSON.stringify(record);
}

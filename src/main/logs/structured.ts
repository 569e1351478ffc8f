import type { LogLevel, LogStream } from '../../shared/logs.ts';

export interface ParsedLine {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown> | undefined;
}

/** pino's numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal; values between round down. */
export function levelFromNumber(level: number): LogLevel {
  if (level >= 60) return 'fatal';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  if (level >= 20) return 'debug';
  return 'trace';
}

/** Level names used by pino, Python logging, Go's slog/zap, syslog and winston. */
const LOWER_CASE_LEVEL_NAMES: Readonly<Record<string, LogLevel>> = {
  trace: 'trace',
  silly: 'trace',
  debug: 'debug',
  verbose: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  exception: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  panic: 'fatal',
  dpanic: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
};

/** Also spelled in capitals, as text logs mostly do, so that a hot path rarely needs `toLowerCase`. */
const LEVEL_NAMES = new Map<string, LogLevel>(
  Object.entries(LOWER_CASE_LEVEL_NAMES).flatMap(([name, level]) => [
    [name, level],
    [name.toUpperCase(), level],
  ]),
);

export function levelFromName(name: string): LogLevel | undefined {
  return LEVEL_NAMES.get(name) ?? LEVEL_NAMES.get(name.toLowerCase());
}

/** Keys that hold a structured line's text, in order of preference. */
const TEXT_KEYS = ['msg', 'message', 'event'] as const;
/** Keys that hold a structured line's level (`levelname`: python-json-logger, Python's `logging` record name). */
const LEVEL_KEYS = ['level', 'severity', 'levelname'] as const;

/**
 * A level written in a text line: logfmt, Go slog and structlog's key-value renderer
 * (`time=… level=WARN msg=…`, Ollama's own format; `level=warning event=…`), structlog's console
 * renderer (`[warning  ] …`, lower case padded in brackets), or an upper-case level word standing
 * alone (`[WARN]`, Python's default `WARNING:root:…`, `… - worker - ERROR - …`).
 */
const TEXT_LEVEL =
  /\b(?:level|lvl|severity)=["']?([A-Za-z]+)|\[(trace|debug|info|warning|warn|error|exception|critical|fatal) *\]|(?:^|[\s[(|:])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|CRITICAL|PANIC)(?=$|[\s\]):|])/;
/**
 * The level of an upper-case level word `TEXT_LEVEL` found; a `switch` on the few possible words
 * costs less than a hashed lookup, and this runs for most lines of a flood.
 */
function upperCaseLevel(word: string): LogLevel {
  switch (word) {
    case 'INFO':
    case 'NOTICE':
      return 'info';
    case 'WARN':
    case 'WARNING':
      return 'warn';
    case 'ERROR':
      return 'error';
    case 'DEBUG':
      return 'debug';
    case 'TRACE':
      return 'trace';
    default:
      return 'fatal';
  }
}

/** An HTTP access log line from Go's Gin (Ollama's server): `[GIN] … | 200 | … | GET "/api/tags"`. */
const GIN_ACCESS = /^\[GIN\] .*?\|\s*(\d{3})\s*\|/;

/**
 * A successful request is routine detail (the app's own health checks make one every few
 * seconds), so it is `debug`; a failed one is worth a look.
 */
const accessLevel = (status: number): LogLevel => (status >= 500 ? 'error' : status >= 400 ? 'warn' : 'debug');

/** The first line of a crash: a JavaScript or Python error, a Python traceback, a Go panic. */
const CRASH_START = /^(?:Traceback \(most recent call last\)|panic: |(?:Uncaught )?[A-Za-z]*(?:Error|Exception)\b)/;

/**
 * The level of a plain-text line: a level written in the line wins; otherwise a crash's first
 * line is an error, and the stream decides. Unmarked stderr is `warn`: programs that log
 * everything to stderr (Ollama, Python's logging) name their level, which is found first, so
 * what remains unmarked on stderr is usually a complaint (a stack frame, a deprecation notice).
 */
export function levelFromText(text: string, stream: LogStream): LogLevel {
  const named = TEXT_LEVEL.exec(text);
  const level = named ? (named[3] !== undefined ? upperCaseLevel(named[3]) : levelFromName(named[1] ?? named[2]!)) : undefined;
  if (level) return level;
  const access = GIN_ACCESS.exec(text);
  if (access) return accessLevel(Number(access[1]));
  if (CRASH_START.test(text)) return 'error';
  return stream === 'stderr' ? 'warn' : 'info';
}

function levelOf(value: unknown): LogLevel | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return levelFromNumber(value);
  if (typeof value === 'string') return levelFromName(value);
  return undefined;
}

/**
 * Reads one line. A line that is a JSON object is a structured log: its level comes from `level`
 * (pino number or name) or `severity`, its text from `msg`, `message` or `event`, and every other
 * key is kept in `fields`. Only lines that start with `{` and end with `}` are parsed at all.
 */
export function parseLine(text: string, stream: LogStream): ParsedLine {
  if (text.charCodeAt(0) === 0x7b && text.charCodeAt(text.length - 1) === 0x7d) {
    const object = parseJsonObject(text);
    if (object) return fromObject(object, stream);
  }
  return { level: levelFromText(text, stream), msg: text, fields: undefined };
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A stored line's message and fields: what reading it back needs. */
export type LineBody = Omit<ParsedLine, 'level'>;

/**
 * Reads a stored line back. Its level was read once, when it was written, and travels in the
 * line's head (`ts LEVEL stream body`); only a JSON line's message and fields are read here.
 */
export function parseBody(text: string): LineBody {
  const object = text.charCodeAt(0) === 0x7b && text.charCodeAt(text.length - 1) === 0x7d ? parseJsonObject(text) : undefined;
  return object
    ? bodyOf(
        object,
        LEVEL_KEYS.find((key) => levelOf(object[key]) !== undefined),
      )
    : { msg: text, fields: undefined };
}

function fromObject(object: Record<string, unknown>, stream: LogStream): ParsedLine {
  const levelKey = LEVEL_KEYS.find((key) => levelOf(object[key]) !== undefined);
  return { level: levelKey ? levelOf(object[levelKey])! : stream === 'stderr' ? 'warn' : 'info', ...bodyOf(object, levelKey) };
}

/** The text of a structured line and its other keys, less the one its level was read from. */
function bodyOf(object: Record<string, unknown>, levelKey: string | undefined): LineBody {
  const textKey = TEXT_KEYS.find((key) => typeof object[key] === 'string');
  const fields: Record<string, unknown> = {};
  let hasFields = false;
  for (const key of Object.keys(object)) {
    if (key === levelKey || key === textKey) continue;
    fields[key] = object[key];
    hasFields = true;
  }
  return { msg: textKey ? (object[textKey] as string) : '', fields: hasFields ? fields : undefined };
}

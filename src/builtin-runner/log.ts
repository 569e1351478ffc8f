/** pino's numeric levels, which the app's log pipeline understands. */
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevel = keyof typeof LEVELS;

export type LogFields = Record<string, unknown>;
export type Logger = Record<LogLevel, (msg: string, fields?: LogFields) => void>;

export interface LoggerOptions {
  /** Masks keys in every line (the log pipeline's `Redactor`). */
  redact: (text: string) => string;
  /** Where a finished line goes; defaults to stdout. Lines never carry control messages. */
  write?: (line: string) => void;
  now?: () => number;
}

/** Structured JSON lines, pino-style: `{level, time, pid, msg, …fields}`, redacted as a whole. */
export function createLogger({ redact, write = (line) => process.stdout.write(line), now = Date.now }: LoggerOptions): Logger {
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      const line = JSON.stringify({ level: LEVELS[level], time: now(), pid: process.pid, name: 'stigmer-runner', msg, ...fields });
      write(`${redact(line)}\n`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), fatal: log('fatal') };
}

import { z } from 'zod';

/** Who wrote a line: the app itself, the Ollama server it manages, or the supervised runner. */
export const LOG_SOURCES = ['app', 'ollama', 'runner'] as const;
export const LogSourceSchema = z.enum(LOG_SOURCES);
export type LogSource = z.infer<typeof LogSourceSchema>;

/** `internal` marks the app's own messages; the others are a child process's output streams. */
export const LogStreamSchema = z.enum(['stdout', 'stderr', 'internal']);
export type LogStream = z.infer<typeof LogStreamSchema>;

/** pino's level names, least to most severe. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const LogLevelSchema = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevelSchema>;

/** Orders levels so filters can say "warn and above". */
export const LOG_LEVEL_RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, fatal: 5 };

/**
 * One log line as the UI sees it. Secrets are already masked, ANSI escapes stripped and
 * over-long lines truncated with a visible marker. `fields` holds the other keys of a JSON line.
 */
export const LogEntrySchema = z.object({
  /** Increases by one per entry of a pipeline, so gaps reveal skipped entries. */
  seq: z.number().int().nonnegative(),
  ts: z.iso.datetime(),
  source: LogSourceSchema,
  stream: LogStreamSchema,
  level: LogLevelSchema,
  msg: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;

/** What a subscriber receives: the newest entries, and how many older ones it was not given. */
export const LogBatchSchema = z.object({
  entries: z.array(LogEntrySchema),
  skipped: z.number().int().nonnegative(),
});
export type LogBatch = z.infer<typeof LogBatchSchema>;

export const LogFileErrorSchema = z.object({
  /** The system error code, e.g. `ENOSPC`, `EACCES`, `ENOTDIR`. */
  code: z.string(),
  message: z.string(),
  at: z.iso.datetime(),
});
export type LogFileError = z.infer<typeof LogFileErrorSchema>;

/** The health of one source's log file, so the app can say when logs are not reaching disk. */
export const LogFileStatusSchema = z.object({
  source: LogSourceSchema,
  path: z.string(),
  bytesWritten: z.number().nonnegative(),
  rotations: z.number().int().nonnegative(),
  failedWrites: z.number().int().nonnegative(),
  /** Bytes that could not be written because the file was failing. */
  lostBytes: z.number().nonnegative(),
  /** Set while writing fails; cleared once a write succeeds again. */
  failing: LogFileErrorSchema.nullable(),
  lastError: LogFileErrorSchema.nullable(),
});

export const LogPipelineStatusSchema = z.object({
  ringEntries: z.number().int().nonnegative(),
  ringBytes: z.number().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  files: z.array(LogFileStatusSchema),
});
export type LogPipelineStatus = z.infer<typeof LogPipelineStatusSchema>;

import { LOG_LEVEL_RANK, LogLevelSchema, LogSourceSchema, type LogBatch, type LogEntry, type LogLevel, type LogSource } from '../../shared/logs.ts';
import { LIMITS } from '../../shared/limits.ts';
import { formatLogText } from '../logs/line-format.ts';
import { CLI_EXIT, UsageError, print, type CliContext } from './context.ts';

const DEFAULT_LINES = 50;

function parseFilter(options: CliContext['options']): { limit: number; sources?: LogSource[]; minLevel?: LogLevel } {
  const lines = options.lines as string | undefined;
  const limit = lines === undefined ? DEFAULT_LINES : Number(lines);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.logRecentEntries)
    throw new UsageError(`-n takes a number of lines from 1 to ${LIMITS.logRecentEntries}`);
  const sources = (options.source as string[] | undefined)?.map((name) => {
    const source = LogSourceSchema.safeParse(name);
    if (!source.success) throw new UsageError(`--source is one of ${LogSourceSchema.options.join(', ')}`);
    return source.data;
  });
  const level = options.level === undefined ? undefined : LogLevelSchema.safeParse(options.level);
  if (level && !level.success) throw new UsageError(`--level is one of ${LogLevelSchema.options.join(', ')}`);
  return { limit, ...(sources ? { sources } : {}), ...(level?.data ? { minLevel: level.data } : {}) };
}

/**
 * `stigmer logs [-n N] [-f] [--source S] [--level L]`: the app's newest lines, then with `-f` the
 * new ones as they come. It subscribes before it reads the recent lines, and goes by their sequence
 * numbers, so no line falls between the two and none is printed twice.
 */
export async function logs(context: CliContext): Promise<number> {
  const { limit, sources, minLevel } = parseFilter(context.options);
  const follow = context.options.follow === true;
  const wanted = (entry: LogEntry) => (!sources || sources.includes(entry.source)) && (!minLevel || LOG_LEVEL_RANK[entry.level] >= LOG_LEVEL_RANK[minLevel]);
  const app = await context.app();
  let lastSeq = -1;
  const held: LogBatch[] = [];
  let printing = false;
  const show = (batch: LogBatch) => {
    if (batch.skipped > 0) print(context.stderr, `… ${batch.skipped} lines not sent (the app sampled a flood, or this terminal fell behind)`);
    for (const entry of batch.entries) {
      if (entry.seq <= lastSeq) continue;
      lastSeq = entry.seq;
      if (wanted(entry)) print(context.stdout, formatLogText(entry));
    }
  };
  if (follow) await app.subscribe(['logs'], (_event, payload) => (printing ? show(payload as LogBatch) : held.push(payload as LogBatch)));
  const filter = { ...(sources ? { sources } : {}), ...(minLevel ? { minLevel } : {}) };
  show(await app.request('logs:recent', { limit, ...(Object.keys(filter).length > 0 ? { filter } : {}) }));
  if (!follow) return CLI_EXIT.ok;
  printing = true;
  for (const batch of held.splice(0)) show({ ...batch, skipped: 0 });
  const closed = new Promise<void>((resolve) => app.onClosed(resolve));
  const ended = await Promise.race([closed.then(() => 'app' as const), context.interrupted().then(() => 'user' as const)]);
  if (ended === 'app') print(context.stderr, 'The app stopped.');
  return CLI_EXIT.ok;
}

/**
 * The pid file of a launched child (the runner, `ollama serve`), so that the next start can end
 * one a killed app left behind. Before signalling, the pid is checked to still be that process:
 * pids are reused, and nothing else may ever be touched. The check is the process's identity
 * (pid and start time), not its argv: a wrapper exec'ing the real program (snap, nix, asdf/mise
 * shims, a shell script) shows the real program's argv, not the path the app launched. The argv
 * is checked only for files of earlier versions, which recorded no start time.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { processStartTime } from '../../lib/process-identity.ts';
import { isProcessAlive, terminateMarked, terminateTree } from './process-tree.ts';

const execFileAsync = promisify(execFile);

const PidRecordSchema = z.object({
  pid: z.number().int().positive(),
  /** The argv the child was launched with: the identity check of files without a start time. */
  argv: z.array(z.string()).min(1),
  /** `processStartTime(pid)` right after the launch; absent in files of earlier versions. */
  startTime: z.string().optional(),
  /** When it was launched (ISO 8601), for a person reading the file. */
  startedAt: z.string(),
  /** Its `LAUNCH_MARKER_VARIABLE` value: what is left of it is found by it even once the pid is gone. */
  marker: z.string().optional(),
});
export type PidRecord = z.infer<typeof PidRecordSchema>;

/** The runner's pid file of earlier versions: epoch milliseconds and no start time. */
const LegacyRunnerSchema = z.object({ pid: z.number().int().positive(), argv: z.array(z.string()).min(1), startedAt: z.number() });
/** Ollama's pid file of earlier versions: the binary, launched as `<binary> serve`. */
const LegacyOllamaSchema = z.object({ pid: z.number().int().positive(), binary: z.string().min(1), startedAt: z.string(), startTime: z.string().optional() });

const FileSchema = z.union([
  PidRecordSchema,
  LegacyRunnerSchema.transform((old): PidRecord => ({ pid: old.pid, argv: old.argv, startedAt: new Date(old.startedAt).toISOString() })),
  LegacyOllamaSchema.transform(({ binary, ...old }): PidRecord => ({ ...old, argv: [binary, 'serve'] })),
]);

export type PidFileOwner = 'runner' | 'ollama';

/** A child's pid file inside the user-data `run` folder (`appPaths(dir).runDir`). */
export const pidFilePath = (runDir: string, owner: PidFileOwner): string => path.join(runDir, `${owner}.pid`);

/** What to record for a child that was just launched: its pid, start time, argv and launch marker. */
export function recordOf(pid: number, argv: readonly string[], marker?: string): PidRecord {
  const startTime = processStartTime(pid);
  return {
    pid,
    argv: [...argv],
    ...(startTime !== undefined ? { startTime } : {}),
    startedAt: new Date().toISOString(),
    ...(marker !== undefined ? { marker } : {}),
  };
}

/** Written next to the target and renamed over it, so a reader never sees half a file. */
export async function writePidFile(file: string, record: PidRecord): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  await fs.rename(temporary, file);
}

/** The record, in the current form whichever version wrote it; undefined when missing or unreadable. */
export async function readPidFile(file: string): Promise<PidRecord | undefined> {
  try {
    const parsed = FileSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Never rejects: a pid file that cannot be removed (its folder is gone or unusable) cannot mislead anyone either. */
export async function removePidFile(file: string): Promise<void> {
  await fs.rm(file, { force: true }).catch(() => undefined);
}

/** A live process's argv: `/proc/<pid>/cmdline` exactly, or `ps -o args=` (space-joined) without `/proc`. */
export async function commandLineOf(pid: number): Promise<string[] | string | undefined> {
  try {
    const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw === '' ? undefined : raw.split('\0').slice(0, raw.endsWith('\0') ? -1 : undefined);
  } catch {
    if (process.platform === 'win32') return undefined;
    try {
      const { stdout } = await execFileAsync('ps', ['-o', 'args=', '-p', String(pid)], { timeout: 3000 });
      return stdout.trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Whether a process still runs the recorded command. The recorded argv must be the process's
 * argv or its tail: a script started through its `#!` line runs as `interpreter script args…`.
 */
export function commandLineMatches(actual: readonly string[] | string, recorded: readonly string[]): boolean {
  if (typeof actual === 'string') return actual === recorded.join(' ') || actual.endsWith(` ${recorded.join(' ')}`);
  if (actual.length < recorded.length) return false;
  const tail = actual.slice(actual.length - recorded.length);
  return tail.every((arg, index) => arg === recorded[index]);
}

/** Whether the recorded process still runs: the same pid and start time, or for an old file, the same argv. */
export async function isRecordedProcess(record: PidRecord): Promise<boolean> {
  if (record.startTime !== undefined) return processStartTime(record.pid) === record.startTime;
  if (!(await isProcessAlive(record.pid))) return false;
  const commandLine = await commandLineOf(record.pid);
  return commandLine !== undefined && commandLineMatches(commandLine, record.argv);
}

export type LeftoverOutcome =
  | { kind: 'none' }
  /** The pid is gone or now another process, which is left alone. */
  | { kind: 'stale'; pid: number }
  | { kind: 'stopped'; pid: number }
  /** It survived SIGKILL; the pid file is kept so that the next start tries again. */
  | { kind: 'still-running'; pid: number; error: unknown };

/**
 * Ends the process a pid file names, if it is still that process, with its whole process tree:
 * SIGTERM, then SIGKILL after `graceMs`. Anything else is left alone; the pid file is removed
 * unless the process outlived SIGKILL.
 */
export async function stopRecordedProcess(file: string, options: { graceMs: number }): Promise<LeftoverOutcome> {
  const record = await readPidFile(file);
  let outcome: LeftoverOutcome = { kind: 'none' };
  if (record !== undefined && (await isRecordedProcess(record))) {
    try {
      // Just checked to be that process, so its descendants are followed too.
      await terminateTree(record.pid, { graceMs: options.graceMs, followDescendants: true, ...(record.marker ? { marker: record.marker } : {}) });
      outcome = { kind: 'stopped', pid: record.pid };
    } catch (error) {
      return { kind: 'still-running', pid: record.pid, error };
    }
  } else if (record !== undefined) {
    // The process itself is gone (it crashed while the app was down, say), but what it started may
    // not be: only the processes carrying its marker are touched, never its pid or group.
    if (record.marker !== undefined) await terminateMarked(record.marker, { graceMs: options.graceMs }).catch(() => undefined);
    outcome = { kind: 'stale', pid: record.pid };
  }
  await removePidFile(file);
  return outcome;
}

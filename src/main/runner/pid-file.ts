import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { RunnerPidFileSchema, type RunnerPidFile } from '../../shared/runner.ts';
import { isProcessAlive, terminateTree } from './process-tree.ts';

const execFileAsync = promisify(execFile);

/** The runner's pid file inside the user-data `run` folder (`appPaths(dir).runDir`). */
export const runnerPidFilePath = (runDir: string): string => path.join(runDir, 'runner.pid');

/** Written next to the target and renamed over it, so a reader never sees half a file. */
export async function writePidFile(file: string, record: RunnerPidFile): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  await fs.rename(temporary, file);
}

/** Never rejects: a pid file that cannot be removed (its folder is gone or unusable) cannot mislead anyone either. */
export async function removePidFile(file: string): Promise<void> {
  await fs.rm(file, { force: true }).catch(() => undefined);
}

async function readPidFile(file: string): Promise<RunnerPidFile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return RunnerPidFileSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** A live process's argv: `/proc/<pid>/cmdline` exactly, or `ps -o args=` (space-joined) without `/proc`. */
async function commandLineOf(pid: number): Promise<string[] | string | undefined> {
  try {
    const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').slice(0, raw.endsWith('\0') ? -1 : undefined);
  } catch {
    try {
      const { stdout } = await execFileAsync('ps', ['-o', 'args=', '-p', String(pid)]);
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

export type OrphanOutcome =
  | { kind: 'none' }
  | { kind: 'ended'; pid: number }
  | { kind: 'left-alone'; pid: number; reason: string };

/**
 * Ends a runner orphaned by an app that was killed: the pid file names it, and it is ended
 * (with its process group) only if it is alive and still runs the recorded command. Anything
 * else is left alone; the stale pid file is removed either way.
 */
export async function endOrphanedRunner(file: string, options: { graceMs: number }): Promise<OrphanOutcome> {
  const record = await readPidFile(file);
  if (record === undefined) {
    await removePidFile(file);
    return { kind: 'none' };
  }
  let outcome: OrphanOutcome = { kind: 'none' };
  if (await isProcessAlive(record.pid)) {
    const commandLine = await commandLineOf(record.pid);
    if (commandLine !== undefined && commandLineMatches(commandLine, record.argv)) {
      await terminateTree(record.pid, { graceMs: options.graceMs, followDescendants: true });
      outcome = { kind: 'ended', pid: record.pid };
    } else {
      outcome = { kind: 'left-alone', pid: record.pid, reason: `process ${record.pid} no longer runs the recorded runner command` };
    }
  }
  await removePidFile(file);
  return outcome;
}

/**
 * The pid file of a launched `ollama serve`, so that the next start can stop a server a killed
 * app left behind. Before signalling, the pid is checked to still be that process: pids are
 * reused, and nothing else may ever be touched. The check is the process's identity (pid and
 * start time), not its argv: an `ollama` that is a wrapper exec'ing the real binary (snap, nix,
 * asdf/mise shims, a shell script) shows the real binary's argv, not the path the app launched.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { processStartTime, terminateTree } from '../runner/process-tree.ts';

const PidFileSchema = z.object({
  pid: z.number().int().positive(),
  binary: z.string().min(1),
  startedAt: z.string(),
  /** `processStartTime(pid)` right after the launch; absent in pid files of earlier versions. */
  startTime: z.string().optional(),
});
export type PidRecord = z.infer<typeof PidFileSchema>;

export const pidFilePath = (runDir: string): string => path.join(runDir, 'ollama.pid');

export function writePidFile(runDir: string, record: PidRecord): void {
  fs.mkdirSync(runDir, { recursive: true });
  const file = pidFilePath(runDir);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

export function readPidFile(runDir: string): PidRecord | undefined {
  try {
    const parsed = PidFileSchema.safeParse(JSON.parse(fs.readFileSync(pidFilePath(runDir), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Never throws: a pid file that cannot be removed (the folder is gone or unusable) cannot mislead anyone either. */
export function removePidFile(runDir: string): void {
  try {
    fs.rmSync(pidFilePath(runDir), { force: true });
  } catch {
    // ENOTDIR, EACCES: there is no pid file there to remove.
  }
}

/** The argv of a live process, or undefined when it is gone or cannot be read. */
export function processArgv(pid: number, platform: NodeJS.Platform = process.platform): string[] | undefined {
  if (platform === 'linux') {
    try {
      const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return raw === '' ? undefined : raw.replace(/\0$/, '').split('\0');
    } catch {
      return undefined;
    }
  }
  if (platform === 'win32') return undefined;
  try {
    // macOS and the BSDs have no /proc; ps prints the command line joined by spaces.
    const line = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', timeout: 3000 }).trim();
    return line === '' ? undefined : line.split(' ');
  } catch {
    return undefined;
  }
}

/**
 * Whether this argv is `<binary> serve`. A script binary (`#!/usr/bin/env node`) shows up as
 * `node <binary> serve`, so the binary may be any element, followed by `serve`.
 */
export function isOllamaServeOf(argv: readonly string[], binary: string): boolean {
  return argv.some((arg, index) => arg === binary && argv[index + 1] === 'serve');
}

/** Whether the recorded server still runs: the same process (pid and start time), whatever its argv now says. */
export function isRecordedServer(record: PidRecord, platform: NodeJS.Platform = process.platform): boolean {
  if (record.startTime !== undefined) return processStartTime(record.pid) === record.startTime;
  // A pid file from before start times were recorded: the argv check of that version.
  const argv = processArgv(record.pid, platform);
  return argv !== undefined && isOllamaServeOf(argv, record.binary);
}

export type LeftoverOutcome = 'none' | 'stale' | 'stopped' | 'still-running';

/**
 * Stops the `ollama serve` recorded in the pid file, if it is still that process, with its whole
 * process tree (model runners included): SIGTERM, then SIGKILL after `graceMs`. A pid that now
 * belongs to anything else is left alone.
 */
export async function stopLeftoverServer(runDir: string, options: { graceMs?: number; platform?: NodeJS.Platform } = {}): Promise<LeftoverOutcome> {
  const record = readPidFile(runDir);
  if (!record) {
    removePidFile(runDir);
    return 'none';
  }
  if (!isRecordedServer(record, options.platform)) {
    removePidFile(runDir);
    return 'stale';
  }
  try {
    // Just checked to be that process, so its descendants are followed too.
    await terminateTree(record.pid, { graceMs: options.graceMs ?? 5000, followDescendants: true });
  } catch {
    return 'still-running';
  }
  removePidFile(runDir);
  return 'stopped';
}

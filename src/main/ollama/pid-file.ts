/**
 * The pid file of a launched `ollama serve`, so that the next start can stop a server a killed
 * app left behind. Before signalling, the pid is checked to still be that `ollama serve`: pids
 * are reused, and nothing else may ever be touched.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const PidFileSchema = z.object({ pid: z.number().int().positive(), binary: z.string().min(1), startedAt: z.string() });
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

export type LeftoverOutcome = 'none' | 'stale' | 'stopped' | 'still-running';

/**
 * Stops the `ollama serve` recorded in the pid file, if it is still that process: SIGTERM,
 * then SIGKILL after `graceMs`. A pid that now belongs to anything else is left alone.
 */
export async function stopLeftoverServer(runDir: string, options: { graceMs?: number; platform?: NodeJS.Platform } = {}): Promise<LeftoverOutcome> {
  const record = readPidFile(runDir);
  if (!record) {
    removePidFile(runDir);
    return 'none';
  }
  const platform = options.platform ?? process.platform;
  const isOurs = () => {
    const argv = processArgv(record.pid, platform);
    return argv !== undefined && isOllamaServeOf(argv, record.binary);
  };
  if (!isOurs()) {
    removePidFile(runDir);
    return 'stale';
  }
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(record.pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + (options.graceMs ?? 5000);
  while (Date.now() < deadline && isOurs()) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isOurs()) {
    signal('SIGKILL');
    const killDeadline = Date.now() + 2000;
    while (Date.now() < killDeadline && isOurs()) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (isOurs()) return 'still-running';
  removePidFile(runDir);
  return 'stopped';
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Which process a pid names, asked of the operating system: shared by the core's process
 * supervision and the profile lock, which both must tell a live process from a reused pid.
 */

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /**
   * Exited but not yet reaped. A zombie holds no resources and cannot be signalled away; some
   * containers' init reaps orphans late, so zombies count as gone.
   */
  zombie: boolean;
}

/** Parses `/proc/<pid>/stat`; the command name may hold spaces and parentheses, so fields follow the last `)`. */
export function parseProcStat(text: string): (ProcessEntry & { startTime: string }) | undefined {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid)) return undefined;
  const fields = text.slice(close + 2).split(' ');
  // Fields 3, 4, 5 and 22 of proc(5): state, ppid, pgrp, and starttime (clock ticks after boot).
  const [state, ppid, pgid] = fields;
  const startTime = fields[19];
  if (state === undefined || ppid === undefined || pgid === undefined || startTime === undefined) return undefined;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), zombie: state === 'Z' || state === 'X', startTime };
}

/**
 * When a live process started, as an opaque string: with its pid, it names one process, while
 * a pid alone is reused once its process is gone. It survives `exec`, so a wrapper (a shell
 * script, a snap or mise shim) that execs the real program keeps it. `/proc/<pid>/stat` on
 * Linux, `ps -o lstart=` elsewhere on Unix; undefined when the process is gone (a zombie is) or
 * on Windows.
 */
export function processStartTime(pid: number): string | undefined {
  if (process.platform === 'win32') return undefined;
  if (process.platform === 'linux') {
    try {
      const entry = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      return entry && !entry.zombie ? entry.startTime : undefined;
    } catch {
      return undefined;
    }
  }
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 3000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A process (or, negative, a process group) that signals can reach; a zombie counts until it is reaped. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

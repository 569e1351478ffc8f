import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * What the tests and the benchmarks read of a process in /proc (Linux): one reader per file, each
 * answering as the process is now.
 */

/** Linux reports CPU times in /proc in clock ticks of USER_HZ, which is 100 on every Linux ABI. */
const TICKS_PER_SECOND = 100;

/** `/proc/<pid>/stat` after the command name, which may hold spaces and parentheses: `[state, ppid, pgrp, session, …]`. */
function statFields(pid: number): string[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

export interface ProcStat {
  pid: number;
  ppid: number;
  state: string;
  /** The session it belongs to: its own pid when it leads one. */
  session: number;
}

export function readStat(pid: number): ProcStat | undefined {
  const [state, ppid, , session] = statFields(pid) ?? [];
  return state === undefined || ppid === undefined ? undefined : { pid, ppid: Number(ppid), state, session: Number(session) };
}

/** User plus system CPU time the process has used, in seconds (utime + stime). */
export function readCpuSeconds(pid: number): number {
  const fields = statFields(pid) ?? [];
  // After the command name: state is field 3 of the whole line, utime 14 and stime 15.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export interface MemorySample {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size so far (VmHWM), bytes. */
  peakRss: number;
}

const statusOf = (pid: number): string | undefined => {
  try {
    return fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
};

/** VmRSS and VmHWM from `/proc/<pid>/status`; undefined once the process is gone. */
export function readMemory(pid: number): MemorySample | undefined {
  const text = statusOf(pid);
  if (text === undefined) return undefined;
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

/** Voluntary plus involuntary context switches: how often the process woke up or was preempted. */
export function readContextSwitches(pid: number): number {
  const text = statusOf(pid) ?? '';
  const count = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return count('voluntary_ctxt_switches') + count('nonvoluntary_ctxt_switches');
}

/** A process's argv, exactly as others on this machine can read it; empty once it is gone. */
export function commandLineOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
  } catch {
    return [];
  }
}

/** A live process's environment, as /proc shows it to its owner. */
export function environOf(pid: number): Record<string, string> {
  const entries = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

/** The descriptors a live process has open, with what each points at (`socket:[…]`, a path). */
export function openFiles(pid: number): Map<number, string> {
  return new Map(fs.readdirSync(`/proc/${pid}/fd`).map((fd) => [Number(fd), fs.readlinkSync(`/proc/${pid}/fd/${fd}`)]));
}

/** Whether prlimit(1), which the descriptor-exhaustion tests need, is installed. */
export const hasPrlimit = ((): boolean => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Lowers a live process's RLIMIT_NOFILE (prlimit(1)) to its lowest free descriptor plus `spare`:
 * the limit is the lowest free number, so a count of those in use would leave any hole below it
 * usable. Returns what puts the limit back.
 */
export function limitOpenFiles(pid: number, spare: number): () => void {
  const line = fs
    .readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((row) => row.startsWith('Max open files'));
  const [soft, hard] = line!.slice('Max open files'.length).trim().split(/\s+/);
  const open = openFiles(pid);
  let lowestFree = 0;
  while (open.has(lowestFree)) lowestFree++;
  execFileSync('prlimit', ['--pid', String(pid), `--nofile=${lowestFree + spare}:${hard}`]);
  return () => execFileSync('prlimit', ['--pid', String(pid), `--nofile=${soft}:${hard}`]);
}

export interface TcpSocket {
  /** The local address: dotted for IPv4, /proc's hex for IPv6. */
  address: string;
  port: number;
  /** /proc's state code: `0A` listening, `01` established. */
  state: string;
}

/** Every TCP socket of this machine's network namespace, from /proc/net/tcp and tcp6. */
export function tcpSockets(): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = local?.split(':') ?? [];
      if (hexAddress === undefined || hexPort === undefined || state === undefined) continue;
      const address =
        hexAddress.length === 8
          ? (hexAddress.match(/../g) ?? [])
              .reverse()
              .map((byte) => Number.parseInt(byte, 16))
              .join('.')
          : hexAddress;
      sockets.push({ address, port: Number.parseInt(hexPort, 16), state });
    }
  }
  return sockets;
}

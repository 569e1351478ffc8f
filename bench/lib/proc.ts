import fs from 'node:fs';

/** Linux reports CPU times in /proc in clock ticks of USER_HZ, which is 100 on every Linux ABI. */
const TICKS_PER_SECOND = 100;

export interface MemorySample {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size so far (VmHWM), bytes. */
  peakRss: number;
}

/** VmRSS and VmHWM from `/proc/<pid>/status`; undefined once the process is gone. */
export function readMemory(pid: number): MemorySample | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
}

/** User plus system CPU time the process has used, in seconds (`/proc/<pid>/stat` utime + stime). */
export function readCpuSeconds(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the command name: state is field 3 of the whole line, utime 14 and stime 15.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Voluntary plus involuntary context switches: how often the process woke up or was preempted. */
export function readContextSwitches(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const count = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return count('voluntary_ctxt_switches') + count('nonvoluntary_ctxt_switches');
}

/** Samples a process's memory every `intervalMs` until stopped. */
export function sampleMemory(pid: number, intervalMs = 100): { samples: { at: number; rss: number }[]; stop(): MemorySample | undefined } {
  const samples: { at: number; rss: number }[] = [];
  const take = () => {
    const sample = readMemory(pid);
    if (sample) samples.push({ at: Date.now(), rss: sample.rss });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      return readMemory(pid);
    },
  };
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = fs.readFileSync('/proc/meminfo', 'utf8');
  return {
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    cores: (cpuinfo.match(/^processor\s*:/gm) ?? []).length,
    memoryGiB: Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0) / 1024 / 1024,
    node: process.version,
    kernel: fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
  };
}

import fs from 'node:fs';
import { readMemory, type MemorySample } from '../../test/support/proc.ts';

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

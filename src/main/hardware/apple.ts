/**
 * Apple Silicon: the GPU shares the machine's memory. Metal lets one process wire at most its
 * `recommendedMaxWorkingSetSize`, which macOS sets to about two thirds of the memory up to 36 GB
 * and three quarters above (as llama.cpp, and so Ollama, observe it); that share is the GPU budget.
 */
import type { Gpu } from '../../shared/hardware.ts';

const LARGE_MACHINE_BYTES = 36 * 1024 ** 3;

export function metalShare(totalBytes: number): { bytes: number; rule: string } {
  const large = totalBytes > LARGE_MACHINE_BYTES;
  return {
    bytes: Math.floor(totalBytes * (large ? 3 / 4 : 2 / 3)),
    rule: `Metal's working set on Apple Silicon: ${large ? '3/4' : '2/3'} of the unified memory (${large ? 'above' : 'up to'} 36 GiB)`,
  };
}

export const isAppleSilicon = (platform: NodeJS.Platform, arch: string): boolean => platform === 'darwin' && arch === 'arm64';

export function appleGpu(totalBytes: number): Gpu {
  const share = metalShare(totalBytes);
  return {
    vendor: 'apple',
    name: 'Apple Silicon GPU (unified memory)',
    totalBytes: share.bytes,
    usedBytes: null,
    source: `${share.rule}; the memory from the operating system (os.totalmem)`,
  };
}

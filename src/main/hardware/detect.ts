/**
 * Detects this machine's accelerators and memory (issue 24 §1): Apple Silicon's unified memory,
 * NVIDIA through `nvidia-smi`, AMD through sysfs, else CPU only. Never throws; what could not be
 * read is said (a note, or a problem when a tool failed or hung), and detection goes on without it.
 */
import os from 'node:os';
import type { Hardware } from '../../shared/hardware.ts';
import { appleGpu, isAppleSilicon, metalShare } from './apple.ts';
import { readAmdGpus } from './amd.ts';
import { readNvidiaGpus, type ToolReading } from './nvidia.ts';

export interface HardwareOptions {
  /** The `nvidia-smi` to run: a name looked up on the environment's PATH, or a path. */
  nvidiaSmi?: string;
  /** Where sysfs is mounted; `/sys`. */
  sysfsRoot?: string;
  platform?: NodeJS.Platform;
  arch?: string;
  totalMemoryBytes?: number;
  /** How long `nvidia-smi` may take. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export const NVIDIA_SMI_TIMEOUT_MS = 3000;

export async function detectHardware(options: HardwareOptions = {}): Promise<Hardware> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const totalBytes = options.totalMemoryBytes ?? os.totalmem();
  const memory = { totalBytes, source: 'the operating system (os.totalmem)' };
  const detectedAt = new Date().toISOString();
  if (isAppleSilicon(platform, arch)) {
    const share = metalShare(totalBytes);
    return { memory, gpus: [appleGpu(totalBytes)], unified: true, gpuBudget: share, notes: [], problems: [], detectedAt };
  }
  const readings: ToolReading[] = await Promise.all([
    platform === 'darwin'
      ? { gpus: [] }
      : readNvidiaGpus(options.nvidiaSmi ?? 'nvidia-smi', options.timeoutMs ?? NVIDIA_SMI_TIMEOUT_MS, options.env ?? process.env),
    platform === 'linux' ? readAmdGpus(options.sysfsRoot ?? '/sys') : { gpus: [] },
  ]);
  const gpus = readings.flatMap((reading) => reading.gpus);
  // A tool that is simply absent matters only when no GPU was found at all.
  const notes = gpus.length > 0 ? [] : readings.flatMap((reading) => reading.absent ?? []);
  const problems = readings.flatMap((reading) => reading.problem ?? []);
  const bytes = gpus.reduce((sum, gpu) => sum + gpu.totalBytes, 0);
  const gpuBudget =
    gpus.length === 0
      ? { bytes: 0, rule: 'no GPU found: CPU only' }
      : { bytes, rule: gpus.length === 1 ? `the GPU's memory (VRAM)` : `the memory of the ${gpus.length} GPUs together; Ollama splits a model across them` };
  return { memory, gpus, unified: false, gpuBudget, notes, problems, detectedAt };
}

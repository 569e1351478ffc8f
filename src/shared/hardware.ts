import { z } from 'zod';

/**
 * What the app knows about this machine's accelerators and memory, each number with where it
 * came from, so the Models screen and `--doctor` can say why a model fits or not.
 */

const Bytes = z.number().nonnegative();

export const GpuSchema = z.object({
  vendor: z.enum(['nvidia', 'amd', 'apple']),
  name: z.string(),
  totalBytes: Bytes,
  /** Null when the source does not say (Apple's unified memory). */
  usedBytes: Bytes.nullable(),
  /** Where the numbers came from: the command and its fields, or the sysfs files. */
  source: z.string(),
});
export type Gpu = z.infer<typeof GpuSchema>;

export const HardwareSchema = z.object({
  memory: z.object({ totalBytes: Bytes, source: z.string() }),
  gpus: z.array(GpuSchema),
  /** Apple Silicon: the GPU's memory is part of `memory`, not beside it. */
  unified: z.boolean(),
  /** What the GPUs may hold for a model, and the rule that gave it. 0 when there is none: CPU only. */
  gpuBudget: z.object({ bytes: Bytes, rule: z.string() }),
  /** What was looked for and not there (no `nvidia-smi`, no AMD card), when no GPU was found. */
  notes: z.array(z.string()),
  /** A tool that is there but failed or hung: the detection fell back past it, and a GPU may be missed. */
  problems: z.array(z.string()),
  detectedAt: z.string(),
});
export type Hardware = z.infer<typeof HardwareSchema>;

/** Memory a model may use, as the fit verdicts need it. */
export interface MemoryBudget {
  /** All of this machine's RAM. */
  ramBytes: number;
  /** What the GPUs may hold (VRAM, or Metal's share of unified memory); 0 for CPU only. */
  gpuBytes: number;
  unified: boolean;
}

export const budgetOf = (hardware: Hardware): MemoryBudget => ({
  ramBytes: hardware.memory.totalBytes,
  gpuBytes: hardware.gpuBudget.bytes,
  unified: hardware.unified,
});

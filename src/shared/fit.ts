import { z } from 'zod';
import { formatBytes } from './format-bytes.ts';
import type { MemoryBudget } from './hardware.ts';

/**
 * Whether a model fits this machine at the context length the user chose: the estimate (weights,
 * KV cache, overhead), the verdict against the GPU and RAM, and the check of the estimate against
 * what Ollama really loaded. Pure and shared: the model's card recomputes it as the user types a
 * context length, before anything is saved.
 */

export const KvCacheTypeSchema = z.enum(['f16', 'q8_0', 'q4_0']);
export type KvCacheType = z.infer<typeof KvCacheTypeSchema>;

/** Bytes per cached value: f16 is 2; q8_0 and q4_0 are ggml blocks of 32 values in 34 and 18 bytes. */
const KV_BYTES_PER_VALUE: Record<KvCacheType, number> = { f16: 2, q8_0: 34 / 32, q4_0: 18 / 32 };

/** `OLLAMA_KV_CACHE_TYPE` as Ollama reads it: anything else (or unset) is f16. */
export const kvCacheTypeOf = (value: string | undefined): KvCacheType => KvCacheTypeSchema.catch('f16').parse(value?.trim().toLowerCase());

/** Ollama's context length when neither the model's card nor `OLLAMA_CONTEXT_LENGTH` sets one. */
export const OLLAMA_DEFAULT_CONTEXT = 4096;
export const MIN_CONTEXT = 256;
export const MAX_CONTEXT = 1_048_576;

/** Runtime and compute graph beside the weights and cache, as a fixed allowance. */
export const OVERHEAD_BYTES = 512 * 1024 ** 2;
/** RAM the operating system and other apps keep for themselves. */
export const RAM_HEADROOM_BYTES = 2 * 1024 ** 3;
/** Without `model_info`, the cache is assumed to be this share of the weights (the old rule's margin). */
const ASSUMED_KV_SHARE = 0.2;
/** A loaded split further than this from the estimate (percentage points) is a problem. */
export const SPLIT_TOLERANCE = 10;

/** What the KV cache depends on, from `/api/show`'s `model_info`. */
export const ModelArchitectureSchema = z.object({
  blockCount: z.number().int().positive(),
  headCount: z.number().int().positive(),
  headCountKv: z.number().int().positive(),
  embeddingLength: z.number().int().positive(),
  /** Per-head key and value widths when the model states them (Gemma's differ from embedding ÷ heads). */
  keyLength: z.number().int().positive().nullable(),
  valueLength: z.number().int().positive().nullable(),
  /** The longest context the model was trained for, when stated. */
  contextLength: z.number().int().positive().nullable(),
});
export type ModelArchitecture = z.infer<typeof ModelArchitectureSchema>;

/** A `model_info` number; per-layer arrays (some models vary the KV heads by layer) count at their largest. */
function infoNumber(info: Record<string, unknown>, key: string): number | null {
  const value = info[key];
  const number = Array.isArray(value) ? Math.max(...value.filter((item): item is number => typeof item === 'number')) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? Math.round(number) : null;
}

/** Reads `<arch>.block_count`, `<arch>.attention.head_count(_kv)`, `<arch>.embedding_length`, …; null when any is missing. */
export function architectureFromModelInfo(info: Record<string, unknown> | undefined): ModelArchitecture | null {
  const arch = info?.['general.architecture'];
  if (!info || typeof arch !== 'string') return null;
  const read = (key: string) => infoNumber(info, `${arch}.${key}`);
  const [blockCount, headCount, embeddingLength] = [read('block_count'), read('attention.head_count'), read('embedding_length')];
  if (blockCount === null || headCount === null || embeddingLength === null) return null;
  return {
    blockCount,
    headCount,
    // Without grouped-query attention every head has its own keys and values.
    headCountKv: read('attention.head_count_kv') ?? headCount,
    embeddingLength,
    keyLength: read('attention.key_length'),
    valueLength: read('attention.value_length'),
    contextLength: read('context_length'),
  };
}

/** Keys and values for every layer, KV head and token: layers × context × KV heads × (key + value width) × bytes per value. */
export function kvCacheBytes(arch: ModelArchitecture, contextLength: number, type: KvCacheType): number {
  const keyLength = arch.keyLength ?? arch.embeddingLength / arch.headCount;
  const valueLength = arch.valueLength ?? keyLength;
  return Math.round(arch.blockCount * contextLength * arch.headCountKv * (keyLength + valueLength) * KV_BYTES_PER_VALUE[type]);
}

export const FitEstimateSchema = z.object({
  contextLength: z.number().int().positive(),
  kvCacheType: KvCacheTypeSchema,
  weightsBytes: z.number().nonnegative(),
  kvCacheBytes: z.number().nonnegative(),
  /** False when `model_info` was not available and the cache is the assumed share of the weights. */
  kvCacheKnown: z.boolean(),
  overheadBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
});
export type FitEstimate = z.infer<typeof FitEstimateSchema>;

export function estimateMemory(input: {
  weightsBytes: number;
  architecture: ModelArchitecture | null;
  contextLength: number;
  kvCacheType: KvCacheType;
}): FitEstimate {
  const { weightsBytes, architecture, contextLength, kvCacheType } = input;
  const kv = architecture ? kvCacheBytes(architecture, contextLength, kvCacheType) : Math.round(weightsBytes * ASSUMED_KV_SHARE);
  return {
    contextLength,
    kvCacheType,
    weightsBytes,
    kvCacheBytes: kv,
    kvCacheKnown: architecture !== null,
    overheadBytes: OVERHEAD_BYTES,
    totalBytes: weightsBytes + kv + OVERHEAD_BYTES,
  };
}

export const FitVerdictSchema = z.enum(['gpu', 'partial', 'cpu', 'too-large']);
export type FitVerdict = z.infer<typeof FitVerdictSchema>;

export const FitSchema = z.object({
  verdict: FitVerdictSchema,
  /** The share of the model expected on the GPU: 100 for `gpu`, about N for `partial`, 0 otherwise. */
  gpuPercent: z.number().int().min(0).max(100),
  estimate: FitEstimateSchema,
  /** The verdict with its numbers, as one sentence. */
  summary: z.string(),
});
export type Fit = z.infer<typeof FitSchema>;

export const FIT_RULE =
  'Needed memory = weights + KV cache at the context length + 0.5 GiB overhead. It fits on the GPU when that is at most the GPU budget; partly on the GPU when the rest fits in usable RAM (all of it less 2 GiB for the system); CPU only when there is no GPU; otherwise it does not fit.';

/** The verdict for `estimate` on a machine with `budget` (see `FIT_RULE`). */
export function judgeFit(estimate: FitEstimate, budget: MemoryBudget): Fit {
  const need = estimate.totalBytes;
  const ram = Math.max(0, budget.ramBytes - RAM_HEADROOM_BYTES);
  // Unified memory: the GPU's share is part of RAM, not beside it.
  const capacity = budget.unified ? Math.max(ram, budget.gpuBytes) : ram + budget.gpuBytes;
  const needs = `needs ${formatBytes(need)} at ${estimate.contextLength.toLocaleString('en-US')} tokens`;
  const gpu = formatBytes(budget.gpuBytes);
  const fit = (verdict: FitVerdict, gpuPercent: number, summary: string): Fit => ({ verdict, gpuPercent, estimate, summary });
  if (need > capacity) {
    const room = budget.gpuBytes > 0 && !budget.unified ? `${gpu} GPU + ${formatBytes(ram)} usable RAM` : `${formatBytes(capacity)} of usable memory`;
    return fit('too-large', 0, `Does not fit: ${needs}; this machine has ${room}.`);
  }
  if (budget.gpuBytes === 0) return fit('cpu', 0, `CPU only: ${needs} of ${formatBytes(ram)} usable RAM; no GPU, so it runs slowly.`);
  if (need <= budget.gpuBytes) return fit('gpu', 100, `Fits on the GPU: ${needs} of ${gpu}.`);
  const percent = Math.floor((budget.gpuBytes / need) * 100);
  return fit('partial', percent, `Partly on the GPU (about ${percent} %): ${needs}, the GPU holds ${gpu}; the rest runs slower on the CPU.`);
}

/** The share of a loaded model Ollama put on the GPU, from `/api/ps`'s `size` and `size_vram`. */
export const gpuShare = (sizeBytes: number, vramBytes: number): number => (sizeBytes > 0 ? Math.round((Math.min(vramBytes, sizeBytes) / sizeBytes) * 100) : 0);

/** A loaded split more than `SPLIT_TOLERANCE` points from the estimate, worded with its fix; null when they agree. */
export function splitProblem(expected: Fit, actualPercent: number): { reason: string; fix: string } | null {
  const difference = actualPercent - expected.gpuPercent;
  if (Math.abs(difference) <= SPLIT_TOLERANCE) return null;
  const reason = `Ollama put ${actualPercent} % of it on the GPU; the estimate was ${expected.gpuPercent} %.`;
  if (difference > 0) return { reason, fix: 'More fits than estimated: nothing to fix, longer contexts may fit too.' };
  return {
    reason,
    fix: `Pull a smaller quantisation of this model (e.g. a q4_K_S or q3_K_M tag), or shorten its context (now ${expected.estimate.contextLength.toLocaleString('en-US')} tokens); other programs may also be using the GPU.`,
  };
}

import type { ModelArchitecture } from './fit.ts';

/**
 * The architecture of each suggested model, as its `model_info` states it once pulled (from the
 * models' published configurations), so the fit of a model not downloaded yet counts its KV
 * cache too. Gemma 3 caches most layers over a sliding window, so its estimate errs high.
 */
const arch = (
  blockCount: number,
  headCount: number,
  headCountKv: number,
  embeddingLength: number,
  contextLength: number,
  headWidth: number | null = null,
): ModelArchitecture => ({
  blockCount,
  headCount,
  headCountKv,
  embeddingLength,
  keyLength: headWidth,
  valueLength: headWidth,
  contextLength,
});

export const SUGGESTED_ARCHITECTURES: Readonly<Record<string, ModelArchitecture>> = {
  'llama3.2:1b': arch(16, 32, 8, 2048, 131_072),
  'llama3.2': arch(28, 24, 8, 3072, 131_072),
  'gemma3:4b': arch(34, 8, 4, 2560, 131_072, 256),
  mistral: arch(32, 32, 8, 4096, 32_768),
  'qwen2.5-coder:7b': arch(28, 28, 4, 3584, 32_768),
  'qwen2.5:7b': arch(28, 28, 4, 3584, 32_768),
  'gemma3:12b': arch(48, 16, 8, 3840, 131_072, 256),
};

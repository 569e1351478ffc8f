/**
 * `model_info` as Ollama's `/api/show` gives it (GGUF metadata keys under the architecture's
 * name), for the fit estimate's KV cache. Known models carry their published architecture; any
 * other name gets a small llama-shaped one, so every installed model has one.
 */
interface Shape {
  architecture: string;
  blockCount: number;
  headCount: number;
  headCountKv: number;
  embeddingLength: number;
  contextLength: number;
}

const llama = (blockCount: number, headCount: number, embeddingLength: number): Shape => ({
  architecture: 'llama',
  blockCount,
  headCount,
  headCountKv: 8,
  embeddingLength,
  contextLength: 131_072,
});

const SHAPES: Record<string, Shape> = {
  'llama3.2:latest': llama(28, 24, 3072),
  'llama3.2:1b': llama(16, 32, 2048),
  'qwen2.5:0.5b': { architecture: 'qwen2', blockCount: 24, headCount: 14, headCountKv: 2, embeddingLength: 896, contextLength: 32_768 },
  'all-minilm:latest': { architecture: 'bert', blockCount: 6, headCount: 12, headCountKv: 12, embeddingLength: 384, contextLength: 512 },
};

export function fakeModelInfo(fullName: string): Record<string, unknown> {
  const shape = SHAPES[fullName] ?? llama(16, 32, 2048);
  const prefix = shape.architecture;
  return {
    'general.architecture': prefix,
    [`${prefix}.block_count`]: shape.blockCount,
    [`${prefix}.attention.head_count`]: shape.headCount,
    [`${prefix}.attention.head_count_kv`]: shape.headCountKv,
    [`${prefix}.embedding_length`]: shape.embeddingLength,
    [`${prefix}.context_length`]: shape.contextLength,
  };
}

/** `/api/ps`'s `size_vram`: the share of the model the double reports on the GPU (all of it unless configured). */
export const fakeVramBytes = (fullName: string, sizeBytes: number, shares: Readonly<Record<string, number>> | undefined): number =>
  Math.round(sizeBytes * Math.min(1, Math.max(0, shares?.[fullName] ?? 1)));

/**
 * Download sizes of the Ollama models the app suggests, as ollama.com/library lists them for
 * the default tag (rounded to 0.1 GB there), so that "Pull" can say what it costs before the
 * first byte arrives.
 */
export const OLLAMA_DOWNLOAD_BYTES: Readonly<Record<string, number>> = {
  'llama3.2': 2.0e9,
  'llama3.2:1b': 1.3e9,
  'qwen2.5:7b': 4.7e9,
  'qwen2.5-coder:7b': 4.7e9,
  'gemma3:4b': 3.3e9,
  mistral: 4.1e9,
};

/** The download size of a model, if known (`llama3.2` and `llama3.2:latest` are one model). */
export const downloadSizeOf = (model: string): number | null => OLLAMA_DOWNLOAD_BYTES[model.replace(/:latest$/, '')] ?? null;

import { OLLAMA_MODEL_NAME as OLLAMA_MODEL } from '../shared/model-catalog.ts';
import type { Provider } from '../shared/providers.ts';

const OPENAI_MODEL = /^(gpt-|o\d|chatgpt-|ft:|codex-|computer-use-)/i;

/**
 * A reason why a model name looks wrong for its provider, or undefined. Only a hint: proxies
 * and fine-tunes use names of their own, so callers report it as a warning.
 */
export function modelNameMismatch(provider: Provider, model: string): string | undefined {
  switch (provider) {
    case 'anthropic':
      return /^claude-/i.test(model) ? undefined : 'Anthropic model names start with "claude-"';
    case 'openai':
      return OPENAI_MODEL.test(model) ? undefined : 'OpenAI model names usually start with "gpt-" or "o"';
    case 'ollama':
      if (/^(claude-|gpt-)/i.test(model)) return 'this looks like a cloud model name, not an Ollama model';
      return OLLAMA_MODEL.test(model) ? undefined : 'Ollama model names have the form name[:tag], e.g. llama3.2:3b';
  }
}

// Shared with the renderer, which marks the model in use in the Models screen.
export { canonicalOllamaModel, isOllamaModelInstalled } from '../shared/model-catalog.ts';

import { PROVIDER_SPECS, type Provider } from '../shared/providers.ts';

/**
 * A reason why a model name looks wrong for its provider, or undefined. Only a hint: proxies
 * and fine-tunes use names of their own, so callers report it as a warning.
 */
export function modelNameMismatch(provider: Provider, model: string): string | undefined {
  const { pattern, hint, foreign } = PROVIDER_SPECS[provider].modelName;
  if (foreign?.pattern.test(model)) return foreign.hint;
  return pattern.test(model) ? undefined : hint;
}

// Shared with the renderer, which marks the model in use in the Models screen.
export { canonicalOllamaModel, isOllamaModelInstalled } from '../shared/model-catalog.ts';

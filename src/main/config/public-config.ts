import type { PublicConfig } from '../../shared/config.ts';
import { perCloudProvider, type CloudProvider } from '../../shared/providers.ts';
import { maskSecret } from '../../shared/secret-mask.ts';
import type { ResolvedConfig } from './resolve.ts';

/** The resolved configuration with every key masked: the only form that leaves the core. */
export function toPublicConfig(config: ResolvedConfig): PublicConfig {
  const maskedKey = (key: ResolvedConfig['keys'][CloudProvider]) => (key ? { source: key.source, masked: maskSecret(key.value) } : null);
  return {
    provider: config.provider,
    endpoint: config.endpoint,
    endpoints: config.customEndpoints.map(({ key, ...endpoint }) => ({ ...endpoint, key: key ? { masked: maskSecret(key.value) } : null })),
    model: config.model,
    baseUrl: config.baseUrl,
    apiKey: { ...config.apiKey, value: config.apiKey.value === null ? null : maskSecret(config.apiKey.value) },
    keys: perCloudProvider((provider) => maskedKey(config.keys[provider])),
    errors: config.errors,
    warnings: config.warnings,
  };
}

/**
 * The model as every report names it, with why when it is not what the user would expect:
 * "fast → llama3.2:1b (settings)", "phi3:mini (default: llama3.2 is not installed, using the first installed model)".
 */
export function describeModel(model: Pick<ResolvedConfig['model'], 'value' | 'source' | 'alias' | 'why'>): string {
  return `${model.alias ? `${model.alias.alias} → ` : ''}${model.value} (${model.source}${model.why ? `: ${model.why}` : ''})`;
}

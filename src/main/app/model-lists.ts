import type { ModelList } from '../../shared/ipc.ts';
import { SUGGESTED_OLLAMA_MODELS, formatGigabytes } from '../../shared/model-catalog.ts';
import { PROVIDER_SPECS, type Provider } from '../../shared/providers.ts';
import { isOllamaModelInstalled } from '../../lib/model-names.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { OllamaManager } from '../ollama/manager.ts';
import { checkKey, listProviderModels } from '../providers/provider-api.ts';
import { describe } from './command-error.ts';

export interface ModelListDeps {
  ollama: OllamaManager;
  /** The configuration in force (read after each request, which may have taken a while). */
  config: () => ResolvedConfig;
  /** The endpoint of a cloud provider, as the configuration resolves it. */
  endpointOf: (provider: Provider) => string;
  /** Masks keys in text from elsewhere (an SDK's error message). */
  redact: (text: string) => string;
}

/** The suggestions for `provider` not installed yet, with Ollama's size where the catalog knows it. Pure. */
export function suggestedModels(provider: Provider, installed: readonly string[]): ModelList['models'] {
  return PROVIDER_SPECS[provider].suggestedModels
    .filter((name) => !isOllamaModelInstalled(name, installed))
    .map((name) => {
      const known = SUGGESTED_OLLAMA_MODELS.find((model) => model.name === name);
      return { name, installed: false, ...(known ? { detail: `${known.parameterSize} · ${formatGigabytes(known.downloadBytes)} download` } : {}) };
    });
}

/**
 * The models a picker offers for `provider`: Ollama's installed models then the suggestions;
 * a cloud provider's own list with its key, else the suggestions with why there is no list.
 */
export async function listModels(provider: Provider, { ollama, config, endpointOf, redact }: ModelListDeps): Promise<ModelList> {
  if (provider === 'ollama') {
    try {
      const models = await ollama.listModels();
      const names = models.map((model) => model.name);
      const { provider: active, model } = config();
      const inUse = active.value === 'ollama' ? model.value : undefined;
      const selected = inUse === undefined ? undefined : names.find((name) => isOllamaModelInstalled(inUse, [name]));
      return {
        provider,
        origin: 'ollama-tags',
        ...(selected !== undefined ? { selected } : {}),
        models: [
          ...models.map((model) => ({ name: model.name, installed: true, detail: [model.parameterSize, model.quantization].filter(Boolean).join(' · ') })),
          ...suggestedModels(provider, names),
        ],
      };
    } catch (error) {
      return {
        provider,
        origin: 'suggested',
        models: suggestedModels(provider, []),
        error: { message: `Ollama's models could not be listed: ${describe(error)}`, fix: 'Start Ollama, then try again.' },
      };
    }
  }
  const key = config().keys[provider];
  const offline = (message: string, fix: string): ModelList => ({
    provider,
    origin: 'suggested',
    models: PROVIDER_SPECS[provider].suggestedModels.map((name) => ({ name, installed: true })),
    error: { message, fix },
  });
  if (!key) return offline(`No ${PROVIDER_SPECS[provider].label} key yet, so these are suggestions.`, 'Add a key to see every model it can use.');
  try {
    return { provider, origin: 'provider-api', models: await listProviderModels({ provider, key: key.value, baseUrl: endpointOf(provider) }) };
  } catch (error) {
    const check = await checkKey({ provider, key: key.value, baseUrl: endpointOf(provider) });
    // The SDK's own text may quote the key: it goes through the redactor like every log line.
    return offline(check.outcome === 'valid' ? redact(describe(error)) : check.message, check.fix ?? 'Try again later.');
  }
}

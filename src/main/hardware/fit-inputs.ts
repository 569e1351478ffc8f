/**
 * The inputs of the fit estimate that come from settings and the environment, read the same way
 * by the Models screen, the alias resolver and `--doctor`.
 */
import { OLLAMA_DEFAULT_CONTEXT, kvCacheTypeOf } from '../../shared/fit.ts';
import type { ModelCatalog } from '../../shared/ipc.ts';
import { canonicalOllamaModel } from '../../shared/model-catalog.ts';
import type { Settings } from '../../shared/settings.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The context length models run at unless their card sets one: the app's setting (which it
 * passes to the Ollama it launches), else the environment's, else Ollama's default.
 */
export function defaultContext(settings: Settings, env: Env): ModelCatalog['defaultContext'] {
  if (settings.ollama.contextLength !== undefined)
    return { tokens: settings.ollama.contextLength, source: 'settings (OLLAMA_CONTEXT_LENGTH of the Ollama this app starts)' };
  const fromEnv = Number(env.OLLAMA_CONTEXT_LENGTH?.trim());
  if (Number.isInteger(fromEnv) && fromEnv > 0) return { tokens: fromEnv, source: 'env OLLAMA_CONTEXT_LENGTH' };
  return { tokens: OLLAMA_DEFAULT_CONTEXT, source: "Ollama's default" };
}

/** `OLLAMA_KV_CACHE_TYPE` as the estimate counts it (Ollama quantises the cache only with flash attention on; the estimate trusts the setting). */
export function kvCache(env: Env): ModelCatalog['kvCache'] {
  const raw = env.OLLAMA_KV_CACHE_TYPE?.trim();
  return raw ? { type: kvCacheTypeOf(raw), source: `env OLLAMA_KV_CACHE_TYPE=${raw}` } : { type: 'f16', source: "Ollama's default (f16)" };
}

/** The context length saved on a model's card, if any. */
export const cardContext = (settings: Settings, model: string): number | undefined => settings.ollama.modelContext?.[canonicalOllamaModel(model)];

/** The context length a model's fit is estimated at: its card's, else the default. */
export const contextOf = (settings: Settings, env: Env, model: string): number => cardContext(settings, model) ?? defaultContext(settings, env).tokens;

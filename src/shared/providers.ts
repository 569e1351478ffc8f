import { z } from 'zod';
import { SUGGESTED_OLLAMA_MODELS } from './model-catalog.ts';

/** The LLM providers a runner can be configured for, in the order the UI lists them. */
export const PROVIDERS = ['anthropic', 'openai', 'ollama'] as const;
export const ProviderSchema = z.enum(PROVIDERS);
export type Provider = z.infer<typeof ProviderSchema>;

/** Providers that need an API key. */
export const CLOUD_PROVIDERS = ['anthropic', 'openai'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

export const isCloudProvider = (provider: Provider): provider is CloudProvider => provider !== 'ollama';

export interface ProviderInfo {
  label: string;
  /** Used when no layer of the cascade names a model. */
  defaultModel: string;
  /** The provider's native base URL (Ollama: without `/v1`). */
  defaultBaseUrl: string;
}

export const PROVIDER_INFO: Record<Provider, ProviderInfo> = {
  anthropic: { label: 'Anthropic', defaultModel: 'claude-sonnet-5-5', defaultBaseUrl: 'https://api.anthropic.com' },
  openai: { label: 'OpenAI', defaultModel: 'gpt-5.4-mini', defaultBaseUrl: 'https://api.openai.com/v1' },
  ollama: { label: 'Ollama', defaultModel: 'llama3.2', defaultBaseUrl: 'http://127.0.0.1:11434' },
};

/** The environment variable each cloud provider's SDK reads its key from. */
export const API_KEY_ENV: Record<CloudProvider, string> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
};

/** The CLI flag that passes each cloud provider's key. */
export const API_KEY_FLAG: Record<CloudProvider, `--${string}`> = {
  anthropic: '--anthropic-key',
  openai: '--openai-key',
};

/**
 * Offered in model pickers when the live list cannot be fetched (no key yet, offline). Cloud
 * names must not be on their SDK's deprecation list (test/config/model-deprecation.test.ts).
 */
export const SUGGESTED_MODELS: Record<Provider, readonly string[]> = {
  anthropic: ['claude-sonnet-5-5', 'claude-opus-5-5', 'claude-haiku-5-5'],
  openai: ['gpt-5.4-mini', 'gpt-5.5', 'gpt-5.4'],
  // The Models screen's catalog, with sizes and what each is good at.
  ollama: SUGGESTED_OLLAMA_MODELS.map((model) => model.name),
};

/**
 * What `fast`, `balanced` and `powerful` mean for each cloud provider, and for Ollama when no
 * installed model fits (then the alias names a model to pull). Reviewed against the bundled SDKs'
 * model lists in December 2026 (none is on a deprecation list: test/config/model-deprecation.test.ts);
 * update it when a provider retires or adds a tier.
 */
export const MODEL_ALIAS_TABLE: Record<Provider, Record<'fast' | 'balanced' | 'powerful', string>> = {
  anthropic: { fast: 'claude-haiku-5-5', balanced: 'claude-sonnet-5-5', powerful: 'claude-opus-5-5' },
  openai: { fast: 'gpt-5.4-mini', balanced: 'gpt-5.4', powerful: 'gpt-5.5' },
  ollama: { fast: 'llama3.2:1b', balanced: 'llama3.2', powerful: 'qwen2.5:7b' },
};

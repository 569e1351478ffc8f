import { z } from 'zod';
import { OLLAMA_MODEL_NAME, SUGGESTED_OLLAMA_MODELS } from './model-catalog.ts';

/**
 * How a provider's base URL is written (src/lib/base-url.ts normalises to it):
 * - `ollama-native`: Ollama's own `http://host:port` without `/v1` (OLLAMA_HOST's lenient forms accepted);
 * - `sdk-adds-v1`: without `/v1`, which the SDK appends (Anthropic);
 * - `v1-when-bare`: a bare host gets `/v1`, any other path is kept (the OpenAI convention).
 */
export type BaseUrlForm = 'ollama-native' | 'sdk-adds-v1' | 'v1-when-bare';

/** Which adapter of the built-in runner speaks to it (src/builtin-runner/sdk-adapters.ts). */
export type SdkName = 'anthropic' | 'openai-chat';

/** A provider's API key: the variable its SDK reads, the CLI flag, and the shape keys have. */
export interface KeySpec {
  env: string;
  flag: `--${string}`;
  /** Every key the provider issues starts so; a key without it draws a warning. */
  prefix: string;
  /** The characters after the prefix, as a pattern source (the redactor masks `prefix` + this). */
  body: string;
  /** Where a user creates one. */
  page: string;
}

export interface ProviderSpec {
  label: string;
  /** Null: no key (a local server). */
  key: KeySpec | null;
  baseUrl: {
    /** The provider's native base URL, in `form`. */
    default: string;
    /** The variable that names this provider's base URL (its SDK's own, or Ollama's). */
    env: string;
    form: BaseUrlForm;
    /** The address is the provider's own service (a URL given for another provider that matches draws a warning). */
    owns: { hostname: string } | { port: number };
  };
  sdk: SdkName;
  /** `max_completion_tokens` (OpenAI; reasoning models reject `max_tokens`) or `max_tokens` (Ollama, most compatible servers). */
  tokenLimitField?: 'max_tokens' | 'max_completion_tokens';
  /** Key sent when the provider needs none but the SDK requires one. */
  placeholderKey?: string;
  /** How the runner's start-up check proves the provider works: an authenticated model lookup, or Ollama's native API. */
  check: 'retrieve-model' | 'ollama-native';
  /** Where the list of models comes from: the provider's API, or the installed Ollama models. */
  models: 'provider-api' | 'ollama-tags';
  /** Of the provider's API list, the ids that are chat models. */
  chatModel?: RegExp;
  /** Model names that fit; `hint` says why a name does not. */
  modelName: { pattern: RegExp; hint: string; foreign?: { pattern: RegExp; hint: string } };
  /** Used when no layer of the cascade names a model. */
  defaultModel: string;
  /**
   * Offered in model pickers when the live list cannot be fetched (no key yet, offline). Cloud
   * names must not be on their SDK's deprecation list (test/config/model-deprecation.test.ts).
   */
  suggestedModels: readonly string[];
  /**
   * What `fast`, `balanced` and `powerful` mean (for Ollama when no installed model fits: then the
   * alias names a model to pull). Reviewed against the bundled SDKs' model lists in December 2026;
   * update it when a provider retires or adds a tier.
   */
  aliases: Record<'fast' | 'balanced' | 'powerful', string>;
  hints: {
    /** The base-URL field's placeholder in Settings. */
    baseUrl: string;
    /** What to do when the provider cannot be reached. */
    unreachable: string;
  };
}

/**
 * The one table of providers, in the order the UI lists them. Everything provider-specific is
 * here: the schemas (settings, state, commands), the cascade, the runner contract and the UI are
 * built from it, and each `Record<Provider, …>` elsewhere fails to compile without an entry for a
 * new id. A user's OpenAI-compatible endpoint is not an entry: it is data (src/shared/endpoints.ts).
 */
const SPECS = {
  anthropic: {
    label: 'Anthropic',
    key: { env: 'ANTHROPIC_API_KEY', flag: '--anthropic-key', prefix: 'sk-ant-', body: '[A-Za-z0-9_-]{20,}', page: 'console.anthropic.com → API keys' },
    baseUrl: { default: 'https://api.anthropic.com', env: 'ANTHROPIC_BASE_URL', form: 'sdk-adds-v1', owns: { hostname: 'api.anthropic.com' } },
    sdk: 'anthropic',
    check: 'retrieve-model',
    models: 'provider-api',
    modelName: { pattern: /^claude-/i, hint: 'Anthropic model names start with "claude-"' },
    defaultModel: 'claude-sonnet-5-5',
    suggestedModels: ['claude-sonnet-5-5', 'claude-opus-5-5', 'claude-haiku-5-5'],
    aliases: { fast: 'claude-haiku-5-5', balanced: 'claude-sonnet-5-5', powerful: 'claude-opus-5-5' },
    hints: { baseUrl: 'https://api.anthropic.com, or a proxy', unreachable: 'Check the network connection and the base URL.' },
  },
  openai: {
    label: 'OpenAI',
    key: { env: 'OPENAI_API_KEY', flag: '--openai-key', prefix: 'sk-', body: '[A-Za-z0-9_-]{20,}', page: 'platform.openai.com → API keys' },
    baseUrl: { default: 'https://api.openai.com/v1', env: 'OPENAI_BASE_URL', form: 'v1-when-bare', owns: { hostname: 'api.openai.com' } },
    sdk: 'openai-chat',
    tokenLimitField: 'max_completion_tokens',
    check: 'retrieve-model',
    models: 'provider-api',
    chatModel: /^(gpt-|o\d|chatgpt-)/,
    modelName: { pattern: /^(gpt-|o\d|chatgpt-|ft:|codex-|computer-use-)/i, hint: 'OpenAI model names usually start with "gpt-" or "o"' },
    defaultModel: 'gpt-5.4-mini',
    suggestedModels: ['gpt-5.4-mini', 'gpt-5.5', 'gpt-5.4'],
    aliases: { fast: 'gpt-5.4-mini', balanced: 'gpt-5.4', powerful: 'gpt-5.5' },
    hints: {
      baseUrl: 'https://api.openai.com/v1; for LM Studio, vLLM, OpenRouter add an endpoint below',
      unreachable: 'Check the network connection and the base URL.',
    },
  },
  ollama: {
    label: 'Ollama',
    key: null,
    baseUrl: { default: 'http://127.0.0.1:11434', env: 'OLLAMA_HOST', form: 'ollama-native', owns: { port: 11434 } },
    // Through its OpenAI-compatible `/v1` endpoint, as the seed's `get_llm` does.
    sdk: 'openai-chat',
    tokenLimitField: 'max_tokens',
    placeholderKey: 'ollama',
    check: 'ollama-native',
    models: 'ollama-tags',
    modelName: {
      pattern: OLLAMA_MODEL_NAME,
      hint: 'Ollama model names have the form name[:tag], e.g. llama3.2:3b',
      foreign: { pattern: /^(claude-|gpt-)/i, hint: 'this looks like a cloud model name, not an Ollama model' },
    },
    defaultModel: 'llama3.2',
    // The Models screen's catalog, with sizes and what each is good at.
    suggestedModels: SUGGESTED_OLLAMA_MODELS.map((model) => model.name),
    aliases: { fast: 'llama3.2:1b', balanced: 'llama3.2', powerful: 'qwen2.5:7b' },
    hints: {
      baseUrl: 'http://127.0.0.1:11434, or a remote Ollama',
      unreachable: 'Start Ollama (`ollama serve`) or check OLLAMA_HOST / the base URL.',
    },
  },
} as const satisfies Record<string, ProviderSpec>;

type Specs = typeof SPECS;
export type Provider = keyof Specs;
export const PROVIDER_SPECS: Record<Provider, ProviderSpec> = SPECS;
/** Providers that need an API key. */
export type CloudProvider = { [P in Provider]: Specs[P]['key'] extends null ? never : P }[Provider];

export const PROVIDERS = Object.keys(SPECS) as [Provider, ...Provider[]];
// Pure: a bundle that uses none of these schemas (the built-in runner's) leaves zod out, ~5 MB of its memory.
export const ProviderSchema = /* @__PURE__ */ z.enum(PROVIDERS);

export const isCloudProvider = (provider: Provider): provider is CloudProvider => PROVIDER_SPECS[provider].key !== null;
export const CLOUD_PROVIDERS = PROVIDERS.filter(isCloudProvider) as [CloudProvider, ...CloudProvider[]];
export const CloudProviderSchema = /* @__PURE__ */ z.enum(CLOUD_PROVIDERS);

/** The key of a cloud provider (the type says it has one). */
export const keySpec = (provider: CloudProvider): KeySpec => SPECS[provider].key;

/** A `Record<Provider, T>` built from the table. */
export const perProvider = <T>(make: (provider: Provider) => T): Record<Provider, T> =>
  Object.fromEntries(PROVIDERS.map((provider) => [provider, make(provider)])) as Record<Provider, T>;
export const perCloudProvider = <T>(make: (provider: CloudProvider) => T): Record<CloudProvider, T> =>
  Object.fromEntries(CLOUD_PROVIDERS.map((provider) => [provider, make(provider)])) as Record<CloudProvider, T>;

/** A zod object with one `schema` field per provider (settings, state and commands are built so). */
export const providerObject = <T extends z.ZodType>(schema: T) => z.object(perProvider(() => schema)).strict();
export const cloudProviderObject = <T extends z.ZodType>(schema: T) => z.object(perCloudProvider(() => schema)).strict();

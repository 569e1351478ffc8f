/**
 * The cascade's input and output types, apart from resolve.ts so that the resolvers it calls
 * (custom-endpoint.ts) can name them without importing it back.
 */
import type { ConfigIssue } from '../../shared/config.ts';
import type { Endpoint, EndpointSecret } from '../../shared/endpoints.ts';
import type { CloudProvider, Provider } from '../../shared/providers.ts';
import type { Settings } from '../../shared/settings.ts';
import type { ResolvedField } from './layers.ts';
import type { AliasResolution, FitFacts, InstalledSize } from './model-aliases.ts';

/** The endpoint chosen as the provider, as the runner contract and the window name it. */
export interface ActiveEndpoint {
  id: string;
  name: string;
}

/** Layer 1: values given on the command line (see `cli-options.ts`). */
export interface ConfigFlags {
  llmProvider?: string | undefined;
  llmModel?: string | undefined;
  llmBaseUrl?: string | undefined;
  /** `--anthropic-key` and the like (`KeySpec.flag`). */
  keys?: Partial<Record<CloudProvider, string | undefined>>;
}

/** A key held by a secret store: the OS keychain, or memory for this session only. */
export interface StoredKey {
  value: string;
  source: 'keychain' | 'session';
}

/** Facts detected about the machine; absent when not (yet) known. */
export interface DetectedFacts {
  /** Models installed in the Ollama server at the resolved host. */
  ollamaModels?: readonly string[] | undefined;
  /** The same models with their size on disk, for the `fast`/`balanced`/`powerful` aliases. */
  ollamaModelSizes?: readonly InstalledSize[] | undefined;
  /** This machine's memory, for whether an Ollama model fits. */
  totalMemoryBytes?: number | undefined;
  /** The GPU budget and the KV cache's context and type, for the same verdicts as the Models screen. */
  fit?: FitFacts | undefined;
}

export interface CascadeInput {
  flags: ConfigFlags;
  env: Readonly<Record<string, string | undefined>>;
  settings: Pick<Settings, 'provider' | 'providers' | 'endpoints'>;
  /** Keys from the secret store: the cloud providers' and the endpoints' (`endpoint:<id>`). */
  storedKeys: Partial<Record<CloudProvider | EndpointSecret, StoredKey>>;
  facts: DetectedFacts;
}

export interface ResolvedConfig {
  /** The provider; for an endpoint, the family it speaks (`openai`), with `endpoint` set. */
  provider: ResolvedField<Provider>;
  /** The OpenAI-compatible endpoint chosen (`--llm-provider my-groq`), or null for a built-in provider. */
  endpoint: ActiveEndpoint | null;
  /** Every endpoint the user added, with its key when one is stored. */
  customEndpoints: readonly (Endpoint & { key: ResolvedField<string> | null })[];
  /**
   * With `alias` when the input was `fast`, `balanced` or `powerful`: `value` is the model it resolved to.
   * With `why` when the default is not the provider's usual model (it is not installed).
   */
  model: ResolvedField<string> & { alias?: Omit<AliasResolution, 'model'>; why?: string };
  /** The active provider's endpoint, `endpoints[provider]`. */
  baseUrl: ResolvedField<string>;
  /**
   * Every provider's endpoint, active or not (`endpoint.ts`): what the Ollama manager, the key
   * check and the doctor use. Ollama: native `http://host:port`; OpenAI: ends in `/v1`; Anthropic: without `/v1`.
   */
  endpoints: Record<Provider, ResolvedField<string>>;
  /** The active provider's key in full; null for Ollama or when none is available. */
  apiKey: ResolvedField<string | null>;
  /** Every cloud key available, active or not, with its source. */
  keys: Record<CloudProvider, ResolvedField<string> | null>;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

import { API_KEY_ENV, API_KEY_FLAG, PROVIDERS, PROVIDER_INFO, isCloudProvider, type CloudProvider, type Provider } from '../../shared/providers.ts';
import { sourceName, type ConfigIssue } from '../../shared/config.ts';
import type { Settings } from '../../shared/settings.ts';
import { resolveEndpoint } from './endpoint.ts';
import { envCandidate, field, firstValid, flagCandidate, inputName, quote, type Candidate, type Issues, type Parsed, type ResolvedField } from './layers.ts';
import { resolveModelAlias, type AliasResolution, type FitFacts, type InstalledSize } from './model-aliases.ts';
import { isOllamaModelInstalled, modelNameMismatch } from '../../lib/model-names.ts';

export type { ResolvedField } from './layers.ts';

/** Layer 1: values given on the command line (see `cli-options.ts`). */
export interface ConfigFlags {
  llmProvider?: string | undefined;
  llmModel?: string | undefined;
  llmBaseUrl?: string | undefined;
  anthropicKey?: string | undefined;
  openaiKey?: string | undefined;
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
  settings: Pick<Settings, 'provider' | 'providers'>;
  storedKeys: Partial<Record<CloudProvider, StoredKey>>;
  facts: DetectedFacts;
}

export interface ResolvedConfig {
  provider: ResolvedField<Provider>;
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

function resolveKeys(input: CascadeInput, issues: Issues): ResolvedConfig['keys'] {
  const keyFor = (provider: CloudProvider): ResolvedField<string> | null => {
    const flagValue = provider === 'anthropic' ? input.flags.anthropicKey : input.flags.openaiKey;
    const stored = input.storedKeys[provider];
    const candidates: Candidate[] = [{ source: `flag:${API_KEY_FLAG[provider]}`, raw: flagValue }, envCandidate(input.env, API_KEY_ENV[provider])];
    if (stored) candidates.push({ source: stored.source, raw: stored.value });
    const found = firstValid('apiKey', candidates, (raw) => ({ ok: true, value: raw }), issues);
    if (!found) return null;
    if (found.source.startsWith('flag:')) {
      issues.warnings.push({
        field: 'apiKey',
        source: found.source,
        message: `${sourceName(found.source)} puts the key on the command line, where other local users can read it; prefer ${API_KEY_ENV[provider]} or the keychain`,
      });
    }
    const expectedPrefix = provider === 'anthropic' ? 'sk-ant-' : 'sk-';
    if (!found.value.startsWith(expectedPrefix)) {
      issues.warnings.push({
        field: 'apiKey',
        source: found.source,
        message: `The ${PROVIDER_INFO[provider].label} key from ${inputName(found.source, `${provider} key`)} does not start with "${expectedPrefix}"; check that it is a ${PROVIDER_INFO[provider].label} key`,
      });
    }
    return found;
  };
  return { anthropic: keyFor('anthropic'), openai: keyFor('openai') };
}

function resolveProvider(input: CascadeInput, keys: ResolvedConfig['keys'], issues: Issues) {
  const parseProvider = (raw: string, candidate: Candidate): Parsed<Provider> => {
    const lower = raw.toLowerCase();
    const provider = PROVIDERS.find((known) => known === lower);
    if (provider) return { ok: true, value: provider };
    return {
      ok: false,
      message: `${inputName(candidate.source, 'provider')}=${quote(raw)} is not one of ${PROVIDERS.join(', ')}; set it to one of them, or unset it to use the default`,
    };
  };
  const chosen = firstValid(
    'provider',
    [
      flagCandidate('llm-provider', input.flags.llmProvider),
      envCandidate(input.env, 'STIGMER_LLM_PROVIDER'),
      envCandidate(input.env, 'LLM_PROVIDER'),
      { source: 'settings', raw: input.settings.provider },
    ],
    parseProvider,
    issues,
  );
  if (chosen) return chosen;
  const smartDefault: Provider = keys.anthropic ? 'anthropic' : keys.openai ? 'openai' : 'ollama';
  return field(smartDefault, 'default');
}

/**
 * The smart default model, with why when it is not the provider's usual one: the runner gets
 * exactly this, so every report (`--print-config`, the startup line, `--doctor`) says the same.
 */
function defaultModel(provider: Provider, facts: DetectedFacts): ResolvedConfig['model'] {
  const preferred = PROVIDER_INFO[provider].defaultModel;
  const installed = facts.ollamaModels;
  const first = installed?.[0];
  if (provider !== 'ollama' || first === undefined || isOllamaModelInstalled(preferred, installed ?? [])) return field(preferred, 'default');
  return { ...field(first, 'default'), why: `${preferred} is not installed, using the first installed model` };
}

function resolveModel(input: CascadeInput, provider: Provider, issues: Issues): ResolvedConfig['model'] {
  const given =
    firstValid(
      'model',
      [
        flagCandidate('llm-model', input.flags.llmModel),
        envCandidate(input.env, 'STIGMER_LLM_MODEL'),
        envCandidate(input.env, 'LLM_MODEL'),
        { source: 'settings', raw: input.settings.providers[provider].model },
      ],
      (raw) => ({ ok: true, value: raw }),
      issues,
    ) ?? defaultModel(provider, input.facts);
  const aliased = resolveModelAlias(provider, given.value, {
    installed: input.facts.ollamaModelSizes,
    totalMemoryBytes: input.facts.totalMemoryBytes,
    ...input.facts.fit,
  });
  const model = aliased ? { ...given, value: aliased.model, alias: { alias: aliased.alias, basis: aliased.basis } } : given;

  const mismatch = modelNameMismatch(provider, model.value);
  if (mismatch) {
    issues.warnings.push({
      field: 'model',
      source: model.source,
      message: `Model ${quote(model.value)} from ${inputName(model.source, `providers.${provider}.model`)} looks wrong for ${provider}: ${mismatch}`,
    });
  }
  const installed = input.facts.ollamaModels;
  if (provider === 'ollama' && installed && !isOllamaModelInstalled(model.value, installed)) {
    issues.warnings.push({
      field: 'model',
      source: model.source,
      message: `Model ${quote(model.value)} is not installed in Ollama; pull it from the app or run: ollama pull ${model.value}`,
    });
  }
  return model;
}

/**
 * Every provider's endpoint. The active provider's issues are the configuration's; an inactive
 * provider's errors are only warnings, since nothing uses that endpoint until it is chosen.
 */
function resolveEndpoints(input: CascadeInput, provider: ResolvedField<Provider>, issues: Issues): Record<Provider, ResolvedField<string>> {
  const entries = PROVIDERS.map((candidate) => {
    const result = resolveEndpoint({ flags: input.flags, env: input.env, settings: input.settings, chosen: provider }, candidate);
    if (candidate === provider.value) {
      issues.errors.push(...result.errors);
      issues.warnings.push(...result.warnings);
    } else {
      for (const issue of [...result.errors, ...result.warnings]) {
        issues.warnings.push({ ...issue, message: `${issue.message} (this applies to ${PROVIDER_INFO[candidate].label} when it is the provider)` });
      }
    }
    return [candidate, result.endpoint] as const;
  });
  return Object.fromEntries(entries) as Record<Provider, ResolvedField<string>>;
}

/**
 * The configuration cascade (docs/ARCHITECTURE.md §1): each field resolved on its own, CLI flag, then
 * environment, then saved settings, then a smart default. Pure: same input, same answer.
 */
export function resolveConfig(input: CascadeInput): ResolvedConfig {
  const issues: Issues = { errors: [], warnings: [] };
  const keys = resolveKeys(input, issues);
  const provider = resolveProvider(input, keys, issues);
  const model = resolveModel(input, provider.value, issues);
  const endpoints = resolveEndpoints(input, provider, issues);
  const baseUrl = endpoints[provider.value];

  let apiKey: ResolvedField<string | null> = field(null, 'default');
  if (isCloudProvider(provider.value)) {
    const key = keys[provider.value];
    if (key) {
      apiKey = key;
    } else {
      issues.errors.push({
        field: 'apiKey',
        source: provider.source,
        message: `${PROVIDER_INFO[provider.value].label} needs an API key: set ${API_KEY_ENV[provider.value]}, pass ${API_KEY_FLAG[provider.value]}, or add a key in Settings`,
      });
    }
  }
  return { provider, model, baseUrl, endpoints, apiKey, keys, ...issues };
}

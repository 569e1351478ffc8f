import {
  keySpec,
  CLOUD_PROVIDERS,
  PROVIDERS,
  PROVIDER_SPECS,
  isCloudProvider,
  perCloudProvider,
  type CloudProvider,
  type Provider,
} from '../../shared/providers.ts';
import { ENDPOINT_FAMILY, endpointSecret, type Endpoint } from '../../shared/endpoints.ts';
import { sourceName } from '../../shared/config.ts';
import { GENERIC_BASE_URL_VARIABLES, resolveEndpoint } from './endpoint.ts';
import { resolveCustomEndpoint } from './custom-endpoint.ts';
import type { CascadeInput, DetectedFacts, ResolvedConfig } from './cascade.ts';
import { envCandidate, field, firstValid, flagCandidate, inputName, quote, type Candidate, type Issues, type Parsed, type ResolvedField } from './layers.ts';
import { resolveModelAlias } from './model-aliases.ts';
import { isOllamaModelInstalled, modelNameMismatch } from '../../lib/model-names.ts';

export type { ResolvedField } from './layers.ts';

export type { CascadeInput, ConfigFlags, DetectedFacts, ResolvedConfig, StoredKey } from './cascade.ts';

function resolveKeys(input: CascadeInput, issues: Issues): ResolvedConfig['keys'] {
  const keyFor = (provider: CloudProvider): ResolvedField<string> | null => {
    const flagValue = input.flags.keys?.[provider];
    const stored = input.storedKeys[provider];
    const candidates: Candidate[] = [{ source: `flag:${keySpec(provider).flag}`, raw: flagValue }, envCandidate(input.env, keySpec(provider).env)];
    if (stored) candidates.push({ source: stored.source, raw: stored.value });
    const found = firstValid('apiKey', candidates, (raw) => ({ ok: true, value: raw }), issues);
    if (!found) return null;
    if (found.source.startsWith('flag:')) {
      issues.warnings.push({
        field: 'apiKey',
        source: found.source,
        message: `${sourceName(found.source)} puts the key on the command line, where other local users can read it; prefer ${keySpec(provider).env} or the keychain`,
      });
    }
    const expectedPrefix = keySpec(provider).prefix;
    if (!found.value.startsWith(expectedPrefix)) {
      issues.warnings.push({
        field: 'apiKey',
        source: found.source,
        message: `The ${PROVIDER_SPECS[provider].label} key from ${inputName(found.source, `${provider} key`)} does not start with "${expectedPrefix}"; check that it is a ${PROVIDER_SPECS[provider].label} key`,
      });
    }
    return found;
  };
  return perCloudProvider(keyFor);
}

/** A built-in provider, or an endpoint's id. */
type Choice = { provider: Provider; endpoint?: undefined } | { provider: typeof ENDPOINT_FAMILY; endpoint: Endpoint };

function resolveProvider(input: CascadeInput, keys: ResolvedConfig['keys'], issues: Issues): ResolvedField<Choice> {
  const endpoints = input.settings.endpoints ?? [];
  const parseProvider = (raw: string, candidate: Candidate): Parsed<Choice> => {
    const lower = raw.toLowerCase();
    const provider = PROVIDERS.find((known) => known === lower);
    if (provider) return { ok: true, value: { provider } };
    const endpoint = endpoints.find((known) => known.id === lower);
    if (endpoint) return { ok: true, value: { provider: ENDPOINT_FAMILY, endpoint } };
    const names = [...PROVIDERS, ...endpoints.map((known) => known.id)].join(', ');
    return {
      ok: false,
      message: `${inputName(candidate.source, 'provider')}=${quote(raw)} is not one of ${names}; set it to one of them (add an endpoint with \`stigmer endpoints add\`), or unset it to use the default`,
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
  // The first cloud provider of the table with a key, else the first without a key (Ollama).
  const smartDefault = CLOUD_PROVIDERS.find((provider) => keys[provider]) ?? PROVIDERS.find((provider) => !isCloudProvider(provider)) ?? PROVIDERS[0];
  return field({ provider: smartDefault }, 'default');
}

/**
 * The smart default model, with why when it is not the provider's usual one: the runner gets
 * exactly this, so every report (`--print-config`, the startup line, `--doctor`) says the same.
 */
function defaultModel(provider: Provider, facts: DetectedFacts): ResolvedConfig['model'] {
  const preferred = PROVIDER_SPECS[provider].defaultModel;
  const installed = facts.ollamaModels;
  const first = installed?.[0];
  if (PROVIDER_SPECS[provider].models !== 'ollama-tags' || first === undefined || isOllamaModelInstalled(preferred, installed ?? []))
    return field(preferred, 'default');
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
  if (PROVIDER_SPECS[provider].models === 'ollama-tags' && installed && !isOllamaModelInstalled(model.value, installed)) {
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
        issues.warnings.push({ ...issue, message: `${issue.message} (this applies to ${PROVIDER_SPECS[candidate].label} when it is the provider)` });
      }
    }
    return [candidate, result.endpoint] as const;
  });
  return Object.fromEntries(entries) as Record<Provider, ResolvedField<string>>;
}

const withoutGenericUrls = (input: CascadeInput): CascadeInput => ({
  ...input,
  flags: { ...input.flags, llmBaseUrl: undefined },
  env: Object.fromEntries(Object.entries(input.env).filter(([name]) => !GENERIC_BASE_URL_VARIABLES.includes(name))),
});

/**
 * The configuration cascade (docs/ARCHITECTURE.md §1): each field resolved on its own, CLI flag, then
 * environment, then saved settings, then a smart default. Pure: same input, same answer.
 */
export function resolveConfig(input: CascadeInput): ResolvedConfig {
  const issues: Issues = { errors: [], warnings: [] };
  const keys = resolveKeys(input, issues);
  const choice = resolveProvider(input, keys, issues);
  const provider = { ...choice, value: choice.value.provider };
  // An endpoint has its own URL: a generic one (`--llm-base-url`, `LLM_BASE_URL`) is not OpenAI's then.
  const endpoints = resolveEndpoints(choice.value.endpoint ? withoutGenericUrls(input) : input, provider, issues);
  const customEndpoints = (input.settings.endpoints ?? []).map((endpoint) => {
    const stored = input.storedKeys[endpointSecret(endpoint.id)];
    return { ...endpoint, key: stored ? field(stored.value, stored.source) : null };
  });
  if (choice.value.endpoint) {
    const active = resolveCustomEndpoint(input, { ...choice, value: choice.value.endpoint }, issues);
    return {
      provider,
      endpoint: active.endpoint,
      customEndpoints,
      model: active.model,
      baseUrl: active.baseUrl,
      endpoints,
      apiKey: active.apiKey,
      keys,
      ...issues,
    };
  }
  const model = resolveModel(input, provider.value, issues);
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
        message: `${PROVIDER_SPECS[provider.value].label} needs an API key: set ${keySpec(provider.value).env}, pass ${keySpec(provider.value).flag}, or add a key in Settings`,
      });
    }
  }
  return { provider, endpoint: null, customEndpoints, model, baseUrl, endpoints, apiKey, keys, ...issues };
}

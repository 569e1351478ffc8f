import {
  API_KEY_ENV,
  API_KEY_FLAG,
  PROVIDERS,
  PROVIDER_INFO,
  isCloudProvider,
  type CloudProvider,
  type Provider,
} from '../../shared/providers.ts';
import { isPinnedSource, sourceName, type ConfigFieldName, type ConfigIssue, type ConfigSource } from '../../shared/config.ts';
import type { Settings } from '../../shared/settings.ts';
import { normaliseBaseUrl, type BaseUrlResult } from './base-url.ts';
import { resolveModelAlias, type AliasResolution, type InstalledSize } from './model-aliases.ts';
import { isOllamaModelInstalled, modelNameMismatch } from './model-names.ts';
import { connectableOllamaUrl, parseOllamaHost } from '../ollama/host.ts';

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
}

export interface CascadeInput {
  flags: ConfigFlags;
  env: Readonly<Record<string, string | undefined>>;
  settings: Pick<Settings, 'provider' | 'providers'>;
  storedKeys: Partial<Record<CloudProvider, StoredKey>>;
  facts: DetectedFacts;
}

export interface ResolvedField<T> {
  value: T;
  source: ConfigSource;
  pinned: boolean;
}

export interface ResolvedConfig {
  provider: ResolvedField<Provider>;
  /** With `alias` when the input was `fast`, `balanced` or `powerful`: `value` is the model it resolved to. */
  model: ResolvedField<string> & { alias?: Omit<AliasResolution, 'model'> };
  /** Ollama: native `http://host:port`; OpenAI: ends in `/v1`; Anthropic: without `/v1`. */
  baseUrl: ResolvedField<string>;
  /** The active provider's key in full; null for Ollama or when none is available. */
  apiKey: ResolvedField<string | null>;
  /** Every cloud key available, active or not, with its source. */
  keys: Record<CloudProvider, ResolvedField<string> | null>;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

interface Candidate {
  source: ConfigSource;
  raw: string | undefined;
}

type Parsed<T> = { ok: true; value: T; warning?: string } | { ok: false; message: string };

/** An empty or whitespace-only value counts as unset at every layer. */
const isBlank = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === '';

const field = <T>(value: T, source: ConfigSource): ResolvedField<T> => ({ value, source, pinned: isPinnedSource(source) });

const quote = (raw: string): string => JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);

/** How an input is named in messages: the flag or variable itself, or the saved setting's path. */
function inputName(source: ConfigSource, settingPath: string): string {
  if (source === 'settings') return `saved setting ${settingPath}`;
  return sourceName(source);
}

const flag = (name: string, raw: string | undefined): Candidate => ({ source: `flag:--${name}`, raw });
const env = (input: CascadeInput, name: string): Candidate => ({ source: `env:${name}`, raw: input.env[name] });

/**
 * Walks the candidates highest layer first and takes the first one that is set and valid.
 * An invalid value is reported as an error and the next layer is tried, so the rest of the
 * configuration can still be shown; the errors keep the runner from starting.
 */
function firstValid<T>(
  fieldName: ConfigFieldName,
  candidates: Candidate[],
  parse: (raw: string, candidate: Candidate) => Parsed<T>,
  issues: Pick<ResolvedConfig, 'errors' | 'warnings'>,
): ResolvedField<T> | undefined {
  for (const candidate of candidates) {
    if (isBlank(candidate.raw)) continue;
    const parsed = parse(candidate.raw.trim(), candidate);
    if (parsed.ok) {
      if (parsed.warning) issues.warnings.push({ field: fieldName, source: candidate.source, message: parsed.warning });
      return field(parsed.value, candidate.source);
    }
    issues.errors.push({ field: fieldName, source: candidate.source, message: parsed.message });
  }
  return undefined;
}

function resolveKeys(input: CascadeInput, issues: Pick<ResolvedConfig, 'errors' | 'warnings'>): ResolvedConfig['keys'] {
  const keyFor = (provider: CloudProvider): ResolvedField<string> | null => {
    const flagValue = provider === 'anthropic' ? input.flags.anthropicKey : input.flags.openaiKey;
    const stored = input.storedKeys[provider];
    const candidates: Candidate[] = [{ source: `flag:${API_KEY_FLAG[provider]}`, raw: flagValue }, env(input, API_KEY_ENV[provider])];
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
        message: `the ${PROVIDER_INFO[provider].label} key from ${inputName(found.source, `${provider} key`)} does not start with "${expectedPrefix}"; check that it is a ${PROVIDER_INFO[provider].label} key`,
      });
    }
    return found;
  };
  return { anthropic: keyFor('anthropic'), openai: keyFor('openai') };
}

function resolveProvider(input: CascadeInput, keys: ResolvedConfig['keys'], issues: Pick<ResolvedConfig, 'errors' | 'warnings'>) {
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
      flag('llm-provider', input.flags.llmProvider),
      env(input, 'STIGMER_LLM_PROVIDER'),
      env(input, 'LLM_PROVIDER'),
      { source: 'settings', raw: input.settings.provider },
    ],
    parseProvider,
    issues,
  );
  if (chosen) return chosen;
  const smartDefault: Provider = keys.anthropic ? 'anthropic' : keys.openai ? 'openai' : 'ollama';
  return field(smartDefault, 'default');
}

function defaultModel(provider: Provider, facts: DetectedFacts): string {
  const preferred = PROVIDER_INFO[provider].defaultModel;
  const installed = facts.ollamaModels;
  if (provider !== 'ollama' || !installed || installed.length === 0 || isOllamaModelInstalled(preferred, installed)) {
    return preferred;
  }
  return installed[0] ?? preferred;
}

function resolveModel(input: CascadeInput, provider: Provider, issues: Pick<ResolvedConfig, 'errors' | 'warnings'>): ResolvedConfig['model'] {
  const given =
    firstValid(
      'model',
      [
        flag('llm-model', input.flags.llmModel),
        env(input, 'STIGMER_LLM_MODEL'),
        env(input, 'LLM_MODEL'),
        { source: 'settings', raw: input.settings.providers[provider].model },
      ],
      (raw) => ({ ok: true, value: raw }),
      issues,
    ) ?? field(defaultModel(provider, input.facts), 'default');
  const aliased = resolveModelAlias(provider, given.value, { installed: input.facts.ollamaModelSizes, totalMemoryBytes: input.facts.totalMemoryBytes });
  const model = aliased ? { ...given, value: aliased.model, alias: { alias: aliased.alias, basis: aliased.basis } } : given;

  const mismatch = modelNameMismatch(provider, model.value);
  if (mismatch) {
    issues.warnings.push({
      field: 'model',
      source: model.source,
      message: `model ${quote(model.value)} from ${inputName(model.source, `providers.${provider}.model`)} looks wrong for ${provider}: ${mismatch}`,
    });
  }
  const installed = input.facts.ollamaModels;
  if (provider === 'ollama' && installed && !isOllamaModelInstalled(model.value, installed)) {
    issues.warnings.push({
      field: 'model',
      source: model.source,
      message: `model ${quote(model.value)} is not installed in Ollama; pull it from the app or run: ollama pull ${model.value}`,
    });
  }
  return model;
}

function resolveBaseUrl(input: CascadeInput, provider: Provider, issues: Pick<ResolvedConfig, 'errors' | 'warnings'>) {
  const parseUrl = (raw: string, candidate: Candidate): Parsed<string> => {
    if (candidate.source === 'env:OLLAMA_HOST') {
      // Ollama itself tolerates a bad port here (it warns and uses its default), so the app does too.
      const host = parseOllamaHost(raw);
      const native = normaliseBaseUrl('ollama', connectableOllamaUrl(host));
      if (native.ok) return host.warning ? { ok: true, value: native.url, warning: host.warning } : { ok: true, value: native.url };
      return invalidUrl(raw, candidate, native);
    }
    const result = normaliseBaseUrl(provider, raw);
    return result.ok ? { ok: true, value: result.url } : invalidUrl(raw, candidate, result);
  };
  const invalidUrl = (raw: string, candidate: Candidate, result: Extract<BaseUrlResult, { ok: false }>): Parsed<string> => ({
    ok: false,
    message: `${inputName(candidate.source, `providers.${provider}.baseUrl`)}=${quote(raw)} ${result.reason}; use http(s)://host[:port][/path], e.g. ${PROVIDER_INFO[provider].defaultBaseUrl}`,
  });
  const candidates: Candidate[] = [
    flag('llm-base-url', input.flags.llmBaseUrl),
    env(input, 'STIGMER_LLM_BASE_URL'),
    env(input, 'LLM_BASE_URL'),
    ...(provider === 'ollama' ? [env(input, 'OLLAMA_HOST')] : []),
    { source: 'settings', raw: input.settings.providers[provider].baseUrl },
  ];
  return firstValid('baseUrl', candidates, parseUrl, issues) ?? field(PROVIDER_INFO[provider].defaultBaseUrl, 'default');
}

/**
 * The configuration cascade (DESIGN.md §1): each field resolved on its own, CLI flag, then
 * environment, then saved settings, then a smart default. Pure: same input, same answer.
 */
export function resolveConfig(input: CascadeInput): ResolvedConfig {
  const issues: Pick<ResolvedConfig, 'errors' | 'warnings'> = { errors: [], warnings: [] };
  const keys = resolveKeys(input, issues);
  const provider = resolveProvider(input, keys, issues);
  const model = resolveModel(input, provider.value, issues);
  const baseUrl = resolveBaseUrl(input, provider.value, issues);

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
  return { provider, model, baseUrl, apiKey, keys, ...issues };
}

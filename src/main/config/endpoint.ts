import { sourceName, type ConfigSource } from '../../shared/config.ts';
import { PROVIDERS, PROVIDER_SPECS, isCloudProvider, type CloudProvider, type Provider } from '../../shared/providers.ts';
import type { Settings } from '../../shared/settings.ts';
import { connectableOllamaUrl, isLoopbackHostname, parseOllamaHost } from '../../lib/ollama-host.ts';
import { normaliseBaseUrl, toOllamaNativeUrl, type BaseUrlResult } from '../../lib/base-url.ts';
import {
  envCandidate,
  field,
  firstValid,
  flagCandidate,
  inputName,
  isBlank,
  quote,
  type Candidate,
  type Issues,
  type Parsed,
  type ResolvedField,
} from './layers.ts';

/**
 * "Where does provider P live?" (docs/ARCHITECTURE.md §1), answered once for every caller: the runner's
 * environment, the Ollama manager, the key check, `--doctor`. A key must only ever travel to a
 * URL the user gave for that provider, so a base URL belongs to a provider:
 *
 * - per-provider sources always do: the SDKs' own `ANTHROPIC_BASE_URL` / `OPENAI_BASE_URL`,
 *   Ollama's `OLLAMA_HOST`, and the saved setting of that provider;
 * - a generic one (`--llm-base-url`, `STIGMER_LLM_BASE_URL`, `LLM_BASE_URL`) binds to the
 *   provider chosen explicitly (flag, environment or saved setting). When the provider comes from
 *   the smart default, a generic URL that is Ollama's (see `ollamaSign`) is Ollama's and not the
 *   cloud provider's, and a plain-HTTP URL to another machine belongs to no one; either way the
 *   user is told why in a warning naming the variable;
 * - a cloud provider's URL is https, or plain HTTP to loopback only: anything else is an error,
 *   since the key would cross the network in clear text;
 * - a URL that is another provider's own address (`KNOWN_ADDRESSES`) given for a cloud provider is
 *   used as told, with a warning naming the input, that provider and the provider whose key goes
 *   there; a generic one when the provider is only the smart default goes to its owner instead.
 */

export interface EndpointInput {
  flags: { llmBaseUrl?: string | undefined };
  env: Readonly<Record<string, string | undefined>>;
  settings: Pick<Settings, 'providers'>;
  /** The active provider and where it came from. */
  chosen: { value: Provider; source: ConfigSource };
}

export interface Endpoint extends Issues {
  /** Normalised: Ollama native `http://host:port`, OpenAI ending in `/v1`, Anthropic without `/v1`. */
  endpoint: ResolvedField<string>;
}

/** The variables that name the base URL of whichever provider is chosen, highest first (after `--llm-base-url`). */
export const GENERIC_BASE_URL_VARIABLES: readonly string[] = ['STIGMER_LLM_BASE_URL', 'LLM_BASE_URL'];

export const genericCandidates = (input: Pick<EndpointInput, 'flags' | 'env'>): Candidate[] => [
  flagCandidate('llm-base-url', input.flags.llmBaseUrl),
  ...GENERIC_BASE_URL_VARIABLES.map((name) => envCandidate(input.env, name)),
];

const isGeneric = (source: ConfigSource): boolean => source === 'flag:--llm-base-url' || GENERIC_BASE_URL_VARIABLES.some((name) => source === `env:${name}`);

/**
 * The provider whose own address a URL is (`ProviderSpec.baseUrl.owns`: the cloud APIs' hosts,
 * Ollama's default port), and how it shows ("api.openai.com is OpenAI's API"). A gateway or proxy
 * of one's own is none of these, so it never draws a warning.
 */
export function knownOwner(url: URL): { provider: Provider; mark: string } | undefined {
  const hostname = url.hostname.toLowerCase().replace(/\.$/, '');
  for (const provider of PROVIDERS) {
    const { label, baseUrl } = PROVIDER_SPECS[provider];
    if ('hostname' in baseUrl.owns && baseUrl.owns.hostname === hostname) return { provider, mark: `${hostname} is ${label}'s API` };
    if ('port' in baseUrl.owns && url.port === String(baseUrl.owns.port)) return { provider, mark: `port ${baseUrl.owns.port} is ${label}'s` };
  }
  return undefined;
}

/** A URL as written or, without a scheme, the way Ollama reads `host:port`; undefined when it is neither. */
function parseLenient(raw: string): URL | undefined {
  const native = raw.includes('://') ? undefined : toOllamaNativeUrl(raw);
  try {
    return new URL(native?.ok ? native.url : raw);
  } catch {
    return undefined;
  }
}

/**
 * Why a URL is Ollama's rather than a cloud provider's, or undefined when nothing says so:
 * - it names Ollama's port, 11434;
 * - a label of its host is `ollama` (`http://ollama:11434`, `http://ollama.lan/v1`: a container
 *   or machine named for it);
 * - with `pathCounts` (a URL written for Anthropic as given): its path is `/v1`, the
 *   OpenAI-compatible form ADR 019 gives for Ollama. Anthropic's base URL has no `/v1` (its SDK
 *   adds it), so a generic URL written that way is far more likely the ADR 019 setting than an
 *   Anthropic gateway; OpenAI's own form ends in `/v1`, so there the path says nothing.
 */
export function ollamaSign(url: URL, { pathCounts }: { pathCounts: boolean }): string | undefined {
  const owner = knownOwner(url);
  if (owner?.provider === 'ollama') return owner.mark;
  if (url.hostname.toLowerCase().split('.').includes('ollama')) return 'its host is named ollama';
  if (pathCounts && url.pathname.replace(/\/+$/, '') === '/v1') return "/v1 is the OpenAI-compatible form ADR 019 gives for Ollama's URL";
  return undefined;
}

/** Plain HTTP to another machine: whatever is sent, a key included, can be read on the way. */
export const isPlainHttpRemote = (url: URL): boolean => url.protocol === 'http:' && !isLoopbackHostname(url.hostname);

interface Binding {
  /** The provider this generic URL is for; null: none. */
  target: Provider | null;
  /** Why it is not the smart default's provider's, and what the user can do. */
  reason?: string;
  fix?: string;
}

/** Which provider a generic base URL belongs to. */
function bindGeneric(raw: string, chosen: EndpointInput['chosen']): Binding {
  if (chosen.source !== 'default' || !isCloudProvider(chosen.value)) return { target: chosen.value };
  const url = parseLenient(raw);
  // Not a URL at all: reported against the active provider, where the user looks for it.
  if (!url) return { target: chosen.value };
  const { label } = PROVIDER_SPECS[chosen.value];
  const owner = knownOwner(url);
  // The chosen provider's own API: nothing below (a /v1 path) can make it Ollama's.
  if (owner?.provider === chosen.value) return { target: chosen.value };
  if (owner && isCloudProvider(owner.provider)) {
    const other = PROVIDER_SPECS[owner.provider].label;
    return {
      target: owner.provider,
      reason: `it is ${other}'s address (${owner.mark}), so it is used as ${other}'s`,
      fix: `to use ${other}, set LLM_PROVIDER=${owner.provider} (or pass --llm-provider=${owner.provider})`,
    };
  }
  const useOllama = 'to use Ollama, set LLM_PROVIDER=ollama (or pass --llm-provider=ollama)';
  const sign = ollamaSign(url, { pathCounts: chosen.value === 'anthropic' });
  if (sign) {
    return {
      target: 'ollama',
      reason: `it looks like Ollama's address (${sign}), so it is used as Ollama's`,
      fix: `${useOllama}; to send ${label} requests there after all, set ${PROVIDER_SPECS[chosen.value].baseUrl.env} or LLM_PROVIDER=${chosen.value}`,
    };
  }
  if (isPlainHttpRemote(url)) {
    return {
      target: null,
      reason: 'it is plain HTTP to another machine, where the key could be read on the way',
      fix: `give ${label} an https:// URL; ${useOllama} if it is an Ollama server`,
    };
  }
  return { target: chosen.value };
}

function defaultChoiceWarning(candidate: Candidate, raw: string, provider: Provider, binding: Binding): Issues['warnings'][number] {
  const { label } = PROVIDER_SPECS[provider];
  return {
    field: 'baseUrl',
    source: candidate.source,
    message: `${sourceName(candidate.source)}=${quote(raw)} is not used for ${label} (chosen by default, as its key is available), so the ${label} key is not sent there: ${binding.reason}. To fix: ${binding.fix}`,
  };
}

function parseEndpoint(provider: Provider, chosen: EndpointInput['chosen'], raw: string, candidate: Candidate): Parsed<string> {
  const {
    label,
    baseUrl: { default: defaultBaseUrl },
  } = PROVIDER_SPECS[provider];
  const name = inputName(candidate.source, `providers.${provider}.baseUrl`);
  const invalid = (result: Extract<BaseUrlResult, { ok: false }>): Parsed<string> => ({
    ok: false,
    message: `${name}=${quote(raw)} ${result.reason}; use http(s)://host[:port][/path], e.g. ${defaultBaseUrl}`,
  });
  if (candidate.source === 'env:OLLAMA_HOST') {
    // Ollama itself tolerates a bad port here (it warns and uses its default), so the app does too.
    const host = parseOllamaHost(raw);
    const native = toOllamaNativeUrl(connectableOllamaUrl(host));
    if (!native.ok) return invalid(native);
    return host.warning ? { ok: true, value: native.url, warning: host.warning } : { ok: true, value: native.url };
  }
  const result = normaliseBaseUrl(provider, raw);
  if (!result.ok) return invalid(result);
  if (!isCloudProvider(provider)) return { ok: true, value: result.url };

  const url = new URL(result.url);
  if (isPlainHttpRemote(url)) {
    return {
      ok: false,
      message: `${name}=${quote(raw)} is plain HTTP to another machine, so the ${label} key would cross the network unencrypted; use https://, or a loopback address (127.0.0.1, localhost) for a local proxy`,
    };
  }
  const warning = foreignAddressWarning(provider, chosen, url, name, raw, isGeneric(candidate.source));
  return warning ? { ok: true, value: result.url, warning } : { ok: true, value: result.url };
}

/**
 * An explicit choice is obeyed; only a URL that is unmistakably another provider's is worth a
 * warning, since the key goes there: another cloud API's host from any source, Ollama's port from
 * any source, and a host named ollama from a generic one (a provider's own variable may well name
 * a proxy so).
 */
function foreignAddressWarning(
  provider: CloudProvider,
  chosen: EndpointInput['chosen'],
  url: URL,
  name: string,
  raw: string,
  generic: boolean,
): string | undefined {
  const {
    label,
    baseUrl: { default: defaultBaseUrl },
  } = PROVIDER_SPECS[provider];
  const from = generic ? ` (the provider, from ${inputName(chosen.source, 'provider')})` : '';
  const owner = knownOwner(url);
  if (owner && owner.provider !== provider && isCloudProvider(owner.provider)) {
    const other = PROVIDER_SPECS[owner.provider].label;
    const fix = generic
      ? `to use ${other}, set LLM_PROVIDER=${owner.provider}; to use ${label}, unset ${name}`
      : `unset ${name}, or give it ${label}'s URL (${defaultBaseUrl})`;
    return `${name}=${quote(raw)} is ${other}'s address (${owner.mark}), but it is given for ${label}${from}, so the ${label} key is sent to ${other}. To fix: ${fix}`;
  }
  const sign = owner?.provider === 'ollama' ? owner.mark : generic ? ollamaSign(url, { pathCounts: false }) : undefined;
  if (!sign) return undefined;
  return `${name}=${quote(raw)} looks like Ollama's address (${sign}), but it is given for ${label}${from}, so the ${label} key is sent there; to use Ollama choose the ollama provider, or unset ${name}`;
}

/**
 * The endpoint of `provider`, active or not, with its source and the issues found on the way:
 * generic URLs first, then the provider's own variable, then its saved setting, then its default.
 * Pure.
 */
export function resolveEndpoint(input: EndpointInput, provider: Provider): Endpoint {
  const issues: Issues = { errors: [], warnings: [] };
  const candidates: Candidate[] = [];
  for (const generic of genericCandidates(input)) {
    if (isBlank(generic.raw)) continue;
    const raw = generic.raw.trim();
    const binding = bindGeneric(raw, input.chosen);
    if (binding.target === provider) candidates.push(generic);
    else if (provider === input.chosen.value && binding.reason) issues.warnings.push(defaultChoiceWarning(generic, raw, provider, binding));
  }
  candidates.push(envCandidate(input.env, PROVIDER_SPECS[provider].baseUrl.env), { source: 'settings', raw: input.settings.providers[provider].baseUrl });
  const endpoint =
    firstValid('baseUrl', candidates, (raw, candidate) => parseEndpoint(provider, input.chosen, raw, candidate), issues) ??
    field(PROVIDER_SPECS[provider].baseUrl.default, 'default');
  return { endpoint, ...issues };
}

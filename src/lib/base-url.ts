import { PROVIDER_SPECS, type BaseUrlForm, type Provider } from '../shared/providers.ts';
import { connectableOllamaUrl, parseOllamaHost } from './ollama-host.ts';

export type BaseUrlResult = { ok: true; url: string } | { ok: false; reason: string };

const stripTrailingSlashes = (value: string): string => value.replace(/\/+$/, '');

function parseHttpUrl(raw: string): URL | undefined {
  try {
    const url = new URL(raw);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return url;
  } catch {
    // Not a URL at all; the caller reports it with the expected shape.
  }
  return undefined;
}

/**
 * Ollama's native form, `http://host:port[/path]` without `/v1`. Accepts the OpenAI-compatible
 * spelling (`…/v1`) and Ollama's own lenient `OLLAMA_HOST` forms (`0.0.0.0`, `:1234`, `[::1]`).
 */
export function toOllamaNativeUrl(raw: string): BaseUrlResult {
  const value = raw.trim();
  if (/\s/.test(value) || (value.includes('://') && !parseHttpUrl(value))) {
    return { ok: false, reason: 'is not a valid URL' };
  }
  const host = parseOllamaHost(value);
  if (host.warning) return { ok: false, reason: `has an invalid port` };
  if (host.scheme !== 'http' && host.scheme !== 'https') return { ok: false, reason: `uses scheme "${host.scheme}", expected http or https` };
  const path = stripTrailingSlashes(host.path).replace(/(^|\/)v1$/, '');
  return { ok: true, url: connectableOllamaUrl({ ...host, path: stripTrailingSlashes(path) }) };
}

/** The OpenAI-compatible form of an Ollama URL, which the `openai` SDK expects as `baseURL`. */
export function toOpenAiCompatibleUrl(nativeUrl: string): string {
  return `${stripTrailingSlashes(nativeUrl)}/v1`;
}

/** A URL that is not Ollama's: `query` and `hash` refused, trailing slashes dropped. */
function normaliseHttpUrl(raw: string, path: (path: string) => string): BaseUrlResult {
  const url = parseHttpUrl(raw.trim());
  if (!url || url.search !== '' || url.hash !== '') return { ok: false, reason: 'is not a valid http(s) URL' };
  return { ok: true, url: `${url.protocol}//${url.host}${path(stripTrailingSlashes(url.pathname))}` };
}

/** Each form of base URL (see `BaseUrlForm`), normalised. */
const NORMALISE: Record<BaseUrlForm, (raw: string) => BaseUrlResult> = {
  'ollama-native': toOllamaNativeUrl,
  // Its SDK adds `/v1`.
  'sdk-adds-v1': (raw) => normaliseHttpUrl(raw, (path) => path.replace(/\/v1$/, '')),
  // The SDK's convention: `/v1` when no path is given, any other path as written.
  'v1-when-bare': (raw) => normaliseHttpUrl(raw, (path) => (path === '' ? '/v1' : path)),
};

/** Normalises a base URL the way its provider writes it (`ProviderSpec.baseUrl.form`). */
export const normaliseBaseUrl = (provider: Provider, raw: string): BaseUrlResult => NORMALISE[PROVIDER_SPECS[provider].baseUrl.form](raw);

/** An OpenAI-compatible endpoint's URL (src/shared/endpoints.ts): as the OpenAI SDK expects it. */
export const normaliseEndpointUrl = (raw: string): BaseUrlResult => NORMALISE['v1-when-bare'](raw);

/** The URL the provider's SDK is given: Ollama is reached through its OpenAI-compatible `/v1`. */
export const sdkBaseUrl = (provider: Provider, baseUrl: string): string =>
  PROVIDER_SPECS[provider].baseUrl.form === 'ollama-native' ? toOpenAiCompatibleUrl(baseUrl) : baseUrl;

import type { Provider } from '../shared/providers.ts';
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

/**
 * Normalises a base URL for a provider: Ollama to its native form, OpenAI to a URL ending in
 * `/v1` when no path is given (the SDK's convention), Anthropic without `/v1` (its SDK adds it).
 */
export function normaliseBaseUrl(provider: Provider, raw: string): BaseUrlResult {
  if (provider === 'ollama') return toOllamaNativeUrl(raw);
  const url = parseHttpUrl(raw.trim());
  if (!url || url.search !== '' || url.hash !== '') return { ok: false, reason: 'is not a valid http(s) URL' };
  const base = `${url.protocol}//${url.host}`;
  const path = stripTrailingSlashes(url.pathname);
  if (provider === 'anthropic') return { ok: true, url: base + path.replace(/\/v1$/, '') };
  return { ok: true, url: base + (path === '' ? '/v1' : path) };
}

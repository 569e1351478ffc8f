/**
 * `OLLAMA_HOST` parsing, following Ollama's own `envconfig.Host()` so that the app and the
 * `ollama` binary agree on where the server is.
 */

export const OLLAMA_DEFAULT_PORT = 11434;

export interface OllamaHost {
  scheme: 'http' | 'https' | string;
  /** Host as written (IPv6 without brackets); may be empty for `:1234`, which Ollama allows. */
  hostname: string;
  port: number;
  /** Path after the host, without the leading slash; kept as Ollama keeps it. */
  path: string;
  /** Set when the port was invalid and Ollama's fallback was used. */
  warning?: string;
}

/** Ollama trims spaces, then one layer of quotes, from every variable it reads. */
const trimLikeOllama = (value: string): string => value.trim().replace(/^["']+|["']+$/g, '').trim();

function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  if (hostport.startsWith('[')) {
    const match = /^\[([^\]]*)\]:([^:]*)$/.exec(hostport);
    return match ? { host: match[1] ?? '', port: match[2] ?? '' } : undefined;
  }
  const colon = hostport.lastIndexOf(':');
  if (colon < 0 || hostport.indexOf(':') !== colon) return undefined;
  return { host: hostport.slice(0, colon), port: hostport.slice(colon + 1) };
}

const isIpLiteral = (value: string): boolean =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || (value.includes(':') && /^[0-9a-fA-F:.]+$/.test(value));

export function parseOllamaHost(raw: string | undefined): OllamaHost {
  const value = trimLikeOllama(raw ?? '');
  let scheme = 'http';
  let defaultPort = String(OLLAMA_DEFAULT_PORT);
  let rest = value;
  const separator = value.indexOf('://');
  if (separator >= 0) {
    scheme = value.slice(0, separator);
    rest = value.slice(separator + 3);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
  }
  const slash = rest.indexOf('/');
  const hostport = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash + 1) : '';

  let split = splitHostPort(hostport);
  if (!split) {
    const unbracketed = hostport.replace(/^\[|\]$/g, '');
    const host = isIpLiteral(unbracketed) ? unbracketed : hostport !== '' ? hostport : '127.0.0.1';
    split = { host, port: defaultPort };
  }

  let warning: string | undefined;
  let port = /^-?\d+$/.test(split.port) ? Number(split.port) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    warning = `OLLAMA_HOST port "${split.port}" is invalid; using ${defaultPort} as Ollama does`;
    port = Number(defaultPort);
  }
  return { scheme, hostname: split.host, port, path, ...(warning ? { warning } : {}) };
}

const bracketIpv6 = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** The URL a server started with this `OLLAMA_HOST` listens on, as Ollama prints it. */
export function formatOllamaHost(host: OllamaHost): string {
  return `${host.scheme}://${bracketIpv6(host.hostname)}:${host.port}${host.path ? `/${host.path}` : ''}`;
}

/**
 * The address a client connects to: a wildcard bind address is reached through loopback,
 * and Ollama's empty host (`:1234`) means this machine.
 */
export function connectableOllamaUrl(host: OllamaHost): string {
  const hostname =
    host.hostname === '' || host.hostname === '0.0.0.0' ? '127.0.0.1' : host.hostname === '::' ? '::1' : host.hostname;
  return formatOllamaHost({ ...host, hostname });
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', '::1', 'localhost', '', '0.0.0.0', '::']);

/** Whether a server at this host would run on this machine (and so may be launched by the app). */
export function isLocalOllamaHost(host: OllamaHost): boolean {
  return LOOPBACK_NAMES.has(host.hostname.toLowerCase()) || /^127\./.test(host.hostname);
}

import { isIPv4, isIPv6 } from 'node:net';

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
const trimLikeOllama = (value: string): string =>
  value
    .trim()
    .replace(/^["']+|["']+$/g, '')
    .trim();

/** Go's `net.SplitHostPort`: undefined where Go returns an error. */
function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const lastColon = hostport.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  let host: string;
  let noOpenFrom = 0;
  let noCloseFrom = 0;
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    if (close < 0 || close + 1 !== lastColon) return undefined;
    host = hostport.slice(1, close);
    noOpenFrom = 1;
    noCloseFrom = close + 1;
  } else {
    host = hostport.slice(0, lastColon);
    if (host.includes(':')) return undefined;
  }
  if (hostport.indexOf('[', noOpenFrom) >= 0 || hostport.indexOf(']', noCloseFrom) >= 0) return undefined;
  return { host, port: hostport.slice(lastColon + 1) };
}

/** Go's `net.ParseIP(value).String()`: the canonical spelling of an IP literal, or undefined. */
function canonicalIp(value: string): string | undefined {
  if (isIPv4(value)) return value;
  if (!isIPv6(value) || value.includes('%')) return undefined;
  const compressed = new URL(`http://[${value}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mapped) return compressed;
  const high = Number.parseInt(mapped[1] ?? '0', 16);
  const low = Number.parseInt(mapped[2] ?? '0', 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Go's `strconv.ParseInt(port, 10, 32)` followed by Ollama's 0-65535 range check. */
const parsePort = (port: string): number | undefined => {
  if (!/^[+-]?\d+$/.test(port)) return undefined;
  const value = Number(port);
  return value >= 0 && value <= 65535 ? value : undefined;
};

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
    const host = canonicalIp(hostport.replace(/^[[\]]+|[[\]]+$/g, '')) ?? (hostport !== '' ? hostport : '127.0.0.1');
    split = { host, port: defaultPort };
  }

  const port = parsePort(split.port);
  if (port === undefined) {
    const warning = `OLLAMA_HOST port "${split.port}" is invalid; using ${defaultPort} as Ollama does`;
    return { scheme, hostname: split.host, port: Number(defaultPort), path, warning };
  }
  return { scheme, hostname: split.host, port, path };
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
  const hostname = host.hostname === '' || host.hostname === '0.0.0.0' ? '127.0.0.1' : host.hostname === '::' ? '::1' : host.hostname;
  return formatOllamaHost({ ...host, hostname });
}

/**
 * Whether a client connecting to this host name stays on this machine: `localhost`, 127.0.0.0/8
 * and ::1, in any spelling. Not `*.localhost`: RFC 6761 asks resolvers to keep those on loopback,
 * but glibc without a local resolver may ask DNS. Brackets around an IPv6 literal are accepted,
 * as `URL.hostname` keeps them.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const name = canonicalIp(bare) ?? bare;
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** Whether a server at this host would run on this machine (and so may be launched by the app). */
export function isLocalOllamaHost(host: OllamaHost): boolean {
  // Ollama's empty host and the wildcard bind addresses also mean this machine.
  const name = canonicalIp(host.hostname) ?? host.hostname;
  return ['', '0.0.0.0', '::'].includes(name) || isLoopbackHostname(name);
}

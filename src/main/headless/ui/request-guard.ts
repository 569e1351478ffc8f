import { timingSafeEqual } from 'node:crypto';

/**
 * Decisions about who may talk to the headless UI server. Pure functions of the request's
 * headers, so every rule is tested without a socket.
 */

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export interface GuardRequest {
  /** The `Host` header. */
  host: string | undefined;
  /** The `Origin` header; browsers omit it on plain navigations. */
  origin: string | undefined;
  /** The request target, e.g. `/ws?token=…`. */
  url: string;
}

export interface GuardPolicy {
  port: number;
  token: string;
  /**
   * The random path the page and its files are served under, e.g. `/Qm9…/`. It lets the page's
   * own loads and reloads in without a cookie (a cookie would go to every port of 127.0.0.1);
   * it opens only the static renderer bundle, never the WebSocket, which needs the token.
   */
  appPath: string;
}

/**
 * Only a loopback name with our own port is accepted: a page on another site that re-points
 * its DNS name at 127.0.0.1 (DNS rebinding) still sends its own name in `Host`.
 */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const normalized = host.trim().toLowerCase();
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(normalized);
}

/** A request from a page of another origin (or an opaque `null` origin) is refused. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`].includes(origin.trim().toLowerCase());
}

/** The token from `?token=`, if any. */
export function readQueryToken(url: string): string | undefined {
  return new URL(url, 'http://127.0.0.1').searchParams.get('token') ?? undefined;
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function tokensEqual(candidate: string | undefined, token: string): boolean {
  if (candidate === undefined) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const UNAUTHORIZED = 'This page needs the access token. Open the URL that `npm run headless -- --ui` printed (it ends with ?token=…).';

/** Whether a request's path is under the app path (compared in constant time, like the token). */
export function isUnderAppPath(url: string, appPath: string): boolean {
  return tokensEqual(new URL(url, 'http://127.0.0.1').pathname.slice(0, appPath.length), appPath);
}

/** Host first (rebinding), then Origin, then the token in the query or the app path. */
export function checkRequest(request: GuardRequest, policy: GuardPolicy): GuardVerdict {
  if (!isAllowedHost(request.host, policy.port)) {
    return { ok: false, status: 403, reason: `Forbidden: the Host header must be 127.0.0.1:${policy.port} or localhost:${policy.port}.` };
  }
  if (!isAllowedOrigin(request.origin, policy.port)) {
    return { ok: false, status: 403, reason: 'Forbidden: requests from other origins are refused.' };
  }
  const fromQuery = readQueryToken(request.url);
  const authorized = fromQuery !== undefined ? tokensEqual(fromQuery, policy.token) : isUnderAppPath(request.url, policy.appPath);
  return authorized ? { ok: true } : { ok: false, status: 401, reason: UNAUTHORIZED };
}

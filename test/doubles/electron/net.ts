/**
 * `net.request` (what electron-updater downloads with) and the built-in `autoUpdater`'s events,
 * made of Node's http/https. Chromium's network stack is not modelled: no system proxy, no
 * cache, and a 3xx with `redirect: 'follow'` reaches `response` instead of being followed.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { requireReady } from './lifecycle.ts';
import { violation } from './rules.ts';

export interface ClientRequestOptions {
  method?: string;
  url?: string;
  protocol?: string;
  hostname?: string;
  host?: string;
  port?: number | string;
  path?: string;
  headers?: Record<string, string | string[]>;
  /** Docs (net.ClientRequest): `follow` (default), `error` or `manual` (a `redirect` event instead of the response). */
  redirect?: 'follow' | 'error' | 'manual';
  session?: unknown;
  partition?: string;
}

/** Docs (api/client-request): events `response`, `redirect`, `error`, `abort`, `close`; methods `setHeader`, `write`, `end`, `abort`. */
class ClientRequest extends EventEmitter {
  readonly #request: http.ClientRequest;
  #aborted = false;

  constructor(options: ClientRequestOptions | string) {
    super();
    const { url, session: _session, partition: _partition, redirect = 'follow', ...rest } = typeof options === 'string' ? { url: options } : options;
    const target = url ? new URL(url) : undefined;
    const protocol = target?.protocol ?? rest.protocol ?? 'http:';
    if (protocol !== 'http:' && protocol !== 'https:') violation(`net.request supports http: and https: only, not ${protocol}`);
    const address = target ? { hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}` } : {};
    const method = rest.method ?? 'GET';
    this.#request = (protocol === 'https:' ? https : http).request({ ...rest, ...address, protocol, method }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location && redirect !== 'follow') {
        response.resume();
        if (redirect === 'error') this.emit('error', new Error('net::ERR_UNSAFE_REDIRECT'));
        else
          this.emit(
            'redirect',
            status,
            method,
            new URL(location, url ?? `${protocol}//${rest.hostname ?? rest.host}:${rest.port ?? ''}${rest.path ?? '/'}`).href,
            response.headers,
          );
        return;
      }
      this.emit('response', response);
    });
    // Chromium's wording for an unreachable server, which apps match on.
    this.#request.on('error', (error: NodeJS.ErrnoException) => {
      if (!this.#aborted) this.emit('error', new Error(`net::${CHROMIUM_ERRORS[error.code ?? ''] ?? 'ERR_FAILED'} (${error.code ?? error.message})`));
    });
    this.#request.on('close', () => this.emit('close'));
  }

  setHeader(name: string, value: string): void {
    this.#request.setHeader(name, value);
  }

  write(chunk: string | Buffer): void {
    this.#request.write(chunk);
  }

  end(chunk?: string | Buffer): this {
    this.#request.end(chunk);
    return this;
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#request.destroy();
    this.emit('abort');
  }
}

const CHROMIUM_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'ERR_CONNECTION_REFUSED',
  ECONNRESET: 'ERR_CONNECTION_RESET',
  ENOTFOUND: 'ERR_NAME_NOT_RESOLVED',
  EAI_AGAIN: 'ERR_NAME_NOT_RESOLVED',
  ETIMEDOUT: 'ERR_TIMED_OUT',
  EHOSTUNREACH: 'ERR_ADDRESS_UNREACHABLE',
  ENETUNREACH: 'ERR_INTERNET_DISCONNECTED',
};

export const net = {
  /** Docs (api/net): usable only after `ready`. */
  request(options: ClientRequestOptions | string): ClientRequest {
    requireReady('net.request');
    return new ClientRequest(options);
  },
};

/**
 * Electron's own `autoUpdater` (Squirrel, macOS and Windows only): electron-updater only emits
 * `before-quit-for-update` on it, which is all the double offers.
 */
export const autoUpdater = new EventEmitter();

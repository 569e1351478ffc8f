import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isEventName, type EventName } from '../../shared/ipc.ts';
import { checkRequest, isUnderAppPath, type GuardPolicy } from './ui/request-guard.ts';
import { SECURITY_HEADERS } from './ui/security-headers.ts';
import { contentTypeFor, resolveStaticFile } from '../static/static-files.ts';
import type { CommandHandler } from '../../shared/dispatch.ts';
import { EventBroadcaster, MAX_MESSAGE_BYTES, serveSocket } from './ui/ws-bridge.ts';
import { closeWithoutFirstRequest } from './ui/first-request-deadline.ts';

export interface UiServerOptions {
  /** 0 or absent: a free port chosen by the OS. */
  port?: number;
  /** The built renderer (`out/renderer`), served as static files. */
  rendererDir: string;
  /** The app core: runs one already-validated command and returns its answer. */
  handleCommand: CommandHandler;
  /** Registers for the core's events; returns the function that unregisters. */
  subscribe: (listener: (event: EventName, payload: unknown) => void) => () => void;
  /** Told about an event the core pushed that does not match the contract (it is not sent). */
  onContractViolation?: (message: string) => void;
}

export interface UiServer {
  /** The address to open, with the access token in its query (it redirects to the app path). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The only interface the UI server binds: it is never reachable from another machine. */
export const UI_HOST = '127.0.0.1';
const WS_PATH = '/ws';

/**
 * A connection that has not sent a complete request within this time of connecting is closed:
 * sockets that send nothing, a request sent in pieces (slowloris) and a WebSocket upgrade that
 * never completes alike.
 */
export const REQUEST_DEADLINE_MS = 10_000;
/**
 * Connections open at once, WebSockets included; more are closed as they arrive. One user with a
 * dozen tabs needs about 100 (Chromium opens up to 6 per host, plus one WebSocket per tab), and 128
 * is an eighth of Linux's usual 1,024 files, so a flood can never starve the runner or Ollama.
 */
export const MAX_CONNECTIONS = 128;

function refuse(response: http.ServerResponse, status: number, message: string, extraHeaders: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...extraHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(`${message}\n`);
}

/** Answers a refused WebSocket upgrade with a plain HTTP status, then closes the socket. */
function refuseUpgrade(socket: Socket, status: number, message: string): void {
  const reasons: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reasons[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const listen = (server: http.Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: UI_HOST, exclusive: true }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

/**
 * Serves the renderer and its WebSocket bridge on 127.0.0.1, behind a random token. Every
 * request is checked for a loopback `Host` (DNS rebinding), a same-origin `Origin`, and the
 * token (or, for the static page, the random app path) before anything else happens.
 *
 * No cookie is ever set: cookies ignore ports, so one would reach every other server on
 * 127.0.0.1 the user opens. The page takes the token from its first URL and keeps it itself
 * (see src/renderer/bridge.ts); only the WebSocket, on this port, carries it.
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const token = randomBytes(32).toString('base64url');
  const policy: GuardPolicy = { port: 0, token, appPath: `/${randomBytes(24).toString('base64url')}/` };
  const sockets = new Set<WebSocket>();
  const broadcaster = new EventBroadcaster(sockets);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const server = http.createServer(
    {
      headersTimeout: REQUEST_DEADLINE_MS,
      requestTimeout: REQUEST_DEADLINE_MS,
      // Node checks the two deadlines above only this often (30 s by default).
      connectionsCheckingInterval: 1000,
    },
    (request, response) => {
      settle(request.socket);
      void serveHttp(request, response);
    },
  );
  server.maxConnections = MAX_CONNECTIONS;
  // The two deadlines above start at a request's first byte; this one at the connection.
  const settle = closeWithoutFirstRequest(server, REQUEST_DEADLINE_MS);

  async function serveHttp(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const verdict = checkRequest({ host: request.headers.host, origin: request.headers.origin, url: request.url ?? '/' }, policy);
    if (!verdict.ok) return refuse(response, verdict.status, verdict.reason);
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });

    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (!isUnderAppPath(url.pathname, policy.appPath)) {
      // The printed URL: its token was checked above. The page lives under the app path, so its
      // reloads and files need no cookie; it takes the token from the query, then drops it.
      if (url.pathname !== '/') return refuse(response, 404, 'Not found.');
      response.writeHead(303, { ...SECURITY_HEADERS, Location: `${policy.appPath}${url.search}` });
      return void response.end();
    }
    const lookup = await resolveStaticFile(options.rendererDir, url.pathname.slice(policy.appPath.length - 1));
    if (!lookup.ok) return refuse(response, lookup.status, lookup.status === 404 ? 'Not found.' : 'Bad request.');

    response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentTypeFor(lookup.file) });
    if (request.method === 'HEAD') return void response.end();
    fs.createReadStream(lookup.file)
      .on('error', () => response.destroy())
      .pipe(response);
  }

  server.on('upgrade', (request: http.IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const verdict = checkRequest({ host: request.headers.host, origin: request.headers.origin, url: request.url ?? '/' }, policy);
    if (!verdict.ok) return refuseUpgrade(socket, verdict.status, verdict.reason);
    // `/ws` is outside the app path, so the guard above let it in only with the token itself.
    if (new URL(request.url ?? '/', 'http://127.0.0.1').pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not found.');
    wss.handleUpgrade(request, socket, head, (ws) => {
      settle(socket);
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      serveSocket(ws, options.handleCommand);
    });
  });

  const port = await listen(server, options.port ?? 0);
  policy.port = port;

  const unsubscribe = options.subscribe((event, payload) => {
    if (!isEventName(event)) return options.onContractViolation?.(`Unknown event "${String(event)}" was not sent to the page.`);
    try {
      broadcaster.broadcast(event, payload);
    } catch (error) {
      options.onContractViolation?.(error instanceof Error ? error.message : String(error));
    }
  });

  return {
    url: `http://${UI_HOST}:${port}/?token=${token}`,
    port,
    close: async () => {
      unsubscribe();
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

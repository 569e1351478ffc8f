import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the double received it, for tests to inspect. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when there was none (or it was not JSON). */
  body: unknown;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Options shared by both cloud doubles. */
export interface FakeCloudOptions {
  /** Keys the server accepts; anything else is rejected with the provider's 401 body. */
  validKeys: readonly string[];
  /** Models that exist; others get the provider's 404 body. */
  models: readonly string[];
  /** The reply text; streamed as one delta per word (spaces kept). */
  reply?: string;
  /** Answer every API request with this status and the provider's error body for it. */
  failWith?: { status: 401 | 404 | 429 | 500 | 529; retryAfterSeconds?: number };
  /** Stream the first delta, then keep the response open until the client goes away (for cancellation). */
  stallAfterFirstDelta?: boolean;
  /** Listen on this loopback port (a provider that comes back where it was); the OS picks one otherwise. */
  port?: number;
}

export type Handler = (request: RecordedRequest, response: http.ServerResponse) => void;

/**
 * A deterministic stand-in for a tokenizer: one token per whitespace-separated word. Tests use
 * it to compute the usage a double reports.
 */
export const countTokens = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/** Splits a reply into word-sized deltas whose concatenation is the reply. */
export const replyDeltas = (reply: string): string[] => reply.match(/\S+\s*|\s+/g) ?? [];

export const DEFAULT_REPLY = 'Hello from the test double. It streams word by word.';

export function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function startSse(response: http.ServerResponse, headers: http.OutgoingHttpHeaders = {}): void {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
}

/** What differs between the two APIs once a request is authenticated: the chat endpoint and the bodies of the model routes. */
export interface ApiRoutes {
  /** `POST` here is a chat request. */
  chatPath: string;
  chat: Handler;
  /** The body of `GET /v1/models`. */
  modelList: (models: readonly string[]) => unknown;
  /** The body of `GET /v1/models/{id}` for a model that exists. */
  model: (id: string) => unknown;
  /** Answers a model that does not exist. */
  unknownModel: (response: http.ServerResponse, id: string) => void;
  /** Answers any other path. */
  notFound: (response: http.ServerResponse, method: string, pathname: string) => void;
}

/** Routes an authenticated request: the chat endpoint, and `GET /v1/models[/{id}]`, which both APIs serve. */
export function routeApi(request: RecordedRequest, response: http.ServerResponse, models: readonly string[], routes: ApiRoutes): void {
  const { pathname } = new URL(request.path, 'http://localhost');
  if (request.method === 'POST' && pathname === routes.chatPath) return routes.chat(request, response);
  if (request.method === 'GET' && pathname === '/v1/models') return sendJson(response, 200, routes.modelList(models));
  const modelPath = /^\/v1\/models\/([^/]+)$/.exec(pathname);
  if (request.method === 'GET' && modelPath?.[1]) {
    const id = decodeURIComponent(modelPath[1]);
    return models.includes(id) ? sendJson(response, 200, routes.model(id)) : routes.unknownModel(response, id);
  }
  routes.notFound(response, request.method, pathname);
}

export const randomId = (prefix: string): string => `${prefix}${Math.random().toString(36).slice(2, 14)}`;

/** Starts an HTTP server on a loopback port (random unless given) that records every request before handling it. */
export function startServer(handler: Handler, port = 0): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

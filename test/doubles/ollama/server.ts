/**
 * In-process fake Ollama for tests, and the folder of its `ollama` executable.
 * API stable for other tests: `startFakeOllama(options)` and `FAKE_OLLAMA_BIN_DIR`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FakeOllama, type FakeOllamaConfig } from './fake-ollama.ts';

export { DEFAULT_FAKE_VERSION, DEFAULT_REGISTRY, fullModelName, type FakeOllamaConfig, type FakeRegistry } from './fake-ollama.ts';

/** Put this first on `PATH` to make `ollama` the fake executable (`serve`, `--version`). */
export const FAKE_OLLAMA_BIN_DIR = path.join(import.meta.dirname, 'bin');

/**
 * The fake executable reads its configuration (a `FakeOllamaConfig` as JSON) from the file this
 * variable names; installed models persist in `$OLLAMA_MODELS/fake-ollama-models.json`.
 */
export const FAKE_OLLAMA_CONFIG_ENV = 'FAKE_OLLAMA_CONFIG';

/** When set, `ollama serve` waits until this file exists before it binds its port. */
export const FAKE_OLLAMA_HOLD_ENV = 'FAKE_OLLAMA_HOLD_UNTIL';

export interface StartFakeOllamaOptions extends FakeOllamaConfig {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Called after each request, e.g. for Gin-style access logs. */
  onRequest?: (method: string, path: string, status: number, durationMs: number) => void;
}

export interface FakeOllamaServer {
  /** `http://127.0.0.1:PORT`, Ollama's native base URL. */
  url: string;
  port: number;
  /** Installed model names, `name:tag`. */
  installedModels(): string[];
  close(): Promise<void>;
}

export function createFakeOllamaServer(options: StartFakeOllamaOptions = {}): { server: http.Server; fake: FakeOllama } {
  const fake = new FakeOllama(options);
  const server = http.createServer((req, res) => {
    const started = performance.now();
    if (options.onRequest) {
      res.on('close', () =>
        options.onRequest?.(req.method ?? 'GET', new URL(req.url ?? '/', 'http://fake').pathname, res.statusCode, performance.now() - started),
      );
    }
    fake.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    });
  });
  return { server, fake };
}

export async function startFakeOllama(options: StartFakeOllamaOptions = {}): Promise<FakeOllamaServer> {
  const { server, fake } = createFakeOllamaServer(options);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    installedModels: () => fake.installedModels(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

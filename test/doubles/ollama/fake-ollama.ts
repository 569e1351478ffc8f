/**
 * A faithful stand-in for the Ollama server's HTTP API (docs/api.md and docs/openai.md of
 * ollama/ollama): the same paths, field names, status codes, error bodies and streaming
 * framing (NDJSON for the native API, SSE ending `data: [DONE]` for the OpenAI-compatible one).
 * It holds no weights: a "model" is a manifest of layer sizes, and a pull streams progress.
 */
import { createHash, randomInt } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fakeModelInfo, fakeVramBytes } from './model-info.ts';
import { LayerStore, type PullFault } from './layer-store.ts';

/** A model that can be pulled: its layer sizes in bytes, largest (the weights) first. */
export type FakeRegistry = Record<string, readonly number[]>;

export interface FakeOllamaConfig {
  /** What `/api/version` answers. */
  version?: string;
  /** Installed models, e.g. `llama3.2` or `qwen2.5:0.5b` (`:latest` is added as Ollama does). */
  models?: readonly string[];
  /** Models that a pull can find; unknown names fail in-stream like Ollama's registry. */
  registry?: FakeRegistry;
  /** Pause between pull progress lines; Ollama reports about every 60 ms. */
  pullIntervalMs?: number;
  /** Progress lines per layer. */
  pullStepsPerLayer?: number;
  /**
   * The assistant's answer to every chat. In a chat, `{turn}` becomes the number of user messages
   * the request carried, so a test can see that a conversation's history reached the model.
   */
  reply?: string;
  /** Pause between the OpenAI-compatible chat's streamed chunks (default none), so an answer can be stopped mid-stream. */
  tokenIntervalMs?: number;
  /** `OLLAMA_KEEP_ALIVE`: how long a model stays in `/api/ps` after a chat. */
  keepAlive?: string;
  /** Installed models are saved here after each change (a stand-in for `OLLAMA_MODELS`). */
  stateFile?: string;
  /** The share of each loaded model (`name:tag`) `/api/ps` reports on the GPU (`size_vram` ÷ `size`); 1 when absent. */
  gpuShare?: Record<string, number>;
  /** Write pulled layers' bytes under `<modelsDir>/blobs` (Ollama's layout); needs `modelsDir`. */
  blobsOnDisk?: boolean;
  /** `OLLAMA_MODELS` of this server. */
  modelsDir?: string;
  /** Faults injected into pulls, each used once (see `PullFault`). */
  pullFaults?: readonly PullFault[];
}

export const DEFAULT_FAKE_VERSION = '0.9.6';

export const DEFAULT_REGISTRY: FakeRegistry = {
  'llama3.2:latest': [2_019_377_376, 1_429, 7_711, 6_016, 96, 561],
  'llama3.2:1b': [1_321_082_688, 1_429, 7_711, 6_016, 96, 560],
  'qwen2.5:0.5b': [397_807_936, 6_929, 11_343, 1_693, 488],
  'all-minilm:latest': [45_949_216, 11_357, 337],
};

interface InstalledModel {
  name: string;
  size: number;
  digest: string;
  modifiedAt: string;
}

interface LoadedModel {
  name: string;
  expiresAt: Date;
}

/** `llama3.2` → `llama3.2:latest`, as Ollama names models in its answers. */
export function fullModelName(name: string): string {
  const trimmed = name.trim();
  const lastSegment = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? trimmed : `${trimmed}:latest`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const layerDigests = (name: string, layers: readonly number[]): string[] => layers.map((_, index) => `sha256:${sha256(`${name}#${index}`)}`);

const family = (name: string): string => (name.split(/[:/]/)[0] ?? name).replace(/[\d.]+$/, '') || 'llama';

function details(name: string) {
  const tag = name.split(':')[1] ?? 'latest';
  return {
    parent_model: '',
    format: 'gguf',
    family: family(name),
    families: [family(name)],
    parameter_size: /^\d+(\.\d+)?b$/i.test(tag) ? tag.toUpperCase() : '3.2B',
    quantization_level: 'Q4_K_M',
  };
}

/** Go's time.ParseDuration subset Ollama accepts for keep-alive, or seconds as a number. */
function keepAliveMs(value: string | undefined): number {
  if (!value) return 5 * 60_000;
  if (/^-?\d+$/.test(value)) return Number(value) * 1000;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(-?[\d.]+)(ms|h|m|s)/g)) {
    total += Number(amount) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'] ?? 0);
  }
  return total;
}

/** Gin's answer to an unknown route. */
function notFoundPage(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const requestedModel = (body: Record<string, unknown>): string | undefined => {
  const value = body.model ?? body.name;
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
};

/** The body and model name of a native-API request, or undefined after answering 400 as Ollama does. */
async function readModelRequest(req: IncomingMessage, res: ServerResponse): Promise<{ body: Record<string, unknown>; name: string } | undefined> {
  const body = await readJson(req);
  if (!body) {
    sendJson(res, 400, { error: 'invalid character in request body' });
    return undefined;
  }
  const name = requestedModel(body);
  if (!name) {
    sendJson(res, 400, { error: 'model is required' });
    return undefined;
  }
  return { body, name };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FakeOllama {
  readonly version: string;
  readonly #config: FakeOllamaConfig;
  readonly #registry: FakeRegistry;
  readonly #installed = new Map<string, InstalledModel>();
  readonly #loaded = new Map<string, LoadedModel>();
  readonly #layers: LayerStore;
  readonly #faults: PullFault[];

  constructor(config: FakeOllamaConfig = {}) {
    this.#config = config;
    this.#layers = new LayerStore(config.blobsOnDisk ? config.modelsDir : undefined);
    this.#faults = [...(config.pullFaults ?? [])];
    this.version = config.version ?? DEFAULT_FAKE_VERSION;
    this.#registry = Object.fromEntries(Object.entries(config.registry ?? DEFAULT_REGISTRY).map(([name, layers]) => [fullModelName(name), layers]));
    const saved = this.#readStateFile();
    for (const name of saved ?? config.models ?? []) this.#install(name, new Date());
  }

  /** Makes a later pull of `fault.model` stall or drop its connection once. */
  addPullFault(fault: PullFault): void {
    this.#faults.push(fault);
  }

  #takeFault(model: string, percent: number): PullFault | undefined {
    const index = this.#faults.findIndex((fault) => fullModelName(fault.model) === model && percent >= fault.atPercent);
    return index < 0 ? undefined : this.#faults.splice(index, 1)[0];
  }

  /** Names of the installed models, as `/api/tags` lists them. */
  installedModels(): string[] {
    return [...this.#installed.keys()];
  }

  #readStateFile(): string[] | undefined {
    if (!this.#config.stateFile || !fs.existsSync(this.#config.stateFile)) return undefined;
    const saved: unknown = JSON.parse(fs.readFileSync(this.#config.stateFile, 'utf8'));
    return Array.isArray(saved) ? saved.filter((name): name is string => typeof name === 'string') : undefined;
  }

  #saveStateFile(): void {
    if (this.#config.stateFile) fs.writeFileSync(this.#config.stateFile, JSON.stringify(this.installedModels()));
  }

  #install(name: string, when: Date): void {
    const full = fullModelName(name);
    const layers = this.#registry[full] ?? [1_000_000];
    this.#installed.set(full, {
      name: full,
      size: layers.reduce((sum, size) => sum + size, 0),
      digest: sha256(`${full}#manifest`),
      modifiedAt: when.toISOString(),
    });
  }

  #find(name: string): InstalledModel | undefined {
    return this.#installed.get(fullModelName(name));
  }

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /':
      case 'HEAD /':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Ollama is running');
        return;
      case 'GET /api/version':
      case 'HEAD /api/version':
        return sendJson(res, 200, { version: this.version });
      case 'GET /api/tags':
        return sendJson(res, 200, { models: [...this.#installed.values()].map((model) => this.#tagEntry(model)) });
      case 'GET /api/ps':
        return sendJson(res, 200, { models: this.#loadedEntries() });
      case 'POST /api/show':
        return this.#show(req, res);
      case 'POST /api/pull':
        return this.#pull(req, res);
      case 'DELETE /api/delete':
        return this.#delete(req, res);
      case 'POST /api/chat':
        return this.#chat(req, res);
      case 'POST /api/generate':
        return this.#generate(req, res);
      case 'POST /v1/chat/completions':
        return this.#openAiChat(req, res);
      case 'GET /v1/models':
        return sendJson(res, 200, {
          object: 'list',
          data: [...this.#installed.values()].map((model) => ({
            id: model.name,
            object: 'model',
            created: Math.floor(Date.parse(model.modifiedAt) / 1000),
            owned_by: model.name.includes('/') ? (model.name.split('/')[0] ?? 'library') : 'library',
          })),
        });
      default:
        return notFoundPage(res);
    }
  };

  #tagEntry(model: InstalledModel) {
    return { name: model.name, model: model.name, modified_at: model.modifiedAt, size: model.size, digest: model.digest, details: details(model.name) };
  }

  #loadedEntries() {
    const now = Date.now();
    const entries = [];
    for (const loaded of this.#loaded.values()) {
      const model = this.#installed.get(loaded.name);
      if (!model || loaded.expiresAt.getTime() <= now) continue;
      entries.push({
        name: model.name,
        model: model.name,
        size: model.size,
        digest: model.digest,
        details: details(model.name),
        expires_at: loaded.expiresAt.toISOString(),
        size_vram: fakeVramBytes(model.name, model.size, this.#config.gpuShare),
        context_length: 4096,
      });
    }
    return entries;
  }

  async #show(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readModelRequest(req, res);
    if (!request) return;
    const { name } = request;
    const model = this.#find(name);
    if (!model) return sendJson(res, 404, { error: `model '${name}' not found` });
    const info = details(model.name);
    sendJson(res, 200, {
      license: '',
      modelfile: `# Modelfile generated by "ollama show"\nFROM ${model.name}\n`,
      parameters: 'stop "<|eot_id|>"',
      template: '{{ .Prompt }}',
      details: info,
      model_info: fakeModelInfo(model.name),
      capabilities: ['completion'],
      modified_at: model.modifiedAt,
    });
  }

  async #pull(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readModelRequest(req, res);
    if (!request) return;
    const { body, name } = request;
    const full = fullModelName(name);
    const layers = this.#registry[full];
    const interval = this.#config.pullIntervalMs ?? 60;
    const steps = Math.max(1, this.#config.pullStepsPerLayer ?? 5);

    if (body.stream === false) {
      // Without streaming Ollama answers once, when the pull has finished or failed.
      if (!layers) return sendJson(res, 500, { error: 'pull model manifest: file does not exist' });
      this.#install(full, new Date());
      this.#saveStateFile();
      return sendJson(res, 200, { status: 'success' });
    }

    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    let cancelled = false;
    res.on('close', () => {
      if (!res.writableFinished) cancelled = true;
    });
    const send = (line: object) => res.write(`${JSON.stringify(line)}\n`);
    send({ status: 'pulling manifest' });
    await sleep(interval);
    if (!layers) {
      // Ollama reports a registry failure inside a 200 stream, not with an HTTP status.
      res.end(`${JSON.stringify({ error: 'pull model manifest: file does not exist' })}\n`);
      return;
    }
    const digests = layerDigests(full, layers);
    const allBytes = layers.reduce((sum, size) => sum + size, 0);
    let allDone = 0;
    for (const [index, total] of layers.entries()) {
      const digest = digests[index] ?? '';
      const status = `pulling ${digest.slice('sha256:'.length, 'sha256:'.length + 12)}`;
      // A layer already (partly) here continues from its size, as Ollama resumes a partial blob.
      let done = this.#layers.have(digest, total);
      allDone += done;
      if (done > 0) send({ status, digest, total, completed: done });
      while (done < total) {
        if (cancelled) return;
        const fault = this.#takeFault(full, (allDone / allBytes) * 100);
        if (fault?.fault === 'drop') return void res.destroy();
        if (fault?.fault === 'stall') {
          while (!cancelled) await sleep(interval);
          return;
        }
        const bytes = Math.min(total - done, Math.max(1, Math.round(total / steps)));
        try {
          this.#layers.write(digest, bytes);
        } catch (error) {
          // Ollama reports a failed write inside the 200 stream.
          res.end(`${JSON.stringify({ error: `write ${digest}-partial: ${(error as Error).message}` })}\n`);
          return;
        }
        done += bytes;
        allDone += bytes;
        send({ status, digest, total, completed: done });
        await sleep(interval);
      }
      this.#layers.complete(digest);
    }
    if (cancelled) return;
    send({ status: 'verifying sha256 digest' });
    send({ status: 'writing manifest' });
    this.#install(full, new Date());
    this.#saveStateFile();
    res.end(`${JSON.stringify({ status: 'success' })}\n`);
  }

  async #delete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readModelRequest(req, res);
    if (!request) return;
    const { name } = request;
    const model = this.#find(name);
    if (!model) return sendJson(res, 404, { error: `model '${name}' not found` });
    this.#installed.delete(model.name);
    this.#loaded.delete(model.name);
    this.#layers.remove(layerDigests(model.name, this.#registry[model.name] ?? []));
    this.#saveStateFile();
    res.writeHead(200).end();
  }

  #replyTokens(messages: unknown = []): string[] {
    const turn = Array.isArray(messages) ? messages.filter((message: { role?: unknown } | null) => message?.role === 'user').length : 0;
    return (this.#config.reply ?? 'Hello from the fake Ollama.').replaceAll('{turn}', String(turn)).split(/(?<= )/);
  }

  /** A request's `keep_alive` (a duration string or seconds) wins over `OLLAMA_KEEP_ALIVE`, as in Ollama. */
  #load(model: InstalledModel, keepAlive?: unknown): void {
    const requested = typeof keepAlive === 'number' ? String(keepAlive) : typeof keepAlive === 'string' ? keepAlive : undefined;
    const ms = keepAliveMs(requested ?? this.#config.keepAlive);
    if (ms === 0) this.#loaded.delete(model.name);
    // A negative keep-alive keeps the model loaded indefinitely.
    else this.#loaded.set(model.name, { name: model.name, expiresAt: new Date(ms < 0 ? 8.64e15 : Date.now() + ms) });
  }

  /**
   * `/api/generate`: an empty prompt only loads the model, or with `keep_alive: 0` unloads it
   * (`done_reason: "unload"`), as docs/api.md describes; a prompt gets the usual reply.
   */
  async #generate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readModelRequest(req, res);
    if (!request) return;
    const { body, name } = request;
    const model = this.#find(name);
    if (!model) return sendJson(res, 404, { error: `model '${name}' not found` });
    this.#load(model, body.keep_alive);
    const prompt = typeof body.prompt === 'string' ? body.prompt : '';
    const base = { model: name, created_at: new Date().toISOString() };
    if (prompt === '') {
      const unloaded = !this.#loaded.has(model.name);
      return sendJson(res, 200, { ...base, response: '', done: true, ...(unloaded ? { done_reason: 'unload' } : { done_reason: 'load' }) });
    }
    const tokens = this.#replyTokens();
    if (body.stream === false) return sendJson(res, 200, { ...base, response: tokens.join(''), done: true, done_reason: 'stop' });
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    for (const token of tokens) res.write(`${JSON.stringify({ ...base, response: token, done: false })}\n`);
    res.end(`${JSON.stringify({ ...base, response: '', done: true, done_reason: 'stop' })}\n`);
  }

  async #chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readModelRequest(req, res);
    if (!request) return;
    const { body, name } = request;
    const model = this.#find(name);
    if (!model) return sendJson(res, 404, { error: `model "${name}" not found, try pulling it first` });
    this.#load(model, body.keep_alive);
    const tokens = this.#replyTokens(body.messages);
    const stats = {
      total_duration: 1_200_000,
      load_duration: 100_000,
      prompt_eval_count: 12,
      prompt_eval_duration: 200_000,
      eval_count: tokens.length,
      eval_duration: 900_000,
    };
    const line = (content: string, done: boolean) => ({ model: name, created_at: new Date().toISOString(), message: { role: 'assistant', content }, done });
    if (body.stream === false) {
      return sendJson(res, 200, { ...line(tokens.join(''), true), done_reason: 'stop', ...stats });
    }
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    for (const token of tokens) res.write(`${JSON.stringify(line(token, false))}\n`);
    res.end(`${JSON.stringify({ ...line('', true), done_reason: 'stop', ...stats })}\n`);
  }

  async #openAiChat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const openAiError = (status: number, message: string) =>
      sendJson(res, status, {
        error: { message, type: status === 404 ? 'not_found_error' : status === 400 ? 'invalid_request_error' : 'api_error', param: null, code: null },
      });
    const body = await readJson(req);
    if (!body) return openAiError(400, 'invalid character in request body');
    const name = requestedModel(body);
    if (!name) return openAiError(400, 'model is required');
    if (!Array.isArray(body.messages) || body.messages.length === 0) return openAiError(400, 'invalid message format');
    const model = this.#find(name);
    if (!model) return openAiError(404, `model "${name}" not found, try pulling it first`);
    this.#load(model);

    const id = `chatcmpl-${randomInt(1, 1000)}`;
    const created = Math.floor(Date.now() / 1000);
    const tokens = this.#replyTokens(body.messages);
    const promptTokens = JSON.stringify(body.messages).length >> 2;
    const usage = { prompt_tokens: promptTokens, completion_tokens: tokens.length, total_tokens: promptTokens + tokens.length };
    const base = { id, created, model: name, system_fingerprint: 'fp_ollama' };

    if (body.stream !== true) {
      return sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: tokens.join('') }, finish_reason: 'stop' }],
        usage,
      });
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const event = (data: object) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (content: string, finishReason: string | null) => ({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: finishReason }],
    });
    for (const token of tokens) {
      // A client that stopped reading (Stop in the Playground) ends the answer, as Ollama does.
      if (res.destroyed) return;
      event(chunk(token, null));
      if (this.#config.tokenIntervalMs) await new Promise((resolve) => setTimeout(resolve, this.#config.tokenIntervalMs));
    }
    event(chunk('', 'stop'));
    const options = body.stream_options as { include_usage?: unknown } | undefined;
    if (options?.include_usage === true) event({ ...base, object: 'chat.completion.chunk', choices: [], usage });
    res.end('data: [DONE]\n\n');
  }
}

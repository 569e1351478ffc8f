/**
 * Model management: the lists (`/api/tags`, `/api/ps`), read at every start and health check, are
 * plain GETs over node:http (src/lib/http-get.ts), so that an idle host never loads undici; pull
 * with progress and cancel, delete and unload go through the official `ollama` client, imported
 * on first use. The client already parses the NDJSON stream and turns an in-stream
 * `{"error": …}` into a thrown error; what it lacks is a timeout on plain requests, which the
 * `fetch` given to it adds.
 */
import type { Ollama } from 'ollama';
import { z } from 'zod';
import { httpGet } from '../../lib/http-get.ts';
import type { OllamaLoadedModel, OllamaModel, OllamaPullProgress, OllamaPullResult } from '../../shared/ollama.ts';
import { PullProgressTracker, type PullProgressOptions } from './pull-stream.ts';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** An Ollama request that failed, worded for the user. */
export class OllamaRequestError extends Error {
  override name = 'OllamaRequestError';
  readonly fix: string;
  /** HTTP status when the server answered with one. */
  readonly status: number | undefined;
  constructor(message: string, fix: string, status?: number) {
    super(message);
    this.fix = fix;
    this.status = status;
  }
}

/**
 * A client for the server at `url`. Requests the client sends without a signal of its own
 * (everything but streams) get `timeoutMs`; a stream is bounded by its caller instead, as a
 * pull of several gigabytes may rightly take an hour.
 */
export async function createOllamaClient(url: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<Ollama> {
  const { Ollama } = await import('ollama');
  const boundedFetch: typeof fetch = (input, init) => fetch(input, init?.signal ? init : { ...init, signal: AbortSignal.timeout(timeoutMs) });
  return new Ollama({ host: url, fetch: boundedFetch });
}

const Text = z.unknown().transform((value) => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value)));
const Bytes = z.number().nonnegative().catch(0);
const DetailsSchema = z
  .object({ family: z.string().optional(), parameter_size: z.string().optional(), quantization_level: z.string().optional() })
  .partial()
  .catch({});

const TagsSchema = z.object({
  models: z.array(z.object({ name: z.string(), size: Bytes, digest: Text, modified_at: Text, details: DetailsSchema.optional() })),
});
const PsSchema = z.object({
  models: z.array(z.object({ name: z.string(), size: Bytes, size_vram: Bytes, expires_at: Text })),
});

function describeFailure(error: unknown, url: string, action: string): OllamaRequestError {
  const status = (error as { status_code?: unknown }).status_code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status === 'number') {
    return new OllamaRequestError(`${action} failed: Ollama answered HTTP ${status}: ${message}`, 'check the Ollama log for details', status);
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new OllamaRequestError(`${action} failed: Ollama at ${url} did not answer in time`, 'check that Ollama is running and not overloaded');
  }
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return new OllamaRequestError(`${action} failed: cannot reach Ollama at ${url} (${message}${cause})`, 'start Ollama, or check OLLAMA_HOST');
}

async function request<T>(url: string, action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw describeFailure(error, url, action);
  }
}

/** Ollama's answer to a GET of `path`, parsed; HTTP errors worded as the client words them. */
async function getJson(url: string, path: string, action: string, timeoutMs: number): Promise<unknown> {
  const answer = await request(url, action, () =>
    httpGet(`${url.replace(/\/+$/, '')}${path}`, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } }),
  );
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  if (answer.status !== 200) {
    // Ollama says what went wrong in `{"error": …}`, as the client reports it.
    const said = (body as { error?: unknown } | undefined)?.error;
    const message = typeof said === 'string' ? said : answer.body.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw describeFailure(Object.assign(new Error(message), { status_code: answer.status }), url, action);
  }
  return body;
}

/** Installed models, `name:tag`, as `/api/tags` lists them. */
export async function listModels(url: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<OllamaModel[]> {
  const raw = await getJson(url, '/api/tags', 'listing the installed models', timeoutMs);
  const parsed = TagsSchema.safeParse(raw);
  if (!parsed.success)
    throw new OllamaRequestError(`listing the installed models failed: ${url}/api/tags answered in an unexpected shape`, 'check that the server is Ollama');
  return parsed.data.models.map((model) => ({
    name: model.name,
    sizeBytes: model.size,
    digest: model.digest,
    modifiedAt: model.modified_at,
    family: model.details?.family ?? null,
    parameterSize: model.details?.parameter_size ?? null,
    quantization: model.details?.quantization_level ?? null,
  }));
}

/** Models loaded in memory, from `/api/ps`. */
export async function listLoadedModels(url: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<OllamaLoadedModel[]> {
  const raw = await getJson(url, '/api/ps', 'listing the loaded models', timeoutMs);
  const parsed = PsSchema.safeParse(raw);
  if (!parsed.success)
    throw new OllamaRequestError(`listing the loaded models failed: ${url}/api/ps answered in an unexpected shape`, 'check that the server is Ollama');
  return parsed.data.models.map((model) => ({ name: model.name, sizeBytes: model.size, vramBytes: model.size_vram, expiresAt: model.expires_at }));
}

/** Deletes an installed model; a model that is not installed is an error naming it. */
export async function deleteModel(client: Ollama, url: string, model: string): Promise<void> {
  try {
    await client.delete({ model });
  } catch (error) {
    if ((error as { status_code?: unknown }).status_code === 404) {
      throw new OllamaRequestError(
        `model ${JSON.stringify(model)} is not installed, so it cannot be deleted`,
        'refresh the model list; it may have been deleted already',
        404,
      );
    }
    throw describeFailure(error, url, `deleting ${JSON.stringify(model)}`);
  }
}

/** Frees a loaded model's memory: an empty generate request with `keep_alive: 0`, as Ollama documents. */
export async function unloadModel(client: Ollama, url: string, model: string): Promise<void> {
  await request(url, `unloading ${JSON.stringify(model)}`, () => client.generate({ model, prompt: '', keep_alive: 0, stream: false }));
}

export interface PullOptions extends PullProgressOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: OllamaPullProgress) => void) | undefined;
}

/**
 * Pulls a model, reporting progress. Never throws: the result says success, cancelled (the
 * signal fired) or failed, including Ollama's in-stream errors, which arrive with HTTP 200.
 */
export async function pullModel(client: Ollama, url: string, model: string, options: PullOptions = {}): Promise<OllamaPullResult> {
  const { signal } = options;
  if (signal?.aborted) return { status: 'cancelled', model };
  const tracker = new PullProgressTracker(model, options);
  try {
    const stream = await client.pull({ model, stream: true });
    const abort = () => stream.abort();
    signal?.addEventListener('abort', abort, { once: true });
    let succeeded = false;
    try {
      if (signal?.aborted) stream.abort();
      for await (const part of stream) {
        succeeded ||= /^success/i.test(part.status);
        options.onProgress?.(tracker.update(part));
      }
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    if (signal?.aborted) return { status: 'cancelled', model };
    // A connection cut cleanly mid-pull ends the stream without Ollama's `success`: not installed.
    if (!succeeded) {
      return {
        status: 'failed',
        model,
        reason: `pulling ${JSON.stringify(model)} ended before Ollama said it was complete (the connection closed)`,
        fix: 'check that Ollama still runs and your network, then pull again: Ollama keeps what was downloaded',
      };
    }
    return { status: 'success', model };
  } catch (error) {
    if (signal?.aborted) return { status: 'cancelled', model };
    const status = (error as { status_code?: unknown }).status_code;
    const message = error instanceof Error ? error.message : String(error);
    if (typeof status !== 'number' && /file does not exist|not found/i.test(message)) {
      return {
        status: 'failed',
        model,
        reason: `pulling ${JSON.stringify(model)} failed: ${message}`,
        fix: 'check the model name and tag at https://ollama.com/library',
      };
    }
    if (typeof status !== 'number' && error instanceof Error && !error.cause && error.name === 'Error') {
      // An error Ollama reported inside the stream (disk full, registry down, …).
      return {
        status: 'failed',
        model,
        reason: `pulling ${JSON.stringify(model)} failed: ${message}`,
        fix: 'check the Ollama log, your disk space and network, then try again',
      };
    }
    const failure = describeFailure(error, url, `pulling ${JSON.stringify(model)}`);
    return { status: 'failed', model, reason: failure.message, fix: failure.fix };
  }
}

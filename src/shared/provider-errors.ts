import { PROVIDER_SPECS, type Provider } from './providers.ts';
import type { RunnerErrorCode } from './runner-protocol.ts';

/** An error as the app shows it: what happened, and what to do about it. */
export interface DescribedError {
  code: RunnerErrorCode;
  message: string;
  fix?: string;
  status?: number;
}

export interface ErrorContext {
  provider: Provider;
  model: string;
  baseUrl: string;
  /** Names the server in messages instead of the provider's label: a user's OpenAI-compatible endpoint ("Groq"). */
  label?: string;
}

/** The parts of an SDK `APIError` (openai and @anthropic-ai/sdk share them) this module reads. */
interface HttpErrorLike {
  status: number;
  headers?: Headers | undefined;
  error?: unknown;
  message: string;
}

/** Socket and DNS error codes (`ECONNREFUSED`, `ENOTFOUND`, …) and undici's (`UND_ERR_SOCKET`). */
const SYSTEM_ERROR_CODE = /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/;

const isHttpError = (error: unknown): error is HttpErrorLike => error instanceof Error && typeof (error as { status?: unknown }).status === 'number';

/** Walks `cause` chains (fetch wraps the socket error) looking for a system error code. */
function systemErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && SYSTEM_ERROR_CODE.test(code)) return code;
  }
  return undefined;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.constructor.name : '');

/** The `error` object of an Anthropic (`{type:"error", error:{type,message}}`) or OpenAI (`{error:{code,message}}`) body. */
function apiErrorBody(error: HttpErrorLike): { type?: string; code?: string; message?: string } {
  const body = error.error;
  if (typeof body !== 'object' || body === null) return {};
  const inner = 'error' in body && typeof body.error === 'object' && body.error !== null ? body.error : body;
  const field = (name: string): string | undefined => {
    const value = (inner as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  return { type: field('type'), code: field('code'), message: field('message') };
}

/** Seconds to wait, from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterSeconds(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms)) return Math.max(0, Math.ceil(ms / 1000));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

const serverSays = (message: string | undefined): string => (message ? ` The server said: "${message.slice(0, 300)}"` : '');

function describeHttpError(error: HttpErrorLike, context: ErrorContext): DescribedError {
  const { provider, model, baseUrl } = context;
  const label = context.label ?? PROVIDER_SPECS[provider].label;
  const { status } = error;
  const body = apiErrorBody(error);
  switch (true) {
    case status === 401:
      return {
        code: 'auth',
        status,
        message: `the ${label} API key was rejected (401); check or replace it`,
        fix: `Enter a valid ${label} API key in Settings, or set it with the environment variable for ${label}.`,
      };
    case status === 403:
      return {
        code: 'auth',
        status,
        message: `the ${label} API key is not allowed to do this (403).${serverSays(body.message)}`,
        fix: `Check the key's permissions, organisation or project in your ${label} account.`,
      };
    case status === 404: {
      // A 404 for an unknown model names it ("model: claude-x", code model_not_found, Ollama's
      // `model "x" not found`); a 404 for a wrong base URL path does not.
      const aboutModel = body.code === 'model_not_found' || /\bmodel\b/i.test(body.message ?? '');
      if (aboutModel) {
        return {
          code: 'model-not-found',
          status,
          message: `the model "${model}" was not found at ${label} (404)`,
          fix:
            PROVIDER_SPECS[provider].models === 'ollama-tags'
              ? `Run \`ollama pull ${model}\`, or choose an installed model.`
              : `Choose a model your ${label} account can use (STIGMER_LLM_MODEL or the model setting).`,
        };
      }
      return {
        code: 'not-found',
        status,
        message: `${baseUrl} answered 404: it does not serve the ${label} API there`,
        fix: `Check the base URL (STIGMER_LLM_BASE_URL or the base URL setting).`,
      };
    }
    case status === 429: {
      const wait = retryAfterSeconds(error.headers);
      return {
        code: 'rate-limit',
        status,
        message: `the ${label} API rate limit was reached (429)${wait === undefined ? '' : `; retry after ${wait} s`}`,
        fix: `Wait${wait === undefined ? '' : ` ${wait} s`} and try again, or raise your ${label} usage limits.`,
      };
    }
    case status === 529 || body.type === 'overloaded_error':
      return {
        code: 'server',
        status,
        message: `the ${label} API is overloaded (${status}); try again shortly`,
        fix: 'Try again in a minute.',
      };
    case status >= 500:
      return {
        code: 'server',
        status,
        message: `the ${label} API failed with a server error (${status}).${serverSays(body.message)}`,
        fix: 'Try again later; if it persists, check the provider status page.',
      };
    default:
      return {
        code: 'bad-request',
        status,
        message: `the ${label} API refused the request (${status}).${serverSays(body.message ?? error.message)}`,
      };
  }
}

/**
 * Maps any error from the SDKs or `fetch` to a clear message. The caller redacts the result:
 * server messages are quoted and may echo a key.
 */
export function describeError(error: unknown, context: ErrorContext): DescribedError {
  const name = errorName(error);
  if (name === 'APIUserAbortError' || (error instanceof Error && error.name === 'AbortError')) {
    return { code: 'cancelled', message: 'the task was cancelled' };
  }
  if (name === 'APIConnectionTimeoutError' || (error instanceof Error && error.name === 'TimeoutError')) {
    return {
      code: 'timeout',
      message: `${context.baseUrl} did not answer in time`,
      fix: 'Check the network, or whether the server is overloaded.',
    };
  }
  if (isHttpError(error)) return describeHttpError(error, context);
  const systemCode = systemErrorCode(error);
  if (name === 'APIConnectionError' || systemCode !== undefined || (error instanceof TypeError && error.message === 'fetch failed')) {
    return {
      code: 'unreachable',
      message: `cannot reach ${context.baseUrl}${systemCode ? ` (${systemCode})` : ''}`,
      fix:
        context.label === undefined
          ? PROVIDER_SPECS[context.provider].hints.unreachable
          : `Check that ${context.label} is running and answers at ${context.baseUrl}.`,
    };
  }
  return { code: 'unknown', message: error instanceof Error ? error.message : String(error) };
}

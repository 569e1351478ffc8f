/**
 * Is an Ollama server at this URL? A running Ollama answers `GET /api/version` with
 * `{"version": "…"}`; anything else that answers is someone else's program.
 *
 * This uses a plain GET rather than the `ollama` client on purpose: the probe must tell a refused
 * connection from a timeout from a foreign server, and the client hides all three behind one error.
 * node:http rather than `fetch`, which would load undici into every host for this one request
 * (src/lib/http-get.ts).
 */
import { errorCode } from '../../lib/error-code.ts';
import { httpGet } from '../../lib/http-get.ts';

export type ProbeResult =
  | { kind: 'running'; version: string }
  /** Nothing listens there. */
  | { kind: 'refused' }
  /** Something answered, but not as Ollama does. Never to be stopped or replaced. */
  | { kind: 'foreign'; detail: string }
  /** A connection was accepted (or is pending) but no answer came in time. */
  | { kind: 'timeout'; afterMs: number }
  /** The host could not be reached at all (unknown name, no route). */
  | { kind: 'unreachable'; detail: string };

export interface ProbeOptions {
  /** Bound for the whole probe, connection and body included. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Called once if no verdict has come after `slowAfterMs`: a server that accepts and does not
   * answer is only judged at the timeout, and the user should not stare at nothing meanwhile.
   */
  onSlow?: (elapsedMs: number) => void;
  slowAfterMs?: number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 2000;
/** A local Ollama answers its version in a few ms; well past that, but well inside 500 ms, the wait is shown. */
export const DEFAULT_PROBE_SLOW_MS = 300;

/** An answer this long is not Ollama's version reply; reading stops there. */
const MAX_BODY_CHARS = 4096;

const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

const describe = (error: unknown): string => {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ?? (error instanceof Error ? error.message : String(error));
};

function interpret(status: number, contentType: string, body: string): ProbeResult {
  if (status === 200) {
    try {
      const parsed: unknown = JSON.parse(body);
      const version = (parsed as { version?: unknown } | null)?.version;
      if (typeof version === 'string') return { kind: 'running', version };
    } catch {
      // Not JSON: described below.
    }
  }
  const preview = body.replace(/\s+/g, ' ').trim().slice(0, 80);
  return {
    kind: 'foreign',
    detail: `GET /api/version answered HTTP ${status}${contentType ? ` (${contentType.split(';')[0]})` : ''}${preview ? `: ${preview}` : ''}`,
  };
}

export async function probeOllama(baseUrl: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const url = `${baseUrl.replace(/\/+$/, '')}/api/version`;
  const { onSlow } = options;
  const slowAfterMs = options.slowAfterMs ?? DEFAULT_PROBE_SLOW_MS;
  const slowTimer = onSlow && slowAfterMs < timeoutMs ? setTimeout(() => onSlow(slowAfterMs), slowAfterMs) : undefined;
  try {
    const answer = await httpGet(url, { signal, headers: { Accept: 'application/json' }, maxBodyChars: MAX_BODY_CHARS });
    return interpret(answer.status, answer.contentType, answer.body);
  } catch (error) {
    if (timeout.aborted) return { kind: 'timeout', afterMs: timeoutMs };
    if (options.signal?.aborted) throw error;
    const code = errorCode(error);
    if (code === 'ECONNREFUSED') return { kind: 'refused' };
    if (code && UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', detail: describe(error) };
    // The connection was made and then something spoke a protocol other than HTTP, or hung up.
    return { kind: 'foreign', detail: `the connection was accepted, then ${describe(error)}` };
  } finally {
    clearTimeout(slowTimer);
  }
}

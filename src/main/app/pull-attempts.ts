/**
 * One download as the user sees it, over as many of Ollama's pulls as it takes: space checked
 * before and as the stream reveals the layers' sizes, a lost connection retried with backoff, and
 * a transfer that brings no bytes for a while stopped and reported as stalled instead of spinning.
 */
import type { OllamaPullProgress, OllamaPullResult } from '../../shared/ollama.ts';
import { formatDuration } from '../process/restart-policy.ts';
import { judgeSpace } from '../ollama/disk-space.ts';

/** Statuses after the last byte arrived (verifying a large blob can take minutes without new bytes). */
const FINISHING = /^(verifying|writing|removing|success)/i;

/** Failures a new attempt may get past: the connection to Ollama, or Ollama's to the registry. */
const TRANSIENT = /cannot reach|did not answer|terminated|ended before|reset|socket|network|timeout|timed out|EOF|max retries|connection|temporar/i;
const PERMANENT = /no space|does not exist|not found|permission|manifest unknown/i;

export const DEFAULT_STALL_MS = 60_000;
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [2_000, 8_000, 30_000];

export type PullOutcome =
  | { kind: 'success' }
  | { kind: 'cancelled' }
  /** Not started, or stopped, for lack of space. */
  | { kind: 'refused'; reason: string; fix: string }
  /** Cut short (a stall, the connection lost after the retries, Ollama stopped by a quit): resumable. */
  | { kind: 'interrupted'; cause: 'stall' | 'network' | 'stopped'; reason: string; fix: string }
  | { kind: 'failed'; reason: string; fix: string };

export interface PullAttemptsOptions {
  model: string;
  /** Ollama's pull (the manager's): never throws, aborted by `signal`. */
  pull: (model: string, options: { signal: AbortSignal; onProgress: (progress: OllamaPullProgress) => void }) => Promise<OllamaPullResult>;
  /** Free space where the blobs go; undefined when that cannot be known (it says why itself). */
  disk: () => Promise<{ folder: string; freeBytes: number } | undefined>;
  /** The download's size when known before asking Ollama (the catalog's), less what is already down. */
  expectedBytes?: number | undefined;
  /** The user's Cancel. */
  signal: AbortSignal;
  onProgress: (progress: OllamaPullProgress) => void;
  onWarning: (warning: string) => void;
  /** A retry is waiting `delayMs` after `reason`. */
  onRetry: (attempt: number, delayMs: number, reason: string) => void;
  stallMs?: number;
  retryDelaysMs?: readonly number[];
}

const isTransient = (reason: string) => TRANSIENT.test(reason) && !PERMANENT.test(reason);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Checks `neededBytes` against the disk: the refusal, or undefined after warning when little would be left. */
async function checkSpace(options: PullAttemptsOptions, neededBytes: number): Promise<{ reason: string; fix: string } | undefined> {
  const disk = await options.disk();
  if (!disk) return undefined;
  const verdict = judgeSpace(options.model, neededBytes, disk.freeBytes, disk.folder);
  if (verdict.verdict === 'refused') return verdict;
  if (verdict.verdict === 'low') options.onWarning(verdict.warning);
  return undefined;
}

/** One attempt, watched for stalls and for layers that do not fit. */
async function attempt(
  options: PullAttemptsOptions,
  stallMs: number,
): Promise<{ result: OllamaPullResult; stopped?: 'stall' | { reason: string; fix: string } }> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  options.signal.addEventListener('abort', cancel, { once: true });
  let stopped: 'stall' | { reason: string; fix: string } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stopped ??= 'stall';
      controller.abort();
    }, stallMs);
  };
  let bytes = -1;
  let total = 0;
  arm();
  try {
    const result = await options.pull(options.model, {
      signal: controller.signal,
      onProgress: (progress) => {
        if (FINISHING.test(progress.status)) clearTimeout(timer);
        else if (progress.completedBytes > bytes) arm();
        bytes = Math.max(bytes, progress.completedBytes);
        // A new layer's size is known: what is still to come must fit in what is free now.
        if (progress.totalBytes > total) {
          total = progress.totalBytes;
          checkSpace(options, progress.totalBytes - progress.completedBytes).then(
            (refusal) => {
              if (refusal && !stopped) {
                stopped = refusal;
                controller.abort();
              }
            },
            // `disk` reports what it could not read itself; the pull goes on unchecked.
            () => undefined,
          );
        }
        options.onProgress(progress);
      },
    });
    return stopped ? { result, stopped } : { result };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', cancel);
  }
}

export async function pullWithRetries(options: PullAttemptsOptions): Promise<PullOutcome> {
  const stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  if (options.expectedBytes !== undefined && options.expectedBytes > 0) {
    const refusal = await checkSpace(options, options.expectedBytes);
    if (refusal) return { kind: 'refused', ...refusal };
  }
  for (let retry = 0; ; retry += 1) {
    const { result, stopped } = await attempt(options, stallMs);
    if (result.status === 'success') return { kind: 'success' };
    if (stopped && stopped !== 'stall') return { kind: 'refused', ...stopped };
    if (options.signal.aborted) return { kind: 'cancelled' };
    if (stopped === 'stall') {
      return {
        kind: 'interrupted',
        cause: 'stall',
        reason: `The download of ${options.model} stalled: no data arrived for ${formatDuration(stallMs)}`,
        fix: 'Check your network connection, then choose Resume: Ollama keeps what was downloaded',
      };
    }
    if (result.status === 'cancelled') {
      return {
        kind: 'interrupted',
        cause: 'stopped',
        reason: `The download of ${options.model} stopped when Ollama was stopped`,
        fix: 'Choose Resume once Ollama runs again: it continues where it stopped',
      };
    }
    if (!isTransient(result.reason)) return { kind: 'failed', reason: result.reason, fix: result.fix };
    const delay = delays[retry];
    if (delay === undefined) {
      return {
        kind: 'interrupted',
        cause: 'network',
        reason: `${result.reason} (${retry + 1} attempt${retry === 0 ? '' : 's'})`,
        fix: 'Check your network connection and that Ollama runs, then choose Resume: it continues where it stopped',
      };
    }
    options.onRetry(retry + 2, delay, result.reason);
    await sleep(delay, options.signal);
    if (options.signal.aborted) return { kind: 'cancelled' };
  }
}

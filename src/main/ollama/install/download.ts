/**
 * A download that survives interruptions: the partial file stays in the data folder and the next
 * attempt asks only for the rest (HTTP Range). Uses the global fetch, so proxies are honoured as
 * Node's fetch honours them (NODE_USE_ENV_PROXY=1 with HTTPS_PROXY / HTTP_PROXY / NO_PROXY).
 */
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { errorCode } from '../../../lib/error-code.ts';

/** A failure worded for the user, with what to do about it. */
export class DownloadError extends Error {
  override name = 'DownloadError';
  readonly fix: string;
  constructor(message: string, fix: string) {
    super(message);
    this.fix = fix;
  }
}

const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

/** Turns a failed request into one clear line; an abort is passed on as it is. */
export function describeRequestFailure(error: unknown, url: string): Error {
  if (isAbort(error) || error instanceof DownloadError) return error as Error;
  const host = new URL(url).host;
  const code = errorCode(error);
  if (code && OFFLINE_CODES.has(code)) {
    return new DownloadError(
      `Could not reach ${host} (${code}): this computer seems to be offline, or the releases server is down.`,
      `check the network connection (and HTTPS_PROXY with NODE_USE_ENV_PROXY=1 behind a proxy), then try again`,
    );
  }
  const why = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return new DownloadError(`The request to ${host} failed: ${why}.`, 'try again; if it keeps failing, set another releases mirror');
}

/** GETs a small text file (the checksum list). */
export async function fetchText(url: string, signal: AbortSignal): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    throw describeRequestFailure(error, url);
  }
  if (!response.ok) throw httpFailure(response.status, url);
  return response.text();
}

export function httpFailure(status: number, url: string): DownloadError {
  if (status === 404)
    return new DownloadError(
      `The release has no such file: ${url} answered HTTP 404.`,
      'check the releases mirror (STIGMER_OLLAMA_RELEASES_URL), or try again later',
    );
  return new DownloadError(`${url} answered HTTP ${status}.`, 'try again later; the releases server may be busy');
}

export interface DownloadOptions {
  url: string;
  /** The partial file; kept on failure so the next attempt resumes. */
  file: string;
  signal: AbortSignal;
  /** Called as bytes arrive: the total so far, the full size (0 when unknown) and what was kept from before. */
  onProgress: (completed: number, total: number, resumedFrom: number) => void;
}

/** Downloads `url` into `file`, resuming what is there; resolves with the size once complete. */
export async function downloadResumable(options: DownloadOptions): Promise<number> {
  const { url, file, signal } = options;
  const have = fs.existsSync(file) ? fs.statSync(file).size : 0;
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
  } catch (error) {
    throw describeRequestFailure(error, url);
  }
  // 416: the partial file is already whole (an earlier attempt ended just before the check).
  if (response.status === 416 && have > 0) {
    await response.body?.cancel();
    return have;
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw httpFailure(response.status, url);
  }
  const resumed = response.status === 206 ? have : 0;
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const total = Number.isFinite(length) ? resumed + length : 0;
  let completed = resumed;
  options.onProgress(completed, total, resumed);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      completed += chunk.length;
      options.onProgress(completed, total, resumed);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, fs.createWriteStream(file, { flags: resumed > 0 ? 'a' : 'w' }), {
      signal,
    });
  } catch (error) {
    if (isAbort(error) || signal.aborted) throw error;
    throw new DownloadError(
      `The download was interrupted after ${completed} of ${total || 'an unknown number of'} bytes.`,
      'try again: the download resumes where it stopped',
    );
  }
  if (total > 0 && completed < total) {
    throw new DownloadError(`The download ended early, after ${completed} of ${total} bytes.`, 'try again: the download resumes where it stopped');
  }
  return completed;
}

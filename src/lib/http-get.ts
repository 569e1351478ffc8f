/**
 * A GET over `node:http(s)` for the small JSON answers a process asks at start (Ollama's version
 * and model lists). Not `fetch`: fetch loads undici, which then stays resident (~13 MB of an
 * idle host) and costs ~0.1 s of CPU to load, for a few requests. The module is taken with
 * `process.getBuiltinModule`, not `import`, since an ES import of node:http reads every export,
 * and its lazy `WebSocket` export loads undici all the same.
 *
 * Redirects are not followed (node:http never does); each request has its own connection, so a
 * server that dropped an idle keep-alive socket cannot fail the next request.
 */

export interface HttpGetOptions {
  /** Aborting rejects with the signal's reason (a TimeoutError for `AbortSignal.timeout`). */
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Reading stops once the body has this many characters; default 1 MiB. */
  maxBodyChars?: number;
}

export interface HttpGetAnswer {
  status: number;
  /** The Content-Type header, '' when there is none. */
  contentType: string;
  /** The body as UTF-8, cut at `maxBodyChars`. */
  body: string;
}

const DEFAULT_MAX_BODY_CHARS = 1024 * 1024;

/** Rejects with the socket's own error (its `code`: ECONNREFUSED, ENOTFOUND, …) or the signal's reason. */
export function httpGet(url: string, options: HttpGetOptions = {}): Promise<HttpGetAnswer> {
  const { get } = process.getBuiltinModule(url.startsWith('https:') ? 'node:https' : 'node:http');
  const { signal } = options;
  const maxBodyChars = options.maxBodyChars ?? DEFAULT_MAX_BODY_CHARS;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const request = get(url, { agent: false, headers: options.headers ?? {} }, (response) => {
      let body = '';
      const finish = () => {
        response.destroy();
        settle(() => resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', body: body.slice(0, maxBodyChars) }));
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (body.length >= maxBodyChars) finish();
      });
      response.on('end', finish);
      response.on('error', (error) => settle(() => reject(error)));
      // A server that hangs up mid-body: no 'end', and not always an 'error'.
      response.on('close', () => settle(() => reject(Object.assign(new Error('the connection closed before the answer ended'), { code: 'ECONNRESET' }))));
    });
    const onAbort = () => {
      settle(() => reject(signal!.reason as Error));
      request.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => settle(() => reject(error)));
  });
}

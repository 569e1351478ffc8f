/**
 * A download over Ollama's pulls, against the Ollama double in this process: a dropped connection
 * is retried and continues from the bytes already down, a silent stream is stopped as stalled, a
 * layer that does not fit stops the pull with both numbers, and Cancel ends a retry's wait.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pullWithRetries, type PullAttemptsOptions } from '../../src/main/app/pull-attempts.ts';
import { createOllamaClient, pullModel } from '../../src/main/ollama/models.ts';
import type { OllamaPullProgress } from '../../src/shared/ollama.ts';
import { createFakeOllamaServer } from '../doubles/ollama/server.ts';
import type { PullFault } from '../doubles/ollama/layer-store.ts';

const MB = 1e6;
const REGISTRY = { 'tiny:latest': [40 * MB, 500], 'other:latest': [20 * MB, 300] };

async function double(t: { after(fn: () => Promise<void>): void }, faults: PullFault[] = []) {
  const { server } = createFakeOllamaServer({ registry: REGISTRY, pullIntervalMs: 5, pullStepsPerLayer: 20, pullFaults: faults });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return url;
}

function options(url: string, overrides: Partial<PullAttemptsOptions> = {}) {
  const seen: OllamaPullProgress[] = [];
  const warnings: string[] = [];
  const retries: [number, number, string][] = [];
  const cancel = new AbortController();
  const base: PullAttemptsOptions = {
    model: 'tiny',
    pull: async (model, pullOptions) => pullModel(await createOllamaClient(url), url, model, pullOptions),
    disk: async () => ({ folder: '/models', freeBytes: 100 * 1e9 }),
    signal: cancel.signal,
    onProgress: (progress) => seen.push(progress),
    onWarning: (warning) => warnings.push(warning),
    onRetry: (...args) => retries.push(args),
    retryDelaysMs: [50, 50],
    ...overrides,
  };
  return { base, seen, warnings, retries, cancel };
}

describe('a download that survives', () => {
  test('a dropped connection is retried with backoff and continues from the bytes already down', async (t) => {
    const url = await double(t, [{ model: 'tiny', atPercent: 40, fault: 'drop' }]);
    const { base, seen, retries } = options(url);
    assert.deepEqual(await pullWithRetries(base), { kind: 'success' });
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.[0], 2);
    assert.match(retries[0]?.[2] ?? '', /ended before Ollama said it was complete|cannot reach/);
    // The second attempt's first layer line starts at the bytes the first one brought, not at 0.
    const restart = seen.findIndex((progress, index) => index > 0 && progress.status === 'pulling manifest');
    const resumed = seen.slice(restart).find((progress) => progress.totalBytes > 0);
    assert.ok(resumed && resumed.completedBytes >= 0.4 * 40 * MB, `resumed at ${resumed?.completedBytes}`);
  });

  test('a stream that brings no bytes is stopped as stalled, with a fix, not left spinning', async (t) => {
    const url = await double(t, [{ model: 'tiny', atPercent: 25, fault: 'stall' }]);
    const { base } = options(url, { stallMs: 400 });
    const outcome = await pullWithRetries(base);
    assert.deepEqual(outcome, {
      kind: 'interrupted',
      cause: 'stall',
      reason: 'The download of tiny stalled: no data arrived for 400 ms',
      fix: 'Check your network connection, then choose Resume: Ollama keeps what was downloaded',
    });
  });

  test('a layer that does not fit stops the pull as soon as the stream gives its size', async (t) => {
    const url = await double(t);
    const { base, seen } = options(url, { disk: async () => ({ folder: '/small', freeBytes: 30 * MB }) });
    const outcome = await pullWithRetries(base);
    assert.equal(outcome.kind, 'refused');
    // The double's first layer line already has one step of 20 down: 38 MB are still to come.
    assert.equal(
      (outcome as { reason: string }).reason,
      'Not enough space for tiny: it needs 38.0 MB (41.8 MB with a 10 % margin) but /small has 30.0 MB free',
    );
    // Stopped at the first layer line: nowhere near the end.
    assert.ok(seen.every((progress) => progress.completedBytes < 40 * MB));
  });

  test('a size known before asking Ollama is refused without a request; little space left is a warning', async (t) => {
    const url = await double(t);
    let pulls = 0;
    const counted = options(url, {
      expectedBytes: 4.1e9,
      disk: async () => ({ folder: '/small', freeBytes: 64 * MB }),
      pull: async () => {
        pulls += 1;
        return { status: 'success', model: 'tiny' };
      },
    });
    assert.equal((await pullWithRetries(counted.base)).kind, 'refused');
    assert.equal(pulls, 0);

    const low = options(url, { disk: async () => ({ folder: '/models', freeBytes: 2e9 }) });
    assert.deepEqual(await pullWithRetries(low.base), { kind: 'success' });
    assert.match(low.warnings[0] ?? '', /^After this download \/models will have about 2\.0 GB free, less than 5\.0 GB\.$/);
  });

  test('an unknown model fails at once, without retries; Cancel ends the wait before a retry', async (t) => {
    const url = await double(t);
    const unknown = options(url, { model: 'nope' });
    assert.equal((await pullWithRetries(unknown.base)).kind, 'failed');
    assert.equal(unknown.retries.length, 0);

    const waiting = options(url, {
      retryDelaysMs: [60_000],
      pull: async (model) => ({ status: 'failed', model, reason: `pulling "${model}" failed: cannot reach Ollama`, fix: 'start Ollama' }),
    });
    const outcome = pullWithRetries(waiting.base);
    setTimeout(() => waiting.cancel.abort(), 100);
    const started = Date.now();
    assert.deepEqual(await outcome, { kind: 'cancelled' });
    assert.ok(Date.now() - started < 30_000);
  });
});

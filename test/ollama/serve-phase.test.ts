import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChildStatus } from '../../src/main/process/child-supervisor.ts';
import { servePhase } from '../../src/main/ollama/serve-phase.ts';

const status = (patch: Partial<ChildStatus>): ChildStatus => ({
  state: 'stopped',
  reason: '',
  pid: null,
  startedAt: null,
  restarts: 0,
  lastExit: null,
  nextRestartAt: null,
  error: null,
  lastLines: [],
  ...patch,
});
const served = { version: '0.9.1', binaryPath: '/usr/bin/ollama' };
const killed = { code: null, signal: 'SIGKILL', at: 10_000 };

test('each outcome of the supervisor keeps its own words: a restart, a crash loop and a failed start differ', () => {
  const backoff = servePhase({ from: 'running', status: status({ state: 'backoff', lastExit: killed, nextRestartAt: 12_000, restarts: 1 }) }, served);
  assert.deepEqual(backoff?.server, {
    phase: 'unhealthy',
    owner: 'managed',
    reason: 'ollama serve was killed by SIGKILL unexpectedly; restarting in 2 s',
    fix: 'nothing to do unless it keeps happening; then check the ollama log',
  });
  assert.equal(backoff?.restarts, 1);

  const loop = servePhase({ from: 'running', status: status({ state: 'crash-loop', lastExit: killed, restarts: 5 }), unstableExits: 6 }, served);
  assert.match(JSON.stringify(loop?.server), /ollama serve crashed 6 times in a row \(last time it was killed by SIGKILL\); it is left stopped/);
  assert.match(JSON.stringify(loop?.server), /\/usr\/bin\/ollama serve/);

  const error = { message: 'ollama serve exited with code 1 before it was ready: Error: bind: address already in use', fix: 'free the port' };
  const failed = servePhase({ from: 'starting', status: status({ state: 'failed', error }) }, served);
  assert.deepEqual(failed?.server, { phase: 'failed', reason: error.message, fix: error.fix });
  assert.doesNotMatch(JSON.stringify(failed), /crashed/);

  const running = servePhase({ from: 'starting', status: status({ state: 'running', pid: 4242, startedAt: 1 }) }, served);
  assert.deepEqual(running, { server: { phase: 'running', owner: 'managed' }, serverVersion: '0.9.1', pid: 4242, restarts: 0 });
  assert.equal(servePhase({ from: 'running', status: status({ state: 'stopping' }) }, served), undefined);
});

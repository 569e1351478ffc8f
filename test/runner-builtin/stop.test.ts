import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { isType, jsonLines, startRunner, waitFor, type RunnerUnderTest } from './support.ts';

/**
 * The supervisor stops a runner with SIGTERM and kills it after a grace period; a runner that takes
 * long to go makes every restart (a provider switch) and every quit wait. Whatever the runner is
 * doing, SIGTERM ends it with 0 at once. The bound is generous for a busy machine; the figure is
 * printed.
 */
const STOP_BOUND_MS = 2000;

/** Sends SIGTERM and returns how the runner ended and how long that took. */
async function stop(t: { diagnostic(message: string): void }, runner: RunnerUnderTest, phase: string) {
  const sentAt = performance.now();
  runner.child.kill('SIGTERM');
  const { code, signal } = await runner.waitForExit();
  const tookMs = performance.now() - sentAt;
  t.diagnostic(`${phase}: SIGTERM → exit ${tookMs.toFixed(1)} ms`);
  return { code, signal, tookMs };
}

/** Ollama that accepts connections and never answers, so the start-up check hangs. */
async function startBlackholedOllama(t: { after(fn: () => Promise<void>): void }) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as net.AddressInfo).port, connections: () => sockets.size };
}

test('SIGTERM while the start-up check waits on an Ollama that never answers: exit 0 at once', async (t) => {
  const ollama = await startBlackholedOllama(t);
  // `localhost`, not an address: the check resolves the name, as it does for most users' OLLAMA_HOST.
  const url = `http://localhost:${ollama.port}`;
  const runner = startRunner(t, { STIGMER_LLM_PROVIDER: 'ollama', STIGMER_LLM_MODEL: 'llama3.2', STIGMER_LLM_BASE_URL: url, OLLAMA_HOST: url });
  await runner.waitForMessage(isType('ready'), 'ready');
  await waitFor('the start-up check to reach the blackholed Ollama', () => ollama.connections() > 0);

  const { code, signal, tookMs } = await stop(t, runner, 'start-up check in flight');
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, 'a clean stop');
  assert.ok(tookMs < STOP_BOUND_MS, `SIGTERM → exit took ${tookMs.toFixed(0)} ms`);
  assert.ok(!runner.messages.some(isType('error')), 'the check had not ended: no verdict was sent');
  assert.ok(jsonLines(runner.stdout()).some((line) => line.msg === 'runner stopping' && line.reason === 'SIGTERM'));
});

test('SIGTERM while a task streams: exit 0 at once', async (t) => {
  const fake = await startFakeAnthropic({ stallAfterFirstDelta: true });
  t.after(() => fake.close());
  const runner = startRunner(t, {
    STIGMER_LLM_PROVIDER: 'anthropic',
    STIGMER_LLM_MODEL: 'claude-sonnet-4-5',
    STIGMER_LLM_BASE_URL: fake.url,
    STIGMER_LLM_API_KEY: FAKE_ANTHROPIC_KEY,
    STIGMER_RUNNER_MAX_RETRIES: '0',
  });
  await runner.waitForMessage(isType('ready'), 'ready');
  runner.send({ type: 'task', id: 'long', prompt: 'tell me a long story' });
  await runner.waitForMessage(isType('delta', 'long'), 'the first delta');

  const { code, signal, tookMs } = await stop(t, runner, 'task streaming');
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, 'a clean stop');
  assert.ok(tookMs < STOP_BOUND_MS, `SIGTERM → exit took ${tookMs.toFixed(0)} ms`);
});

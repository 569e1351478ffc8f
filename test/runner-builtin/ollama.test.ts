import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { DEFAULT_FAKE_VERSION, startFakeOllama } from '../doubles/ollama/server.ts';
import { assertCleanOutput, isType, runTask, startRunner } from './support.ts';

/** The environment the supervisor gives a runner for Ollama: native base URL and OLLAMA_HOST. */
const ollamaEnv = (url: string, model: string) => ({
  STIGMER_LLM_PROVIDER: 'ollama',
  STIGMER_LLM_MODEL: model,
  STIGMER_LLM_BASE_URL: url,
  OLLAMA_HOST: url,
  STIGMER_RUNNER_MAX_RETRIES: '0',
});

test('against Ollama: the start-up check passes, and a task streams through the OpenAI-compatible endpoint', async (t) => {
  const reply = 'Local and free, straight from Ollama.';
  const requests: string[] = [];
  const ollama = await startFakeOllama({ models: ['llama3.2'], reply, onRequest: (method, path) => requests.push(`${method} ${path}`) });
  t.after(() => ollama.close());
  const runner = startRunner(t, ollamaEnv(ollama.url, 'llama3.2'));
  const ready = await runner.waitForMessage(isType('ready'), 'ready');
  assert.equal(ready.baseUrl, ollama.url, 'Ollama keeps its native base URL');

  runner.send({ type: 'check', id: 'c1' });
  const check = await runner.waitForMessage(isType('check-result', 'c1'), 'the check result');
  assert.equal(check.ok, true, JSON.stringify(check));
  assert.equal(check.serverVersion, DEFAULT_FAKE_VERSION);
  assert.deepEqual(
    check.checks.map((item) => [item.name, item.status]),
    [
      ['server', 'ok'],
      ['model', 'ok'],
    ],
    '`llama3.2` matches `llama3.2:latest`',
  );

  const { outcome, deltas } = await runTask(runner, { id: 't1', prompt: 'hello there' });
  assert.equal(outcome.type, 'done', JSON.stringify(outcome));
  assert.equal(deltas.join(''), reply);
  assert.equal(outcome.provider, 'ollama');
  assert.ok(outcome.usage.outputTokens > 0 && outcome.usage.inputTokens > 0, 'usage comes from the stream');
  assert.ok(!runner.messages.some((message) => message.type === 'error'), 'no start-up error');
  assert.ok(requests.includes('POST /v1/chat/completions'), requests.join(', '));
  assertCleanOutput(runner);
});

test('against Ollama without the model: the start-up check and the task both say to pull it', async (t) => {
  const ollama = await startFakeOllama({ models: ['qwen2.5:0.5b'] });
  t.after(() => ollama.close());
  const runner = startRunner(t, ollamaEnv(ollama.url, 'llama3.2'));
  const startupError = await runner.waitForMessage(
    (message): message is Extract<typeof message, { type: 'error' }> => message.type === 'error' && message.id === undefined,
    'the start-up check error',
  );
  assert.equal(startupError.code, 'model-not-found');
  assert.match(startupError.message, /"llama3\.2" is not installed in Ollama \(installed: qwen2\.5:0\.5b\)/);
  assert.equal(startupError.fix, 'Run `ollama pull llama3.2`, or choose an installed model.');

  const { outcome } = await runTask(runner, { id: 't1', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'model-not-found');
  assert.equal(outcome.status, 404);
  assert.match(outcome.fix ?? '', /ollama pull llama3\.2/);
});

test('with Ollama not running: the runner stays up and reports that it cannot reach it', async (t) => {
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  await ollama.close();
  const runner = startRunner(t, ollamaEnv(ollama.url, 'llama3.2'));
  const startupError = await runner.waitForMessage(isType('error'), 'the start-up check error');
  assert.equal(startupError.code, 'unreachable');
  assert.equal(startupError.message, `cannot reach ${ollama.url} (ECONNREFUSED)`);
  assert.match(startupError.fix ?? '', /ollama serve/);
  assert.equal(runner.child.exitCode, null, 'a missing Ollama is not a reason to exit');
});

test('a port held by something that is not Ollama is reported as such', async (t) => {
  const impostor = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hello</h1>'));
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => impostor.close(() => resolve())));
  const url = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
  const runner = startRunner(t, ollamaEnv(url, 'llama3.2'));
  const startupError = await runner.waitForMessage(isType('error'), 'the start-up check error');
  assert.equal(startupError.code, 'wrong-server');
  assert.match(startupError.message, /answers at .* \(HTTP 200\) but it is not Ollama/);
});

test('the built-in runner says it reads history, and a task’s earlier turns reach the model before its prompt', async (t) => {
  const ollama = await startFakeOllama({ models: ['llama3.2'], reply: 'This is turn {turn}.' });
  t.after(() => ollama.close());
  const runner = startRunner(t, ollamaEnv(ollama.url, 'llama3.2'));
  const ready = await runner.waitForMessage(isType('ready'), 'ready');
  assert.equal(ready.history, true);
  const alone = await runTask(runner, { id: 't1', prompt: 'first' });
  assert.equal(alone.deltas.join(''), 'This is turn 1.');
  const history = [
    { role: 'user' as const, content: 'first' },
    { role: 'assistant' as const, content: 'This is turn 1.' },
  ];
  const { outcome, deltas } = await runTask(runner, { id: 't2', prompt: 'second', history });
  assert.equal(outcome.type, 'done', JSON.stringify(outcome));
  // The double counts the user messages it was sent: two, the earlier one and the new prompt.
  assert.equal(deltas.join(''), 'This is turn 2.');
  assertCleanOutput(runner);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { countTokens } from '../doubles/cloud/common.ts';
import { FAKE_OPENAI_KEY, startFakeOpenAI, type FakeOpenAIOptions } from '../doubles/cloud/openai.ts';
import { assertCleanOutput, isType, runTask, startRunner } from './support.ts';

const WRONG_KEY = 'sk-proj-wrong0000000000000000000000000000000000000000QQQQ';

interface Setup {
  key?: string;
  model?: string;
  /** Appended to the fake's URL; the OpenAI base URL includes `/v1`. */
  path?: string;
}

async function startAgainstFake(t: { after(fn: () => Promise<void> | void): void }, fakeOptions: FakeOpenAIOptions, setup: Setup = {}) {
  const fake = await startFakeOpenAI(fakeOptions);
  t.after(() => fake.close());
  const key = setup.key ?? FAKE_OPENAI_KEY;
  const runner = startRunner(t, {
    STIGMER_LLM_PROVIDER: 'openai',
    STIGMER_LLM_MODEL: setup.model ?? 'gpt-4.1-mini',
    STIGMER_LLM_BASE_URL: `${fake.url}${setup.path ?? '/v1'}`,
    STIGMER_LLM_API_KEY: key,
    OPENAI_API_KEY: key,
    STIGMER_RUNNER_MAX_RETRIES: '0',
  });
  await runner.waitForMessage(isType('ready'), 'ready');
  return { fake, runner, key };
}

test('a task streams text deltas, then done with provider, model, usage and latency', async (t) => {
  const reply = 'Streaming from the fake OpenAI API, chunk after chunk.';
  const { fake, runner, key } = await startAgainstFake(t, { reply });
  const { outcome, deltas } = await runTask(runner, { id: 't1', prompt: 'Say something nice', system: 'You are terse.', maxTokens: 50 });

  assert.equal(outcome.type, 'done', JSON.stringify(outcome));
  assert.ok(deltas.length > 1);
  assert.equal(deltas.join(''), reply);
  assert.equal(outcome.provider, 'openai');
  assert.equal(outcome.model, 'gpt-4.1-mini');
  assert.deepEqual(outcome.usage, { inputTokens: countTokens('You are terse. Say something nice'), outputTokens: countTokens(reply) });
  assert.ok(outcome.firstTokenMs !== null && outcome.firstTokenMs <= outcome.latencyMs);

  const sent = fake.requests.find((request) => request.path === '/v1/chat/completions');
  assert.ok(sent);
  assert.equal(sent.headers.authorization, `Bearer ${key}`);
  assert.deepEqual(sent.body, {
    model: 'gpt-4.1-mini',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say something nice' },
    ],
    max_completion_tokens: 50,
    stream: true,
    stream_options: { include_usage: true },
  });
  assertCleanOutput(runner, key);
});

test('a rejected key is a 401 error that says so; a key echoed by the server is redacted', async (t) => {
  const { runner } = await startAgainstFake(t, { echoFullKeyInErrors: true }, { key: WRONG_KEY });
  const { outcome } = await runTask(runner, { id: 'auth', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'auth');
  assert.equal(outcome.status, 401);
  assert.equal(outcome.message, 'the OpenAI API key was rejected (401); check or replace it');
  assert.ok(runner.stdout().includes(`Incorrect API key provided: ${maskSecret(WRONG_KEY)}`), 'the server message is logged, masked');

  runner.send({ type: 'check', id: 'c1' });
  const check = await runner.waitForMessage(isType('check-result', 'c1'), 'the check result');
  assert.equal(check.ok, false);
  assert.equal(check.checks[0]?.code, 'auth');
  assertCleanOutput(runner, WRONG_KEY);
});

test('an unknown model is a 404 naming the model', async (t) => {
  const { runner } = await startAgainstFake(t, {}, { model: 'gpt-imaginary' });
  const { outcome } = await runTask(runner, { id: 'model', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'model-not-found');
  assert.equal(outcome.status, 404);
  assert.match(outcome.message, /"gpt-imaginary" was not found at OpenAI/);

  runner.send({ type: 'check', id: 'c2' });
  const check = await runner.waitForMessage(isType('check-result', 'c2'), 'the check result');
  assert.deepEqual(
    check.checks.map((item) => [item.name, item.status]),
    [
      ['auth', 'ok'],
      ['model', 'error'],
    ],
  );
});

test('a base URL without the API behind it is a 404 that points at the base URL', async (t) => {
  const { runner } = await startAgainstFake(t, {}, { path: '/not-the-api' });
  const { outcome } = await runTask(runner, { id: 'path', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'not-found');
  assert.match(outcome.message, /\/not-the-api answered 404/);
  assert.match(outcome.type === 'error' ? (outcome.fix ?? '') : '', /STIGMER_LLM_BASE_URL/);
});

test('a rate limit is a 429 that tells how long to wait', async (t) => {
  const { runner } = await startAgainstFake(t, { failWith: { status: 429, retryAfterSeconds: 20 } });
  const { outcome } = await runTask(runner, { id: 'rate', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'rate-limit');
  assert.equal(outcome.status, 429);
  assert.equal(outcome.message, 'the OpenAI API rate limit was reached (429); retry after 20 s');
});

test('a server error is a 500 with the server message', async (t) => {
  const { runner } = await startAgainstFake(t, { failWith: { status: 500 } });
  const { outcome } = await runTask(runner, { id: 'server', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'server');
  assert.equal(outcome.status, 500);
  assert.match(outcome.message, /server error \(500\)\. The server said: "The server had an error while processing your request/);
});

test('a server that cannot be reached is named in the error', async (t) => {
  const { fake, runner } = await startAgainstFake(t, {});
  await fake.close();
  const { outcome } = await runTask(runner, { id: 'gone', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'unreachable');
  assert.equal(outcome.message, `cannot reach ${fake.url}/v1 (ECONNREFUSED)`);
});

test('two tasks run at once, each with its own deltas and outcome', async (t) => {
  const { runner } = await startAgainstFake(t, { reply: 'same reply for both' });
  runner.send({ type: 'task', id: 'a', prompt: 'first' });
  runner.send({ type: 'task', id: 'b', prompt: 'second one' });
  const [a, b] = await Promise.all([runner.waitForMessage(isType('done', 'a'), 'done a'), runner.waitForMessage(isType('done', 'b'), 'done b')]);
  assert.equal(a.usage.inputTokens, 1);
  assert.equal(b.usage.inputTokens, 2);
  for (const id of ['a', 'b']) {
    assert.equal(
      runner.messages
        .filter(isType('delta', id))
        .map((delta) => delta.text)
        .join(''),
      'same reply for both',
    );
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic, type FakeAnthropicOptions } from '../doubles/cloud/anthropic.ts';
import { countTokens } from '../doubles/cloud/common.ts';
import { assertCleanOutput, isType, runTask, startRunner } from './support.ts';

const WRONG_KEY = 'sk-ant-api03-wrong000000000000000000000000000000000000000-QQQQ';

interface Setup {
  key?: string;
  model?: string;
  /** STIGMER_RUNNER_MAX_RETRIES; 0 keeps error tests from waiting on the SDK's backoff. */
  retries?: number;
}

async function startAgainstFake(t: { after(fn: () => Promise<void> | void): void }, fakeOptions: FakeAnthropicOptions, setup: Setup = {}) {
  const fake = await startFakeAnthropic(fakeOptions);
  t.after(() => fake.close());
  const key = setup.key ?? FAKE_ANTHROPIC_KEY;
  const runner = startRunner(t, {
    STIGMER_LLM_PROVIDER: 'anthropic',
    STIGMER_LLM_MODEL: setup.model ?? 'claude-sonnet-4-5',
    // The contract's base URL may be given with /v1; the runner normalises it for the SDK.
    STIGMER_LLM_BASE_URL: `${fake.url}/v1`,
    STIGMER_LLM_API_KEY: key,
    ANTHROPIC_API_KEY: key,
    STIGMER_RUNNER_MAX_RETRIES: String(setup.retries ?? 0),
  });
  await runner.waitForMessage(isType('ready'), 'ready');
  return { fake, runner, key };
}

test('a task streams text deltas, then done with provider, model, usage and latency', async (t) => {
  const reply = 'Bonjour from the fake Anthropic API, one word at a time.';
  const { fake, runner, key } = await startAgainstFake(t, { reply });
  const { outcome, deltas } = await runTask(runner, { id: 't1', prompt: 'Say hello in French please', system: 'Be brief.', maxTokens: 64 });

  assert.equal(outcome.type, 'done', JSON.stringify(outcome));
  assert.ok(deltas.length > 1, 'the reply arrives in several deltas');
  assert.equal(deltas.join(''), reply);
  assert.equal(outcome.provider, 'anthropic');
  assert.equal(outcome.model, 'claude-sonnet-4-5');
  assert.deepEqual(outcome.usage, { inputTokens: countTokens('Be brief. Say hello in French please'), outputTokens: countTokens(reply) });
  assert.ok(outcome.latencyMs >= 0 && outcome.firstTokenMs !== null && outcome.firstTokenMs <= outcome.latencyMs);
  const doneIndex = runner.messages.indexOf(outcome);
  assert.ok(
    runner.messages.slice(doneIndex + 1).every((message) => !isType('delta', 't1')(message)),
    'no delta after done',
  );

  const sent = fake.requests.find((request) => request.path.startsWith('/v1/messages'));
  assert.ok(sent);
  assert.ok(sent.headers['x-api-key'] === key || sent.headers.authorization === `Bearer ${key}`, 'the key is sent as the API expects');
  assert.equal(typeof sent.headers['anthropic-version'], 'string');
  assert.deepEqual(sent.body, {
    model: 'claude-sonnet-4-5',
    max_tokens: 64,
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'Say hello in French please' }],
    stream: true,
  });
  assertCleanOutput(runner, key);
});

test('a rejected key is a 401 error that says so, without the key', async (t) => {
  const { runner } = await startAgainstFake(t, {}, { key: WRONG_KEY });
  const { outcome } = await runTask(runner, { id: 'auth', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'auth');
  assert.equal(outcome.status, 401);
  assert.equal(outcome.message, 'the Anthropic API key was rejected (401); check or replace it');
  assert.ok(outcome.type === 'error' && outcome.fix);
  assertCleanOutput(runner, WRONG_KEY);
});

test('an unknown model is a 404 naming the model', async (t) => {
  const { runner } = await startAgainstFake(t, {}, { model: 'claude-imaginary-9' });
  const { outcome } = await runTask(runner, { id: 'model', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'model-not-found');
  assert.equal(outcome.status, 404);
  assert.match(outcome.message, /"claude-imaginary-9" was not found at Anthropic/);
});

test('a rate limit is a 429 that tells how long to wait', async (t) => {
  const { runner } = await startAgainstFake(t, { failWith: { status: 429, retryAfterSeconds: 17 } });
  const { outcome } = await runTask(runner, { id: 'rate', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'rate-limit');
  assert.equal(outcome.status, 429);
  assert.equal(outcome.message, 'the Anthropic API rate limit was reached (429); retry after 17 s');
});

test('a server error is reported as such, after the configured retries', async (t) => {
  const { fake, runner } = await startAgainstFake(t, { failWith: { status: 500 } }, { retries: 1 });
  const { outcome } = await runTask(runner, { id: 'server', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'server');
  assert.equal(outcome.status, 500);
  assert.match(outcome.message, /the Anthropic API failed with a server error \(500\)\. The server said: "Internal server error"/);
  assert.equal(fake.requests.filter((request) => request.path.startsWith('/v1/messages')).length, 2, 'one try and one retry');
});

test('an overloaded API (529) is a server error that suggests trying again', async (t) => {
  const { runner } = await startAgainstFake(t, { failWith: { status: 529 } });
  const { outcome } = await runTask(runner, { id: 'overloaded', prompt: 'hi' });
  assert.equal(outcome.type, 'error');
  assert.equal(outcome.code, 'server');
  assert.equal(outcome.message, 'the Anthropic API is overloaded (529); try again shortly');
});

test('a provider check makes one authenticated call and reports key and model', async (t) => {
  const { fake, runner } = await startAgainstFake(t, {});
  assert.equal(fake.requests.length, 0, 'no call is made before the app asks');
  runner.send({ type: 'check', id: 'c1' });
  const result = await runner.waitForMessage(isType('check-result', 'c1'), 'the check result');
  assert.equal(result.ok, true);
  assert.deepEqual(
    result.checks.map((check) => [check.name, check.status]),
    [
      ['auth', 'ok'],
      ['model', 'ok'],
    ],
  );
  assert.deepEqual(
    fake.requests.map((request) => `${request.method} ${new URL(request.path, fake.url).pathname}`),
    ['GET /v1/models/claude-sonnet-4-5'],
  );
});

test('a provider check with a rejected key fails on auth', async (t) => {
  const { runner } = await startAgainstFake(t, {}, { key: WRONG_KEY });
  runner.send({ type: 'check', id: 'c2' });
  const result = await runner.waitForMessage(isType('check-result', 'c2'), 'the check result');
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.checks.map((check) => [check.name, check.status, check.code]),
    [['auth', 'error', 'auth']],
  );
  assertCleanOutput(runner, WRONG_KEY);
});

test('a task can be cancelled while it streams', async (t) => {
  const { runner } = await startAgainstFake(t, { stallAfterFirstDelta: true });
  runner.send({ type: 'task', id: 'slow', prompt: 'tell me a long story' });
  await runner.waitForMessage(isType('delta', 'slow'), 'the first delta');
  runner.send({ type: 'cancel', id: 'slow' });
  const outcome = await runner.waitForMessage(isType('error', 'slow'), 'the cancellation');
  assert.equal(outcome.code, 'cancelled');
  assert.ok(!runner.messages.some(isType('done', 'slow')));
  assertCleanOutput(runner, FAKE_ANTHROPIC_KEY);
});

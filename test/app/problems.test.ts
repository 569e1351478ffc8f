/** The problem model and the status words: pure functions of the state, asserted as a user reads them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiKeyText, ollamaBinaryText, ollamaStatus, runnerHint, runnerStatus, wizardStepMark } from '../../src/renderer/status.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import { appStateFixture, withDerivedProblems } from '../support/app-state-fixture.ts';

const derived = (patch: (state: AppState) => void, incident: { message: string; fix: string } | null = null): AppState => {
  const state = appStateFixture();
  patch(state);
  return withDerivedProblems(state, incident);
};

test('an invalid environment value names the variable, says it overrides the app and how to unset it, and never sends to Settings', () => {
  const [problem, ...rest] = derived((state) => {
    state.config.errors = [{ field: 'provider', source: 'env:LLM_PROVIDER', message: 'LLM_PROVIDER="olama" is not one of anthropic, openai, ollama' }];
  }).problems;
  assert.equal(rest.length, 0);
  assert.equal(problem!.title, 'LLM_PROVIDER="olama" is not one of anthropic, openai, ollama.');
  assert.match(
    problem!.detail,
    /^LLM_PROVIDER is set in the environment the app was started from, and it overrides the app's own settings\. Unset it \(`unset LLM_PROVIDER`/,
  );
  assert.doesNotMatch(problem!.detail, /Settings/);
  assert.deepEqual(problem!.actions, []);
});

test('a flag says to start without it; a missing key offers to add one or use Ollama', () => {
  const flag = derived((state) => void (state.config.errors = [{ field: 'model', source: 'flag:--llm-model', message: 'bad model' }])).problems[0]!;
  assert.match(flag.detail, /--llm-model was given on the command line, and it overrides the app's own settings\. Start the app without it/);
  const noKey = derived((state) => void (state.config.errors = [{ field: 'apiKey', source: 'settings', message: 'Anthropic needs an API key' }])).problems[0]!;
  assert.deepEqual(
    noKey.actions.map((action) => action.label),
    ['Add a key', 'Use Ollama instead'],
  );
  const pinned = derived((state) => void (state.config.errors = [{ field: 'apiKey', source: 'env:LLM_PROVIDER', message: 'Anthropic needs an API key' }]))
    .problems[0]!;
  assert.deepEqual(
    pinned.actions.map((action) => action.label),
    ['Add a key'],
    'a pinned provider cannot be switched from a button',
  );
  assert.match(pinned.detail, /the provider itself is set by LLM_PROVIDER/);
});

test('what the runner reports is shown only when no cause above explains it', () => {
  const incident = { message: 'Runner: cannot reach http://127.0.0.1:11434 (ECONNREFUSED)', fix: 'Start Ollama.' };
  const alone = derived(() => {}, incident);
  assert.deepEqual(
    alone.problems.map((problem) => problem.id),
    ['runner:incident'],
  );
  assert.equal(alone.lastError?.message, 'Runner: cannot reach http://127.0.0.1:11434 (ECONNREFUSED).');
  const explained = derived(
    (state) => void (state.ollama.server = { phase: 'unhealthy', owner: 'external', reason: 'the server stopped answering', fix: 'start it' }),
    incident,
  );
  assert.deepEqual(
    explained.problems.map((problem) => problem.id),
    ['ollama:unhealthy'],
  );
});

test('a rejected or not yet verified key of the provider in use is a problem with its button', () => {
  const cloud = (state: AppState) => {
    state.config.provider = { value: 'anthropic', source: 'settings', pinned: false };
    state.config.apiKey = { value: 'sk-ant-…9f3c', source: 'session', pinned: false };
  };
  const unverified = derived((state) => {
    cloud(state);
    state.keyChecks.anthropic = { state: 'unverified', message: 'Anthropic could not be reached to check this key.', checkedAt: null };
  }).problems;
  assert.deepEqual(
    unverified.map((problem) => [problem.severity, problem.title, problem.actions[0]?.label]),
    [['warning', 'The Anthropic key is not verified yet.', 'Check now']],
  );
  const rejected = derived((state) => {
    cloud(state);
    state.keyChecks.anthropic = { state: 'rejected', message: 'the Anthropic API key was rejected (401); check or replace it', checkedAt: 1 };
  });
  assert.equal(rejected.lastError?.message, 'The Anthropic API key was rejected (401); check or replace it.');
  assert.deepEqual(
    rejected.problems[0]!.actions.map((action) => action.label),
    ['Replace key', 'Check again'],
  );
});

test('the API key row never says "not needed" for a cloud provider', () => {
  const state = appStateFixture();
  assert.deepEqual(apiKeyText(state.config), { text: 'not needed', tone: 'muted' });
  state.config.provider = { value: 'anthropic', source: 'default', pinned: false };
  assert.deepEqual(apiKeyText(state.config), { text: 'missing (Anthropic needs one)', tone: 'error' });
});

test('with a cloud provider an unwatched Ollama is "Not in use"; a running server needs no binary', () => {
  const state = appStateFixture();
  state.ollama = { ...state.ollama, server: { phase: 'stopped' }, serverVersion: null, pid: null, models: [] };
  assert.equal(ollamaStatus(state.ollama, 'anthropic').text, 'Not in use');
  assert.equal(ollamaStatus(state.ollama, 'ollama').text, 'Stopped');
  const external = { ...appStateFixture().ollama, server: { phase: 'running' as const, owner: 'external' as const }, binary: null };
  assert.deepEqual(ollamaBinaryText(external), { text: 'not needed (the server is already running)', muted: true });
});

test('the backoff pill and hint say the same number of seconds', () => {
  const runner = { ...appStateFixture().runner, state: 'backoff' as const, reason: 'exited with code 1; restarting in 8 s', nextRestartAt: 10_000 };
  for (const now of [2_000, 5_001, 9_999]) {
    const pill = runnerStatus(runner, now).text.match(/\d+/)?.[0];
    const hint = runnerHint(runner, now).match(/restarting in (\d+)s$/)?.[1];
    assert.equal(hint, pill, `at ${now}`);
  }
});

test('the wizard does not tick the Ollama step when no Ollama answers', () => {
  const missing = { ...appStateFixture().ollama, server: { phase: 'not-installed' as const, reason: 'not found', fix: 'install it' } };
  assert.equal(wizardStepMark(0, 2, missing), 'skipped');
  assert.equal(wizardStepMark(0, 2, appStateFixture().ollama), 'done');
  assert.equal(wizardStepMark(1, 2, missing), 'done');
});

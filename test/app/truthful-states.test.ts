/** When the wizard comes back, and what a missing model offers: pure decisions, asserted as a user meets them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveNeedsSetup, deriveProblems } from '../../src/main/app/app-state.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import { problemsForStep } from '../../src/renderer/wizard-problems.ts';
import { appStateFixture, withDerivedProblems } from '../support/app-state-fixture.ts';

const state = (patch: (draft: AppState) => void): AppState => {
  const draft = appStateFixture();
  patch(draft);
  return withDerivedProblems(draft);
};
const needsSetup = (draft: AppState, setupCompleted = true) => deriveNeedsSetup({ config: draft.config, ollama: draft.ollama, setupCompleted });
const olama = (draft: AppState) =>
  void (draft.config.errors = [
    {
      field: 'provider',
      source: 'env:LLM_PROVIDER',
      message: 'LLM_PROVIDER="olama" is not one of anthropic, openai, ollama; set it to one of them, or unset it to use the default',
    },
  ]);
const missingModel = (draft: AppState) => {
  draft.config.model = { value: 'llama3.2', source: 'settings', pinned: false };
  draft.ollama.configuredModel = 'llama3.2';
  draft.ollama.configuredModelMissing = true;
  draft.ollama.models = [];
};

test('a typo in the environment is not "set-up needed": the Overview names the variable, its value, the allowed values and how to unset it', () => {
  const typo = state(olama);
  assert.equal(needsSetup(typo), false, 'the wizard does not come back for a value the window cannot change');
  assert.equal(needsSetup(typo, false), false, 'not even before setup was finished');
  const [problem] = typo.problems;
  assert.match(problem!.title, /^LLM_PROVIDER="olama" is not one of anthropic, openai, ollama/);
  assert.match(problem!.detail, /`unset LLM_PROVIDER`/);
  // What the window can fix still is setup: an invalid saved value, a missing key.
  const saved = state((draft) => void (draft.config.errors = [{ field: 'baseUrl', source: 'settings', message: 'bad URL' }]));
  assert.equal(needsSetup(saved), true);
  const noKey = state((draft) => void (draft.config.errors = [{ field: 'apiKey', source: 'env:LLM_PROVIDER', message: 'Anthropic needs an API key' }]));
  assert.equal(needsSetup(noKey), true, 'the wizard adds the key a pinned provider needs');
});

test('a model gone after setup is a banner naming it, with "Pull llama3.2" and "Choose another", not the wizard again', () => {
  const gone = state(missingModel);
  assert.equal(needsSetup(gone, true), false, 'set up already: no wizard');
  assert.equal(needsSetup(gone, false), true, 'first run: choosing a model is what setup is for');
  const [problem, ...rest] = gone.problems;
  assert.equal(rest.length, 0);
  assert.equal(problem!.title, 'llama3.2 is not installed.');
  assert.deepEqual(
    problem!.actions.map((action) => action.label),
    ['Pull llama3.2 (2.0 GB)', 'Choose another'],
  );
  assert.deepEqual(problem!.actions[1], { kind: 'open', label: 'Choose another', route: 'models' });
});

test('a missing model pinned by LLM_MODEL offers the pull only, and says how to choose another', () => {
  const pinned = state((draft) => {
    missingModel(draft);
    draft.config.model = { value: 'llama3.2', source: 'env:LLM_MODEL', pinned: true };
  });
  const [problem] = pinned.problems;
  assert.deepEqual(
    problem!.actions.map((action) => action.label),
    ['Pull llama3.2 (2.0 GB)'],
  );
  assert.match(problem!.detail, /set LLM_MODEL to an installed model and start the app again/);
});

test('a crash loop with the command pinned by --runner-command offers no "Edit runner command", and says where to change it', () => {
  const crashing = (draft: AppState) => {
    draft.runner = { ...draft.runner, state: 'crash-loop', error: { message: 'the runner exited 5 times in 60 s', fix: 'see its logs' } };
  };
  const labels = (problems: AppState['problems']) => problems[0]!.actions.map((action) => action.label);
  const saved = state(crashing);
  assert.deepEqual(labels(saved.problems), ['Open logs', 'Edit runner command', 'Retry']);
  const draft = appStateFixture();
  crashing(draft);
  const [pinned] = deriveProblems({ ...draft, incident: null, runnerCommandSource: 'flag:--runner-command' });
  assert.deepEqual(labels([pinned!]), ['Open logs', 'Retry']);
  assert.match(pinned!.detail, /The runner command is set by --runner-command, so it cannot be edited here/);
});

test('a cloud key saved offline: the review and the last step say plainly it is not verified yet, and what happens', () => {
  const offline = state((draft) => {
    draft.config.provider = { value: 'anthropic', source: 'settings', pinned: false };
    draft.config.apiKey = { value: 'sk-ant-…9f3c', source: 'session', pinned: false };
    draft.keyChecks.anthropic = { state: 'unverified', message: 'Cannot reach http://127.0.0.1:9 (ECONNREFUSED)', checkedAt: null };
  });
  for (const step of ['review', 'runner'] as const) {
    const [problem] = problemsForStep(offline.problems, step);
    assert.equal(problem?.title, 'The Anthropic key is not verified yet.', step);
    assert.match(problem.detail, /The runner starts with it as it is; if Anthropic rejects it, the runner cannot answer/);
  }
});

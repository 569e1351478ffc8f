/**
 * A problem clears when its cause is gone (issue 10 §7): the app core as the headless host wires
 * it, the built-in runner, and the Ollama double as an external server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { AppState } from '../../src/shared/state-schema.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { createApp, faultEnv, fixtureRunner, waitFor, type InProcessApp } from '../faults/support.ts';
import { freePort } from '../ollama/support.ts';
import { tempDir } from '../support/headless.ts';

const FAST_OLLAMA = { healthIntervalMs: 100, probeTimeoutMs: 1_000, restartDelays: [50], stopGraceMs: 2_000, readyTimeoutMs: 15_000 };

/** Ollama with llama3.2 configured at `port`; no `ollama` binary on PATH, so nothing is launched. */
async function ollamaApp(t: TestContext, port: number): Promise<InProcessApp> {
  const dir = tempDir(t, 'stigmer-problems-');
  const settings = defaultSettings();
  settings.provider = 'ollama';
  settings.providers.ollama.model = 'llama3.2';
  settings.firstRunCompleted = true;
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings));
  const app = createApp({
    userDataDir: dir,
    env: { ...faultEnv(dir), PATH: path.dirname(process.execPath), OLLAMA_HOST: `127.0.0.1:${port}` },
    ollamaOptions: FAST_OLLAMA,
  });
  t.after(() => app.close());
  await app.core.start();
  return app;
}

const ids = (state: AppState) => state.problems.map((problem) => problem.id);
const checkPassed = (app: InProcessApp) => app.entries.some((entry) => entry.msg === 'Provider check passed: ollama llama3.2');

test("a missing model is one problem with a Pull button; once pulled, the problem and the runner's report are gone", async (t) => {
  const ollama = await startFakeOllama({ models: [], registry: { 'llama3.2:latest': [2_019_377_376, 1_429] }, pullIntervalMs: 5, pullStepsPerLayer: 4 });
  t.after(() => ollama.close());
  const app = await ollamaApp(t, ollama.port);
  const state = () => app.core.getState();
  await waitFor('the missing model', () => ids(state()).includes('model-missing:llama3.2'));
  // The runner's own start-up check says the same; it is not shown a second time.
  await waitFor('the runner to report it', () => app.entries.some((entry) => entry.source === 'runner' && /^The runner.*: “.*llama3\.2/.test(entry.msg)));
  assert.deepEqual(ids(state()), ['model-missing:llama3.2']);
  const [problem] = state().problems;
  assert.equal(problem!.title, 'llama3.2 is not installed.');
  assert.deepEqual(problem!.actions, [
    { kind: 'pull', label: 'Pull llama3.2 (2.0 GB)', model: 'llama3.2', sizeBytes: 2e9 },
    { kind: 'open', label: 'Choose another', route: 'models' },
  ]);
  assert.equal(state().lastError?.message, 'llama3.2 is not installed.');

  // What the banner's button does.
  assert.equal(((await app.core.execute('ollama:pull', { model: 'llama3.2' })) as { status: string }).status, 'success');
  await waitFor('the runner to check again and pass', () => checkPassed(app));
  // The cascade's "not installed" warning goes once the model list is read again, which can land just after the check.
  await waitFor('every problem to clear', () => state().problems.length === 0);
  assert.deepEqual(state().problems, []);
  assert.equal(state().lastError, null);
});

test('after Ollama comes up, the runner\'s "connection refused" no longer shows', async (t) => {
  const port = await freePort();
  const app = await ollamaApp(t, port);
  const state = () => app.core.getState();
  await waitFor('the runner to report Ollama unreachable', () =>
    app.entries.some((entry) => entry.source === 'runner' && /^The runner.*: “.*(ECONNREFUSED|cannot reach)/.test(entry.msg)),
  );
  // The runner can report before detection has ended (it starts in ~0.1 s): the cause is shown once detection has.
  await waitFor('the cause to be shown', () => ids(state()).includes('ollama:not-installed'));
  assert.deepEqual(ids(state()), ['ollama:not-installed'], 'the cause is shown, once, not its consequence');
  assert.deepEqual(
    state().problems[0]!.actions.map((action) => action.label),
    ['Install Ollama', 'Download Ollama', 'Check again', 'Use a cloud provider'],
  );

  const ollama = await startFakeOllama({ port, models: ['llama3.2'] });
  t.after(() => ollama.close());
  await waitFor('Ollama to be found', () => state().ollama.server.phase === 'running');
  await waitFor('the runner to check again and pass', () => checkPassed(app));
  // The cascade's "not installed" warning goes once the model list is read again, which can land just after the check.
  await waitFor('every problem to clear', () => state().problems.length === 0);
  assert.deepEqual(state().problems, []);
  assert.equal(state().lastError, null, 'no stale ECONNREFUSED');
});

test('with a cloud provider, an Ollama that answers is shown with its models, and none is launched', async (t) => {
  const ollama = await startFakeOllama({ models: ['qwen2.5:7b'] });
  t.after(() => ollama.close());
  const dir = tempDir(t, 'stigmer-problems-');
  const app = createApp({
    userDataDir: dir,
    argv: ['--runner-command', fixtureRunner('runner/fixtures/sleeper.ts')],
    env: { ...faultEnv(dir, { ANTHROPIC_API_KEY: 'sk-ant-api03-cloud-provider-key-000000000000000' }), OLLAMA_HOST: `127.0.0.1:${ollama.port}` },
    ollamaOptions: FAST_OLLAMA,
  });
  t.after(() => app.close());
  await app.core.start();
  const state = () => app.core.getState();
  assert.equal(state().config.provider.value, 'anthropic');
  // The server is shown as running as soon as it answers; its models follow with the next request.
  await waitFor('the answering Ollama and its models', () => state().ollama.server.phase === 'running' && state().ollama.models.length > 0);
  assert.deepEqual(state().ollama.server, { phase: 'running', owner: 'external' });
  assert.deepEqual(
    state().ollama.models.map((model) => model.name),
    ['qwen2.5:7b'],
  );
  assert.equal(state().ollama.pid, null, 'nothing was launched');
  assert.deepEqual(state().problems, [], 'Ollama is not the provider: nothing about it is a problem');
});

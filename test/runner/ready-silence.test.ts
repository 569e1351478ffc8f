/**
 * A runner given the control channel that does not say `ready` is a warning in the one problem
 * model (the Overview's banner, next to the runner card): after the wait, with the fix where the
 * channel was turned on (the flag, or the setting in Settings → Runner command), and gone once
 * the runner says ready or the channel is turned off. The app core as the headless host wires
 * it, with a short wait instead of the default 15 s, real runners and the Ollama double.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { AppState } from '../../src/shared/state-schema.ts';
import { defaultSettings, type Settings } from '../../src/shared/settings.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { createApp, faultEnv, fixtureRunner, waitFor, type InProcessApp } from '../faults/support.ts';
import { tempDir } from '../support/headless.ts';

const READY_WAIT_MS = 1_000;
/** A runner that never reads its channel. */
const SLEEPER = fixtureRunner('runner/fixtures/sleeper.ts');
const SLOW_READY = path.join(import.meta.dirname, '..', 'python', 'fixtures', 'ready-when-told.py');

async function start(t: TestContext, runner: Settings['runner'], argv: string[] = []): Promise<InProcessApp> {
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  t.after(() => ollama.close());
  const dir = tempDir(t, 'stigmer-ready-');
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...defaultSettings(), firstRunCompleted: true, runner }));
  const app = createApp({ userDataDir: dir, argv, env: faultEnv(dir, { OLLAMA_HOST: ollama.url }), runnerReadyWaitMs: READY_WAIT_MS });
  t.after(() => app.close());
  await app.core.start();
  return app;
}

const silence = (state: AppState) => state.problems.find((problem) => problem.id === 'runner:channel-silent');

test('given the channel by --runner-control-channel, a runner that never says ready is a warning that says to start without the flag', async (t) => {
  const app = await start(t, { command: SLEEPER }, ['--runner-control-channel']);
  const problem = await waitFor('the silent-channel warning', () => silence(app.core.getState()));
  assert.equal(problem.severity, 'warning');
  assert.equal(problem.title, 'The runner has not said it is ready on its control channel after 1 s.');
  assert.match(
    problem.detail,
    /^It was given the channel \(STIGMER_CONTROL_FD\) by --runner-control-channel; .*start the app without --runner-control-channel;/,
  );
  assert.deepEqual(
    problem.actions.map((action) => action.label),
    ['Open logs'],
  );
  const state = app.core.getState();
  assert.equal(state.runner.state, 'running', 'the runner itself keeps running');
  assert.equal(state.lastError, null, 'a warning, not the error the tray leads with');
  assert.ok(app.entries.some((entry) => entry.msg.startsWith('The runner has not said "ready" on its control channel after 1 s')));
});

test('given the channel by the saved setting, the fix is the checkbox in Settings; turning it off there ends the warning', async (t) => {
  const app = await start(t, { command: SLEEPER, controlChannel: true });
  const problem = await waitFor('the silent-channel warning', () => silence(app.core.getState()));
  assert.ok(problem.detail.includes('untick "This runner uses the control channel (STIGMER_CONTROL_FD)" in Settings → Runner command'), problem.detail);
  assert.deepEqual(
    problem.actions.map((action) => action.label),
    ['Open logs', 'Open Settings'],
  );
  const before = app.core.getState().runner.pid;
  // What the Settings checkbox sends, with "Save and restart now".
  await app.core.execute('runner:set-command', { command: SLEEPER, restart: true, controlChannel: false });
  await waitFor('the runner restarted without the channel', () => {
    const state = app.core.getState();
    return state.runner.state === 'running' && state.runner.pid !== before && !state.runnerCommand.controlChannel.value;
  });
  assert.equal(silence(app.core.getState()), undefined);
  assert.ok(!app.core.getState().runnerEnv?.variables.some((variable) => variable.name === 'STIGMER_CONTROL_FD'));
});

test('a runner that says ready late: the warning shows while it is silent and goes once it has said it', async (t) => {
  const go = path.join(tempDir(t, 'stigmer-ready-go-'), 'go');
  const app = await start(t, { command: `python3 ${SLOW_READY} ${go}`, controlChannel: true });
  await waitFor('the silent-channel warning', () => silence(app.core.getState()));
  fs.writeFileSync(go, '');
  await waitFor('the runner to say ready', () => app.entries.some((entry) => entry.msg.startsWith('Runner ready: ollama')));
  await waitFor('the warning to go', () => silence(app.core.getState()) === undefined);
});

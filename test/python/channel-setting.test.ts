/**
 * The control channel as a saved setting, where a desktop user sets it: the window's transport
 * (the UI's WebSocket on the real headless host) saves it beside the runner command, and the
 * next start of the runner gets the channel: the reference Python worker then says `ready` and
 * answers a Playground task from the Ollama double. A bad saved value is reset on its own; the
 * environment and the flag pin it, and the saved choice stays underneath.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { PlaygroundEvent } from '../../src/shared/ipc.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import type { Settings } from '../../src/shared/settings.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { HOST_WAIT_MS, Scope, hostEnv, readPidFile, setUpProfile, startHost, waitFor } from '../support/e2e-host.ts';
import { uiUrl } from '../support/ui-e2e.ts';
import { connectUi, type UiClient } from '../support/websocket.ts';
import { RUNNER_COMMAND } from './support.ts';
import { environOf } from '../support/proc.ts';

/** The fake Ollama's reply (test/doubles/ollama). */
const OLLAMA_REPLY = 'Hello from the fake Ollama.';

const isReady = (line: string) => line.includes('Runner ready: ollama llama3.2');
/** The worker's own line when it was given no channel. */
const hasNoChannel = (line: string) => line.includes(' [runner] ') && line.includes('no control channel');

/** The Ollama double and a profile past the first run whose saved runner is the Python worker, changed by `patch`. */
async function setUp(t: { after(fn: () => Promise<void>): void }, patch: (runner: Record<string, unknown>) => void = () => {}) {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.runner.command = RUNNER_COMMAND;
    patch(settings.runner);
  });
  return { scope, ollama, userDataDir };
}

const stateOf = async (ui: UiClient): Promise<AppState> => (await ui.request('state:get')).value as AppState;
const savedRunner = (userDataDir: string): Settings['runner'] =>
  (JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as Settings).runner;

test('saved from the window with "restart later", the channel is on at the runner\u2019s next start: the worker says ready and answers a task', async (t) => {
  const { scope, ollama, userDataDir } = await setUp(t);
  const env = hostEnv(scope, { ollamaHost: ollama.url });
  const host = startHost(scope, ['--user-data-dir', userDataDir, '--ui'], env);
  const ui = await connectUi(await uiUrl(host));
  scope.defer(() => ui.close());
  await host.waitForLine('the worker to run without a channel', hasNoChannel);
  assert.deepEqual((await stateOf(ui)).runnerCommand.controlChannel, { value: false, source: 'default', pinned: false, saved: false });

  // What the Playground says before: the fix names the setting as well as the flag.
  const refused = await ui.request('playground:run', { prompt: 'Anyone there?' });
  assert.equal(refused.ok, false);
  const { message, fix } = refused.error as { message: string; fix: string };
  assert.match(message, /a custom runner has no task channel/);
  assert.ok(fix.includes('tick "This runner uses the control channel (STIGMER_CONTROL_FD)" in Settings → Runner command'), fix);
  assert.ok(fix.includes('--runner-control-channel'), fix);

  const before = readPidFile(userDataDir, 'runner.pid');
  assert.ok(before !== undefined);
  const saved = await ui.request('runner:set-command', { command: RUNNER_COMMAND, restart: false, controlChannel: true });
  assert.ok(saved.ok, JSON.stringify(saved.error));
  const pending = await stateOf(ui);
  assert.equal(pending.runnerCommand.pending, `${RUNNER_COMMAND} with the control channel`);
  assert.deepEqual(pending.runnerCommand.controlChannel, { value: false, source: 'default', pinned: false, saved: true }, 'saved, not in use yet');
  assert.deepEqual(savedRunner(userDataDir), { command: RUNNER_COMMAND, controlChannel: true });
  assert.equal(readPidFile(userDataDir, 'runner.pid'), before, '"restart later" leaves the runner as it is');

  assert.ok((await ui.request('runner:restart')).ok);
  await host.waitForLine('the restarted worker to say ready', isReady);
  const after = readPidFile(userDataDir, 'runner.pid');
  assert.ok(after !== undefined && after !== before, 'a new runner process');
  assert.equal(environOf(after).STIGMER_CONTROL_FD, '3');
  const state = await stateOf(ui);
  assert.deepEqual(state.runnerCommand.controlChannel, { value: true, source: 'settings', pinned: false, saved: true });
  assert.equal(state.runnerCommand.pending, null);

  const reply = await ui.request('playground:run', { prompt: 'Say hello' });
  assert.ok(reply.ok, JSON.stringify(reply.error));
  const { taskId } = reply.value as { taskId: string };
  const events = () => (ui.events('playground') as PlaygroundEvent[]).filter((event) => event.taskId === taskId);
  const last = await waitFor('the end of the task', () => events().find((event) => event.type !== 'delta'), HOST_WAIT_MS);
  assert.equal(last.type, 'done', JSON.stringify(last));
  assert.equal(
    events()
      .flatMap((event) => (event.type === 'delta' ? [event.text] : []))
      .join(''),
    OLLAMA_REPLY,
  );
  assert.deepEqual(await host.stop(), { code: 0, signal: null });

  // The next start of the app starts the runner with it too: it was saved, not held for this run.
  const again = startHost(scope, ['--user-data-dir', userDataDir], env);
  await again.waitForLine('the worker to say ready after the app restarts', isReady);
  assert.deepEqual(await again.stop(), { code: 0, signal: null });
});

test('a saved control channel that is not true or false is reset on its own: the saved runner still starts, without the channel', async (t) => {
  const { scope, ollama, userDataDir } = await setUp(t, (runner) => void (runner.controlChannel = 'yes'));
  const host = startHost(scope, ['--user-data-dir', userDataDir], hostEnv(scope, { ollamaHost: ollama.url }));
  const warning = await host.waitForLine('the settings warning', (line) => line.includes('runner.controlChannel was "yes"'));
  assert.match(warning, /an invalid setting was reset to the default: runner\.controlChannel was "yes" \(.*\)\. Every other setting is kept/);
  await host.waitForLine('the saved worker to run, without a channel', hasNoChannel);
  assert.deepEqual(savedRunner(userDataDir), { command: RUNNER_COMMAND }, 'the command is kept, the bad value is gone');
  const backups = fs.readdirSync(userDataDir).filter((name) => name.startsWith('settings.json.corrupt-'));
  assert.equal(backups.length, 1);
  assert.match(fs.readFileSync(path.join(userDataDir, backups[0]!), 'utf8'), /"controlChannel":"yes"/, 'the original is kept');
  assert.deepEqual(await host.stop(), { code: 0, signal: null });
});

test('STIGMER_RUNNER_CONTROL_CHANNEL=0 pins it off over a saved "on", and the Playground says which variable to unset', async (t) => {
  const { scope, ollama, userDataDir } = await setUp(t, (runner) => void (runner.controlChannel = true));
  const env = hostEnv(scope, { ollamaHost: ollama.url, extra: { STIGMER_RUNNER_CONTROL_CHANNEL: '0' } });
  const host = startHost(scope, ['--user-data-dir', userDataDir, '--ui'], env);
  const ui = await connectUi(await uiUrl(host));
  scope.defer(() => ui.close());
  await host.waitForLine('the worker to run without a channel', hasNoChannel);
  assert.deepEqual((await stateOf(ui)).runnerCommand.controlChannel, {
    value: false,
    source: 'env:STIGMER_RUNNER_CONTROL_CHANNEL',
    pinned: true,
    saved: true,
  });
  const refused = await ui.request('playground:run', { prompt: 'Anyone there?' });
  const { fix } = refused.error as { fix: string };
  assert.match(fix, /^STIGMER_RUNNER_CONTROL_CHANNEL turns the control channel off in the environment the app was started from: .*unset it/);
  assert.doesNotMatch(fix, /tick/, 'a pinned switch is not changed in Settings');
  assert.deepEqual(savedRunner(userDataDir), { command: RUNNER_COMMAND, controlChannel: true }, 'the saved choice is kept');
});

test('--runner-control-channel pins it on over a saved "off"', async (t) => {
  const { scope, ollama, userDataDir } = await setUp(t, (runner) => void (runner.controlChannel = false));
  const host = startHost(scope, ['--user-data-dir', userDataDir, '--ui', '--runner-control-channel'], hostEnv(scope, { ollamaHost: ollama.url }));
  const ui = await connectUi(await uiUrl(host));
  scope.defer(() => ui.close());
  await host.waitForLine('the worker to say ready', isReady);
  assert.deepEqual((await stateOf(ui)).runnerCommand.controlChannel, { value: true, source: 'flag:--runner-control-channel', pinned: true, saved: false });
});

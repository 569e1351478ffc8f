/**
 * The control channel a custom runner gets with `--runner-control-channel` is the runner's to
 * misuse without harming the app: lines that are not JSON, over-long or outside the protocol are
 * named in the log, under the runner's name, and skipped (Node's own IPC would throw in the app on
 * the first), and a runner that closes its end keeps running, with tasks refused as for a runner
 * that never announced itself. Real headless host, Python runners (the channel is for any language).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { AppState } from '../../src/shared/state-schema.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { Scope, hostEnv, setUpProfile, startHost } from '../support/e2e-host.ts';
import { uiUrl } from '../support/ui-e2e.ts';
import { connectUi } from '../support/websocket.ts';

const FIXTURE = path.join(import.meta.dirname, '..', 'python', 'fixtures', 'channel-misbehaves.py');

async function startMisbehaving(t: { after(fn: () => Promise<void>): void }, mode: 'garbage' | 'close') {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const args = ['--user-data-dir', setUpProfile(scope), '--ui', '--runner-command', `python3 ${FIXTURE} ${mode}`, '--runner-control-channel'];
  const host = startHost(scope, args, hostEnv(scope, { ollamaHost: ollama.url }));
  const ui = await connectUi(await uiUrl(host));
  scope.defer(() => ui.close());
  return { host, ui };
}

test('lines outside the protocol are named in the log and skipped; the ready after them still counts', async (t) => {
  const { host, ui } = await startMisbehaving(t, 'garbage');
  await host.waitForLine('the ready after the garbage', (line) => line.includes('Runner ready: ollama llama3.2'));
  for (const problem of ['sent a line that is not JSON', `sent a line longer than ${1024 * 1024} bytes`, 'does not match the protocol']) {
    assert.ok(
      host.lines().some((line) => line.includes('[runner] The runner') && line.includes(problem)),
      `${problem}\n${host.stdout}`,
    );
  }
  const state = (await ui.request('state:get')).value as AppState;
  assert.equal(state.runner.state, 'running');
  assert.ok(host.running);
});

test('a runner that closes its channel keeps running, and a task is refused with the reason', async (t) => {
  const { host, ui } = await startMisbehaving(t, 'close');
  await host.waitForLine('the runner to close its channel', (line) => line.includes('misbehaving runner: closed the channel'));
  const reply = await ui.request('playground:run', { prompt: 'Anyone there?' });
  assert.equal(reply.ok, false);
  assert.match(JSON.stringify(reply.error), /no \\"ready\\" message came on its control channel/);
  const state = (await ui.request('state:get')).value as AppState;
  assert.equal(state.runner.state, 'running');
  assert.deepEqual(
    state.runnerEnv?.variables.find((variable) => variable.name === 'STIGMER_CONTROL_FD'),
    { name: 'STIGMER_CONTROL_FD', value: '3' },
    'the window lists the channel among the variables the runner received',
  );
});

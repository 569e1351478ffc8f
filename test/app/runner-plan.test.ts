/** What the app does with the runner when the configuration, the user or a download changes (`planRunner`). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRunner, waitingReason, type RunnerSituation } from '../../src/main/app/runner-control.ts';

const situation = (patch: Partial<RunnerSituation>): RunnerSituation => ({
  valid: true,
  current: undefined,
  wanted: true,
  awaitingDownload: false,
  retry: false,
  inputsChanged: false,
  ...patch,
});

test('an invalid configuration stops a runner that runs, and leaves a stopped one as it is', () => {
  assert.deepEqual(planRunner(situation({ valid: false, current: 'running' })), { kind: 'invalid', stop: true });
  assert.deepEqual(planRunner(situation({ valid: false, current: 'stopped' })), { kind: 'invalid', stop: false });
  assert.deepEqual(planRunner(situation({ valid: false })), { kind: 'invalid', stop: false });
});

test('without a runner, one is launched only when wanted and its model is not still downloading', () => {
  assert.deepEqual(planRunner(situation({})), { kind: 'launch' });
  assert.deepEqual(planRunner(situation({ wanted: false })), { kind: 'wait' });
  assert.deepEqual(planRunner(situation({ awaitingDownload: true })), { kind: 'wait' });
});

test("the user's start or retry revives a failed or stopped runner; a changed command or environment is given to a running one", () => {
  assert.deepEqual(planRunner(situation({ current: 'crash-loop', retry: true })), { kind: 'retry' });
  assert.deepEqual(planRunner(situation({ current: 'failed', retry: true })), { kind: 'retry' });
  assert.deepEqual(planRunner(situation({ current: 'stopped', retry: true })), { kind: 'start' });
  assert.deepEqual(planRunner(situation({ current: 'failed' })), { kind: 'none' }, 'only the user revives a failed runner');
  assert.deepEqual(planRunner(situation({ current: 'running', inputsChanged: true })), { kind: 'apply-config' });
  assert.deepEqual(planRunner(situation({ current: 'running', retry: true, inputsChanged: true })), { kind: 'apply-config' });
  assert.deepEqual(planRunner(situation({ current: 'running' })), { kind: 'none' });
});

test('the Overview says why there is no runner yet, the most fundamental reason first', () => {
  assert.equal(waitingReason({ valid: false, wanted: false, awaited: 'llama3.2' }), 'waiting for a valid configuration');
  assert.equal(waitingReason({ valid: true, wanted: false, awaited: 'llama3.2' }), 'waiting for setup to complete');
  assert.equal(waitingReason({ valid: true, wanted: true, awaited: 'llama3.2' }), 'waiting for llama3.2 to finish downloading; it starts when the model lands');
  assert.equal(waitingReason({ valid: true, wanted: true, awaited: undefined }), 'starting');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RESTART_POLICY, decideAfterExit, freshHistory, type RestartDecision, type RestartHistory } from '../../src/main/process/restart-policy.ts';

const policy = DEFAULT_RESTART_POLICY;

/** Runs a series of exits through the policy, each `uptimeMs` after a start that followed the previous delay. */
function simulate(uptimes: readonly number[], codes: readonly (number | null)[] = []): RestartDecision[] {
  let history: RestartHistory = freshHistory();
  let now = 0;
  const decisions: RestartDecision[] = [];
  for (const [index, uptime] of uptimes.entries()) {
    const startedAt = now;
    now += uptime;
    const decision = decideAfterExit(policy, history, { code: codes[index] ?? 1, signal: null, startedAt, exitedAt: now });
    decisions.push(decision);
    if (decision.action !== 'restart') break;
    history = decision.history;
    now += decision.delayMs;
  }
  return decisions;
}

const delays = (decisions: RestartDecision[]) => decisions.map((decision) => (decision.action === 'restart' ? decision.delayMs : decision.action));

test('fast crashes back off 1, 2, 4, 8 s and the fifth within 2 minutes is a crash loop', () => {
  assert.deepEqual(delays(simulate([100, 100, 100, 100, 100, 100])), [1_000, 2_000, 4_000, 8_000, 'crash-loop']);
});

test('crashes spread out beyond the window keep restarting, with the delay capped at 30 s', () => {
  // 50 s runs: unstable (under 60 s), but never 5 of them within 2 minutes.
  assert.deepEqual(delays(simulate(Array(8).fill(50_000))), [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
});

test('a run of 60 s or more was healthy: the next delay is 1 s again and earlier crashes are forgotten', () => {
  const decisions = simulate([100, 100, 100, 60_000, 100, 100, 100, 100, 100]);
  assert.deepEqual(delays(decisions), [1_000, 2_000, 4_000, 1_000, 2_000, 4_000, 8_000, 16_000, 'crash-loop']);
});

test('exit code 78 (EX_CONFIG) and configured codes are not restarted; a crash signal is', () => {
  assert.deepEqual(decideAfterExit(policy, freshHistory(), { code: 78, signal: null, startedAt: 0, exitedAt: 10 }), {
    action: 'do-not-restart',
    code: 78,
  });
  const custom = { ...policy, noRestartExitCodes: [0, 78] };
  assert.equal(decideAfterExit(custom, freshHistory(), { code: 0, signal: null, startedAt: 0, exitedAt: 10 }).action, 'do-not-restart');
  assert.equal(decideAfterExit(policy, freshHistory(), { code: null, signal: 'SIGSEGV', startedAt: 0, exitedAt: 10 }).action, 'restart');
});

test('code 0 and SIGINT/SIGTERM (as signals or as 130/143) are a clean stop; other codes and signals restart', () => {
  const decide = (code: number | null, signal: string | null) => decideAfterExit(policy, freshHistory(), { code, signal, startedAt: 0, exitedAt: 10 }).action;
  for (const [code, signal] of [
    [0, null],
    [null, 'SIGINT'],
    [null, 'SIGTERM'],
    [130, null],
    [143, null],
  ] as const) {
    assert.equal(decide(code, signal), 'clean-stop', `code ${code} signal ${signal}`);
  }
  for (const [code, signal] of [
    [1, null],
    [2, null],
    [137, null],
    [null, 'SIGKILL'],
    [null, 'SIGSEGV'],
  ] as const) {
    assert.equal(decide(code, signal), 'restart', `code ${code} signal ${signal}`);
  }
});

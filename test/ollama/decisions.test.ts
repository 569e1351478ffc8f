import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideStart, describeEarlyExit, ollamaRestartPolicy, planLaunch, unhealthyPhase, type StartFacts } from '../../src/main/ollama/decisions.ts';
import { decideAfterExit, freshHistory } from '../../src/main/process/restart-policy.ts';
import type { FindOllamaResult } from '../../src/main/ollama/find-binary.ts';
import { parseOllamaHost } from '../../src/lib/ollama-host.ts';

const installed = { found: true, path: '/usr/local/bin/ollama', source: 'path' } as const;
const missing: FindOllamaResult = { found: false, reason: 'Ollama is not installed', fix: 'install it', searched: [] };
const facts = (patch: Partial<StartFacts>): StartFacts => ({
  url: 'http://127.0.0.1:11434',
  local: true,
  binary: installed,
  probe: { kind: 'refused' },
  ...patch,
});

test('a running server is used, never launched: external when local, remote otherwise', () => {
  assert.deepEqual(decideStart(facts({ probe: { kind: 'running', version: '0.9.0' } })), { action: 'use', owner: 'external', version: '0.9.0' });
  assert.deepEqual(decideStart(facts({ local: false, probe: { kind: 'running', version: '0.9.0' } })), { action: 'use', owner: 'remote', version: '0.9.0' });
});

test('launch only when local, installed and nothing listens', () => {
  assert.deepEqual(decideStart(facts({})), { action: 'launch', binaryPath: '/usr/local/bin/ollama' });
  assert.deepEqual(decideStart(facts({ binary: missing })), {
    action: 'report',
    phase: { phase: 'not-installed', reason: 'Ollama is not installed', fix: 'install it' },
  });
});

test('a remote host that does not answer is reported, never launched, even with Ollama installed here', () => {
  for (const probe of [{ kind: 'refused' }, { kind: 'unreachable', detail: 'getaddrinfo ENOTFOUND gpu-box' }] as const) {
    const decision = decideStart(facts({ url: 'http://gpu-box:11434', local: false, probe }));
    assert.equal(decision.action, 'report');
    assert.match(
      decision.action === 'report' && decision.phase.phase === 'failed' ? decision.phase.reason : '',
      /Ollama at http:\/\/gpu-box:11434 is not reachable/,
    );
  }
});

test('a foreign program or a silent socket on the port is reported, with a fix, and not replaced', () => {
  const foreign = decideStart(facts({ probe: { kind: 'foreign', detail: 'GET /api/version answered HTTP 404' } }));
  assert.equal(foreign.action, 'report');
  assert.match(JSON.stringify(foreign), /is not Ollama.*left alone.*set OLLAMA_HOST to a free port/);
  const silent = decideStart(facts({ probe: { kind: 'timeout', afterMs: 2000 } }));
  assert.match(JSON.stringify(silent), /did not answer within 2 s/);
});

test('unhealthy names whose server stopped answering', () => {
  assert.deepEqual(unhealthyPhase('external', 'http://127.0.0.1:1', { kind: 'refused' }), {
    phase: 'unhealthy',
    owner: 'external',
    reason: 'the Ollama server at http://127.0.0.1:1 stopped answering (connection refused)',
    fix: 'start Ollama again; Stigmer reconnects by itself',
  });
});

test('restart delays back off, repeat the last one, and stop at the limit', () => {
  const policy = ollamaRestartPolicy({ restartDelays: [10, 20, 40], maxRestarts: 5 });
  /** Crashes in a row, each 1 ms after its start (code 0 too: every exit of a ready server is a crash). */
  const outcomes = (codes: readonly number[]) => {
    let history = freshHistory();
    let now = 0;
    return codes.map((code) => {
      const decision = decideAfterExit(policy, history, { code, signal: null, startedAt: now, exitedAt: now + 1 });
      now += 1_000;
      if (decision.action !== 'restart') return decision.action;
      history = decision.history;
      return decision.delayMs;
    });
  };
  assert.deepEqual(outcomes([1, 1, 1, 1, 1]), [10, 20, 40, 40, 40]);
  assert.equal(outcomes([1, 1, 1, 1, 1, 1])[5], 'crash-loop');
  assert.deepEqual(outcomes([0, 143, 0]), [10, 20, 40]);
});

test('server settings become the launched server environment; exposing it warns', () => {
  const host = parseOllamaHost('127.0.0.1:11500');
  assert.deepEqual(planLaunch(host, { exposeToNetwork: false }), { env: { OLLAMA_HOST: '127.0.0.1:11500' }, warnings: [] });
  const plan = planLaunch(host, { exposeToNetwork: true, modelsDir: '/data/models', contextLength: 8192, keepAlive: '-1' });
  assert.deepEqual(plan.env, { OLLAMA_HOST: '0.0.0.0:11500', OLLAMA_MODELS: '/data/models', OLLAMA_CONTEXT_LENGTH: '8192', OLLAMA_KEEP_ALIVE: '-1' });
  assert.match(plan.warnings[0] ?? '', /all network interfaces \(0\.0\.0\.0:11500\)/);
  assert.equal(planLaunch(parseOllamaHost('[::1]:7'), { exposeToNetwork: false }).env.OLLAMA_HOST, '[::1]:7');
  assert.equal(planLaunch(parseOllamaHost(':7'), { exposeToNetwork: false }).env.OLLAMA_HOST, '127.0.0.1:7');
});

test('an early exit is worded with what Ollama printed and a fix', () => {
  const stderr = 'time=… level=INFO msg="server config"\nError: listen tcp 127.0.0.1:11434: bind: address already in use\n';
  assert.deepEqual(describeEarlyExit({ code: 1, signal: null, stderr }, '/usr/bin/ollama', '127.0.0.1:11434'), {
    reason: 'ollama serve exited with code 1 before it was ready: Error: listen tcp 127.0.0.1:11434: bind: address already in use',
    fix: 'another program holds 127.0.0.1:11434; stop it, or set OLLAMA_HOST to a free port',
  });
  assert.match(describeEarlyExit({ code: null, signal: 'SIGSEGV', stderr: '' }, '/o', 'x').reason, /was killed by SIGSEGV before it was ready$/);
});

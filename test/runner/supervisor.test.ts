import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_RESTART_POLICY } from '../../src/main/process/restart-policy.ts';
import { cleanEnv, tempDir } from '../support/headless.ts';
import { fixtureCommand, isGone, killAfter, mockedClock, supervise, waitFor } from './support.ts';

const backoffDelays = (runner: ReturnType<typeof supervise>) =>
  runner.transitions.filter((transition) => transition.status.state === 'backoff').map(({ status }) => status.nextRestartAt! - status.lastExit!.at);

test('a crashing runner is restarted after 1 s, 2 s, 4 s, 8 s, then stopped in crash-loop with its last lines until retried', async (t) => {
  const clock = mockedClock(t);
  const runner = supervise(t, { command: fixtureCommand('exit-with.ts', '1'), clock });
  await runner.supervisor.start();

  const pids: number[] = [];
  for (const [attempt, delay] of [1_000, 2_000, 4_000, 8_000].entries()) {
    const backoff = await runner.reach('backoff', attempt + 1);
    pids.push(runner.transitions.filter((x) => x.status.state === 'running')[attempt]!.status.pid!);
    assert.equal(backoff.status.nextRestartAt! - backoff.status.lastExit!.at, delay);
    assert.equal(backoff.status.lastExit!.code, 1);
    assert.deepEqual(clock.pendingDelays(), [delay]);

    clock.advance(delay - 1);
    assert.equal(runner.supervisor.getState().state, 'backoff', 'no restart before the delay is over');
    clock.advance(1);
    await runner.reach('running', attempt + 2);
  }

  const crashLoop = await runner.reach('crash-loop');
  assert.equal(new Set(pids).size, 4, 'each restart is a new process');
  assert.match(crashLoop.status.error!.message, /exited 5 times within 2 min/);
  assert.match(crashLoop.status.error!.fix, /retry/);
  assert.ok(crashLoop.status.lastLines.includes('fatal: cannot continue (exit 1)'), `last lines: ${crashLoop.status.lastLines.join(' | ')}`);
  assert.deepEqual(clock.pendingDelays(), [], 'nothing is scheduled in crash-loop');

  await runner.supervisor.retry();
  const afterRetry = await runner.reach('backoff', 5);
  assert.equal(afterRetry.status.nextRestartAt! - afterRetry.status.lastExit!.at, 1_000, 'a retry starts the backoff afresh');
});

test('the delay doubles up to its 30 s cap, and resets after 60 s of healthy running', async (t) => {
  const clock = mockedClock(t);
  const runner = supervise(t, {
    command: fixtureCommand('sleeper.ts'),
    clock,
    policy: { crashLoopExits: 100 },
  });
  await runner.supervisor.start();

  const crashAfter = async (runningCount: number, uptimeMs: number) => {
    const running = await runner.reach('running', runningCount);
    clock.advance(uptimeMs);
    process.kill(running.status.pid!, 'SIGKILL');
    return runner.reach('backoff', runningCount);
  };
  const expected = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
  for (const [index, delay] of expected.entries()) {
    const backoff = await crashAfter(index + 1, 10);
    assert.equal(backoff.status.lastExit!.signal, 'SIGKILL');
    assert.equal(backoff.status.restarts, index + 1);
    clock.advance(delay);
  }
  assert.deepEqual(backoffDelays(runner), expected);

  const afterHealthyRun = await crashAfter(expected.length + 1, DEFAULT_RESTART_POLICY.healthyAfterMs);
  assert.equal(afterHealthyRun.status.nextRestartAt! - afterHealthyRun.status.lastExit!.at, 1_000);
});

test('with small real delays, the gaps between restarts grow and a crash loop stops them', async (t) => {
  const policy = { initialDelayMs: 40, maxDelayMs: 1_000 };
  const runner = supervise(t, { command: fixtureCommand('exit-with.ts', '3'), policy });
  const startedAt: number[] = [];
  runner.supervisor.subscribe(({ status }) => {
    if (status.state === 'starting') startedAt.push(Date.now());
  });
  await runner.supervisor.start();
  await runner.reach('crash-loop');

  assert.deepEqual(backoffDelays(runner), [40, 80, 160, 320]);
  const exits = runner.transitions.filter((x) => x.status.state === 'backoff').map((x) => x.status.lastExit!.at);
  for (const [index, exitAt] of exits.entries()) {
    const gap = startedAt[index + 1]! - exitAt;
    // Timers may fire up to 1 ms early.
    assert.ok(gap >= [40, 80, 160, 320][index]! - 1, `restart ${index + 1} came ${gap} ms after the exit`);
  }
  assert.equal(runner.transitions.filter((x) => x.status.state === 'running').length, 5);
});

test('exit code 78 (bad configuration) is not restarted, nor is a code the policy lists', async (t) => {
  for (const [code, policy] of [
    [78, {}],
    [3, { noRestartExitCodes: [3] }],
  ] as const) {
    const clock = mockedClock(t);
    const runner = supervise(t, { command: fixtureCommand('exit-with.ts', String(code)), clock, policy });
    await runner.supervisor.start();
    const failed = await runner.reach('failed');
    assert.equal(failed.status.lastExit!.code, code);
    assert.match(failed.status.error!.message, new RegExp(`exit code ${code} is set not to restart`));
    if (code === 78) assert.match(failed.status.error!.message, /EX_CONFIG/);
    assert.ok(failed.status.lastLines.some((line) => line.includes(`exit ${code}`)));
    assert.deepEqual(clock.pendingDelays(), [], 'no restart is scheduled');
    assert.equal(runner.transitions.filter((x) => x.status.state === 'starting').length, 1);
  }
});

test('a configuration change restarts the runner once with the new environment; a burst given before the restart launches shares it', async (t) => {
  const dumpFile = path.join(tempDir(t), 'env.json');
  const runner = supervise(t, {
    command: fixtureCommand('env-dump.ts', dumpFile),
    env: cleanEnv({ GENERATION: '0' }) as Record<string, string>,
    configDebounceMs: 50,
  });
  await runner.supervisor.start();
  const first = await runner.reach('running');
  const dumpOf = () => JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as { pid: number; env: Record<string, string> };
  await waitFor('the first runner to dump its environment', () => fs.existsSync(dumpFile) && dumpOf().pid === first.status.pid);

  const burst = [1, 2, 3, 4, 5].map((generation) => runner.applyConfig(cleanEnv({ GENERATION: String(generation) }) as Record<string, string>));
  await Promise.all(burst);

  const states = runner.transitions.map((x) => x.status.state);
  assert.equal(states.filter((state) => state === 'stopping').length, 1, `one restart: ${states.join(' → ')}`);
  assert.equal(states.filter((state) => state === 'running').length, 2);
  const second = runner.supervisor.getState();
  assert.equal(second.state, 'running');
  assert.notEqual(second.pid, first.status.pid);
  assert.ok(isGone(first.status.pid!), 'the previous runner is gone');
  assert.match(runner.transitions.find((x) => x.status.state === 'stopping')!.status.reason, /configuration changed/);
  await waitFor('the new runner to dump its environment', () => dumpOf().pid === second.pid);
  assert.equal(dumpOf().env.GENERATION, '5');
});

test('a provider switch restarts at once; a burst of 5 changes within 1 s restarts at most twice, the second time with the latest configuration', async (t) => {
  const clock = mockedClock(t);
  const dumpFile = path.join(tempDir(t), 'env.json');
  const runner = supervise(t, {
    command: fixtureCommand('env-dump.ts', dumpFile),
    env: cleanEnv({ GENERATION: '0' }) as Record<string, string>,
    clock,
  });
  const generation = (value: number) => cleanEnv({ GENERATION: String(value) }) as Record<string, string>;
  const restarts = () => runner.transitions.filter((x) => x.status.state === 'stopping').length;
  const dumpOf = () => JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as { pid: number; env: Record<string, string> };
  await runner.supervisor.start();
  await runner.reach('running');

  // Leading edge: the first change restarts without the supervisor's clock moving at all.
  const applied = [runner.applyConfig(generation(1))];
  const second = await runner.reach('running', 2);
  await waitFor('the second runner to dump its environment', () => fs.existsSync(dumpFile) && dumpOf().pid === second.status.pid);
  assert.equal(dumpOf().env.GENERATION, '1');

  // Four more within the same second (200 ms apart): they wait for the burst to go quiet.
  for (const value of [2, 3, 4, 5]) {
    clock.advance(200);
    applied.push(runner.applyConfig(generation(value)));
  }
  assert.equal(restarts(), 1, 'the changes that follow wait for the burst to end');
  assert.deepEqual(clock.pendingDelays(), [500]);
  clock.advance(499);
  assert.equal(restarts(), 1);
  clock.advance(1);
  await Promise.all(applied);
  const third = runner.supervisor.getState();
  assert.equal(restarts(), 2, `two restarts: ${runner.transitions.map((x) => x.status.state).join(' → ')}`);
  await waitFor('the third runner to dump its environment', () => dumpOf().pid === third.pid);
  assert.equal(dumpOf().env.GENERATION, '5', 'the trailing restart has the latest configuration');

  clock.advance(10_000);
  assert.deepEqual(clock.pendingDelays(), []);
  assert.equal(restarts(), 2);

  // After a quiet spell the next change is a leading edge again.
  const again = runner.applyConfig(generation(6));
  await runner.reach('running', 4);
  await again;
  assert.equal(restarts(), 3);
});

test('a configuration change does not start a runner the user stopped', async (t) => {
  const runner = supervise(t, { command: fixtureCommand('sleeper.ts'), configDebounceMs: 10 });
  await runner.applyConfig(cleanEnv({ CHANGED: '1' }) as Record<string, string>);
  assert.equal(runner.supervisor.getState().state, 'stopped');
  assert.deepEqual(runner.transitions, []);
});

test('stop() sends SIGTERM and a runner that handles it exits cleanly; its pid file is removed', async (t) => {
  const runner = supervise(t, { command: fixtureCommand('graceful.ts'), killGraceMs: 20_000 });
  await runner.supervisor.start();
  const running = await runner.reach('running');
  const pidFile = path.join(runner.dir, 'run', 'runner.pid');
  assert.equal(JSON.parse(fs.readFileSync(pidFile, 'utf8')).pid, running.status.pid);
  await waitFor('the runner to be ready', () => runner.output.join('').includes('ready'));

  await runner.supervisor.stop();
  assert.ok(isGone(running.status.pid!));
  const status = runner.supervisor.getState();
  assert.equal(status.state, 'stopped');
  assert.deepEqual([status.lastExit!.code, status.lastExit!.signal], [0, null], 'it exited by itself, not by SIGKILL');
  assert.ok(runner.output.join('').includes('received SIGTERM, shutting down'));
  assert.equal(fs.existsSync(pidFile), false);
  assert.deepEqual(
    runner.transitions.map((x) => x.status.state),
    ['starting', 'running', 'stopping', 'stopped'],
  );
});

for (const [variant, args] of [
  ['', []],
  [', even one that left its process group', ['--own-group']],
] as const) {
  test(`stop() ends a runner and its grandchild that both ignore SIGTERM${variant}, and resolves only once both are gone`, async (t) => {
    const runner = supervise(t, { command: fixtureCommand('stubborn-tree.ts', ...args), killGraceMs: 300 });
    await runner.supervisor.start();
    const pids = await waitFor('the runner to report its grandchild', () => {
      const match = /\{"runner":\d+,"grandchild":\d+\}/.exec(runner.output.join(''));
      return match ? (JSON.parse(match[0]) as { runner: number; grandchild: number }) : undefined;
    });
    killAfter(t, pids.grandchild);
    await waitFor('the grandchild to be up', () => runner.output.join('').includes('grandchild up'));

    await runner.supervisor.stop();
    assert.ok(isGone(pids.runner), 'the runner is gone');
    assert.ok(isGone(pids.grandchild), 'the grandchild is gone');
    const output = runner.output.join('');
    assert.ok(output.includes('runner ignores SIGTERM') && output.includes('grandchild ignores SIGTERM'), 'both got SIGTERM first');
    assert.equal(runner.supervisor.getState().lastExit!.signal, 'SIGKILL');
  });
}

test('a missing or non-executable command is one clear error, with no restart loop', async (t) => {
  const clock = mockedClock(t);
  const missing = supervise(t, {
    command: { argv: ['stigmer-no-such-runner', '--serve'], source: 'env:STIGMER_RUNNER_COMMAND', builtIn: false },
    clock,
  });
  await missing.supervisor.start();
  const failed = missing.supervisor.getState();
  assert.equal(failed.state, 'failed');
  assert.match(failed.error!.message, /"stigmer-no-such-runner" \(from STIGMER_RUNNER_COMMAND\) was not found on PATH/);
  assert.match(failed.error!.fix, /full path/);

  const script = path.join(missing.dir, 'runner.sh');
  fs.writeFileSync(script, '#!/bin/sh\necho never\n', { mode: 0o644 });
  const notExecutable = supervise(t, { command: { argv: [script], source: 'settings', builtIn: false }, clock });
  await notExecutable.supervisor.start();
  const error = notExecutable.supervisor.getState().error!;
  assert.match(error.message, /runner\.sh" \(from the runner command in Settings\) is not executable/);
  assert.match(error.fix, /chmod \+x/);

  assert.deepEqual(clock.pendingDelays(), []);
  for (const runner of [missing, notExecutable]) {
    assert.deepEqual(
      runner.transitions.map((x) => x.status.state),
      ['starting', 'failed'],
    );
  }
});

test('stopping during backoff or a pending configuration change leaves no timer behind', async (t) => {
  const clock = mockedClock(t);
  const runner = supervise(t, { command: fixtureCommand('exit-with.ts', '1'), clock });
  await runner.supervisor.start();
  await runner.reach('backoff');
  const applied = runner.applyConfig(cleanEnv({ CHANGED: '1' }) as Record<string, string>);
  assert.equal(clock.pendingDelays().length, 2);

  await runner.supervisor.stop();
  await applied;
  assert.deepEqual(clock.pendingDelays(), []);
  assert.equal(runner.supervisor.getState().state, 'stopped');
});

test('the control channel carries messages both ways and never mixes with the log lines', async (t) => {
  const runner = supervise(t, { command: fixtureCommand('echo-control.ts'), controlChannel: true });
  const received: unknown[] = [];
  runner.supervisor.onMessage((message) => received.push(message));
  await runner.supervisor.start();
  const { pid } = await runner.reach('running').then((x) => x.status);

  assert.equal(runner.supervisor.send({ type: 'task', id: 't1', prompt: 'hi' }), true);
  await waitFor('the echo', () => received.length > 0);
  assert.deepEqual(received, [{ echo: { type: 'task', id: 't1', prompt: 'hi' }, pid }]);
  await waitFor('its log line', () => runner.output.join('').includes('got a control message'));
  assert.doesNotMatch(runner.output.join(''), /"echo"/);

  const noChannel = supervise(t, { command: fixtureCommand('sleeper.ts') });
  await noChannel.supervisor.start();
  assert.equal(noChannel.supervisor.send({ type: 'task' }), false);
});

test('keys the supervisor passes are masked in the kept output lines', async (t) => {
  const key = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz-1234';
  const runner = supervise(t, {
    command: {
      argv: [process.execPath, '-e', 'console.log("key is " + process.env.STIGMER_LLM_API_KEY); process.exit(78)'],
      source: 'settings',
      builtIn: false,
    },
    env: cleanEnv({ STIGMER_LLM_API_KEY: key }) as Record<string, string>,
  });
  await runner.supervisor.start();
  const failed = await runner.reach('failed');
  assert.deepEqual(failed.status.lastLines, ['key is sk-ant-…1234']);
});

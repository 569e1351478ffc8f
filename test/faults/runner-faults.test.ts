import assert from 'node:assert/strict';
import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { RunnerState } from '../../src/shared/runner-status.ts';
import { tempDir } from '../support/headless.ts';
import { CLOUD_KEY, createApp, faultEnv, fixtureRunner, isGone, killAfter, startHeadless, waitFor, type InProcessApp } from './support.ts';

/** The app core with a custom runner, closed when the test ends. */
async function appWithRunner(t: TestContext, runner: string, options: Partial<Parameters<typeof createApp>[0]> = {}): Promise<InProcessApp & { dir: string }> {
  const dir = tempDir(t, 'stigmer-fault-');
  const app = createApp({ userDataDir: dir, argv: ['--runner-command', runner], env: faultEnv(dir, CLOUD_KEY), ...options });
  t.after(() => app.close());
  await app.core.start();
  return { ...app, dir };
}

const runnerState = (app: InProcessApp): RunnerState => app.core.getState().runner.state;
const runnerPid = (app: InProcessApp) =>
  waitFor('a running runner', () => {
    const runner = app.core.getState().runner;
    return runner.state === 'running' && runner.pid !== null ? runner.pid : undefined;
  });
const logText = (app: InProcessApp) => app.entries.map((entry) => entry.msg).join('\n');

test('a SIGKILLed runner is restarted by the real headless host, which says why and keeps running', async (t) => {
  const dir = tempDir(t, 'stigmer-fault-');
  const host = startHeadless(t, ['--user-data-dir', dir, '--runner-command', fixtureRunner('runner/fixtures/sleeper.ts')], faultEnv(dir, CLOUD_KEY));
  const first = Number(await waitFor('the runner to start', () => /Runner running: started \(pid (\d+)\)/.exec(host.stdout())?.[1]));
  killAfter(t, first);
  process.kill(first, 'SIGKILL');
  await waitFor('the backoff message', () => host.stdout().includes('Runner backoff: the runner was killed by SIGKILL; restarting in 1 s'));
  const second = Number(await waitFor('the restarted runner', () => [...host.stdout().matchAll(/Runner running: started \(pid (\d+)\)/g)][1]?.[1]));
  killAfter(t, second);
  assert.notEqual(second, first);
  assert.equal(host.child.exitCode, null, 'the host is still running');
  host.child.kill('SIGTERM');
  assert.deepEqual(await host.exited, { code: 0, signal: null });
  assert.ok(isGone(second), 'the host stopped its runner on SIGTERM');
});

test('a crash-looping runner stops in crash-loop with its last lines and a fix, and the app keeps answering', async (t) => {
  const app = await appWithRunner(t, fixtureRunner('runner/fixtures/exit-with.ts', '3'), {
    runnerOptions: { policy: { initialDelayMs: 10, maxDelayMs: 40 } },
  });
  await waitFor('the crash loop', () => runnerState(app) === 'crash-loop');
  const state = app.core.getState();
  assert.match(state.runner.error!.message, /exited 5 times within 2 min/);
  assert.match(state.runner.error!.fix, /retry/);
  assert.ok(state.runner.lastLines.includes('fatal: cannot continue (exit 3)'), state.runner.lastLines.join(' | '));
  assert.match(state.lastError?.message ?? '', /exited 5 times/);
  assert.match(logText(app), /Runner crash-loop: the runner exited 5 times/);
  await app.core.execute('runner:retry', {});
  await waitFor('a new attempt after the retry', () => runnerState(app) !== 'crash-loop');
});

test('a runner that ignores SIGTERM is SIGKILLed after the grace period when stopped', async (t) => {
  const app = await appWithRunner(t, fixtureRunner('runner/fixtures/stubborn-tree.ts'), { runnerOptions: { killGraceMs: 300 } });
  const pids = await waitFor('the runner and its grandchild', () => {
    const line = app.entries.find((entry) => entry.fields && 'grandchild' in entry.fields);
    return line?.fields as { runner: number; grandchild: number } | undefined;
  });
  killAfter(t, pids.runner);
  killAfter(t, pids.grandchild);
  await waitFor('the grandchild to be up', () => logText(app).includes('grandchild up'));
  await app.core.execute('runner:stop', {});
  assert.ok(logText(app).includes('runner ignores SIGTERM'), 'SIGTERM came first');
  assert.ok(isGone(pids.runner), 'the runner is gone');
  assert.ok(isGone(pids.grandchild), 'its grandchild is gone');
  assert.equal(app.core.getState().runner.lastExit?.signal, 'SIGKILL');
  assert.equal(runnerState(app), 'stopped');
});

test('grandchildren that left the process group are gone when the real host stops on SIGTERM', async (t) => {
  const dir = tempDir(t, 'stigmer-fault-');
  const host = startHeadless(
    t,
    ['--user-data-dir', dir, '--runner-command', fixtureRunner('runner/fixtures/stubborn-tree.ts', '--own-group')],
    faultEnv(dir, CLOUD_KEY),
  );
  const pids = await waitFor('the runner and its grandchild', () => {
    const match = /\{"runner":(\d+),"grandchild":(\d+)\}/.exec(host.stdout());
    return match ? { runner: Number(match[1]), grandchild: Number(match[2]) } : undefined;
  });
  killAfter(t, pids.runner);
  killAfter(t, pids.grandchild);
  await waitFor('the grandchild to be up', () => host.stdout().includes('grandchild up'));
  host.child.kill('SIGTERM');
  assert.deepEqual(await host.exited, { code: 0, signal: null });
  assert.ok(isGone(pids.runner), 'the runner is gone');
  assert.ok(isGone(pids.grandchild), 'the grandchild in its own process group is gone');
});

test('a 10 MB line is cut to 64 KiB with a marker; the lines around it and the app are unharmed', async (t) => {
  const app = await appWithRunner(t, fixtureRunner('faults/fixtures/huge-line.ts'));
  await waitFor('the line after the huge one', () => logText(app).includes('after the huge line'));
  const huge = app.entries.find((entry) => entry.msg.startsWith('yyyy'))!;
  assert.equal(huge.msg, `${'y'.repeat(64 * 1024)}… [truncated ${10 * 1024 * 1024 - 64 * 1024} bytes]`);
  await app.logs.flush();
  const file = fs.readFileSync(path.join(app.dir, 'logs', 'runner.log'), 'utf8').split('\n');
  assert.deepEqual(
    file.filter(Boolean).map((line) => line.slice(38, 60)),
    ['before the huge line', 'y'.repeat(22), 'after the huge line'],
  );
  assert.ok(
    file.every((line) => line.length < 70 * 1024),
    'no line of the file is longer than the limit and its marker',
  );
  assert.equal(runnerState(app), 'running');
});

test('binary garbage becomes valid, escape-free text in the log file, and the next line is intact', async (t) => {
  const app = await appWithRunner(t, fixtureRunner('faults/fixtures/garbage.ts'));
  await waitFor('the line after the garbage', () => logText(app).includes('after the garbage'));
  await app.logs.flush();
  const bytes = fs.readFileSync(path.join(app.dir, 'logs', 'runner.log'));
  assert.ok(isUtf8(bytes), 'the log file is valid UTF-8');
  assert.ok(!bytes.includes(0x1b), 'no escape character reached the file');
  const text = bytes.toString('utf8');
  assert.ok(text.includes('\uFFFD'), 'invalid bytes are shown as U+FFFD');
  assert.match(text, / stdout after the garbage\n$/);
  assert.ok(app.entries.every((entry) => !entry.msg.includes('\u001b') && !entry.msg.includes('\u009b')));
  assert.equal(runnerState(app), 'running');
});

test('a runner that closes stdout but keeps running is not taken for dead, and stops cleanly', async (t) => {
  const aliveFile = path.join(tempDir(t, 'stigmer-alive-'), 'alive');
  const app = await appWithRunner(t, fixtureRunner('faults/fixtures/close-stdout.ts', aliveFile));
  const pid = await runnerPid(app);
  killAfter(t, pid);
  await waitFor('the runner to close its output', () => logText(app).includes(`closing stdout, pid ${pid}`));
  const firstBeat = await waitFor('a heartbeat after closing stdout', () => fs.existsSync(aliveFile) && fs.readFileSync(aliveFile, 'utf8'));
  await waitFor('a later heartbeat', () => fs.readFileSync(aliveFile, 'utf8') !== firstBeat);
  assert.equal(runnerState(app), 'running');
  assert.equal(app.core.getState().runner.pid, pid, 'not restarted');
  assert.equal(app.core.getState().runner.restarts, 0);
  await app.core.execute('runner:stop', {});
  assert.ok(isGone(pid));
  assert.equal(runnerState(app), 'stopped');
});

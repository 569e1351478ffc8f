import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { commandLineMatches } from '../../src/main/process/pid-file.ts';
import { cleanEnv, tempDir } from '../support/headless.ts';
import { FIXTURES, fixtureCommand, isGone, killAfter, supervise, waitFor } from './support.ts';

test('a runner orphaned by a SIGKILLed app is ended by the next start, which then runs its own', async (t) => {
  const runDir = path.join(tempDir(t), 'run');
  const pidFile = path.join(runDir, 'runner.pid');
  const host = spawn(process.execPath, [path.join(FIXTURES, 'host.ts'), pidFile, path.join(FIXTURES, 'sleeper.ts')], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  killAfter(t, host.pid);
  let hostOutput = '';
  host.stdout.setEncoding('utf8').on('data', (chunk: string) => (hostOutput += chunk));
  const orphanPid = await waitFor('the host to report its runner', () => {
    const match = /\{"runnerPid":(\d+)\}/.exec(hostOutput);
    return match ? Number(match[1]) : undefined;
  });
  killAfter(t, orphanPid);
  // Once it has printed, the runner writes nothing more, so the pipe its dead host leaves behind cannot end it (EPIPE).
  await waitFor('the runner to be ready', () => hostOutput.includes(`ready ${orphanPid}`));

  host.kill('SIGKILL');
  await once(host, 'exit');
  assert.ok(!isGone(orphanPid), 'the runner outlived its host');
  assert.equal(JSON.parse(fs.readFileSync(pidFile, 'utf8')).pid, orphanPid);

  const next = supervise(t, { command: fixtureCommand('sleeper.ts'), pidFile });
  await next.supervisor.start();
  assert.ok(isGone(orphanPid), 'the orphan is gone once start() resolves');
  const running = next.supervisor.getState();
  assert.equal(running.state, 'running');
  assert.notEqual(running.pid, orphanPid);
  assert.match(running.reason, new RegExp(`ended runner ${orphanPid} left over from a previous run`));
  assert.equal(JSON.parse(fs.readFileSync(pidFile, 'utf8')).pid, running.pid);
});

test('a host stopping on SIGTERM exits by itself soon after, leaving no runner or grandchild that ignored SIGTERM', async (t) => {
  const pidFile = path.join(tempDir(t), 'run', 'runner.pid');
  const host = spawn(process.execPath, [path.join(FIXTURES, 'host.ts'), pidFile, path.join(FIXTURES, 'stubborn-tree.ts'), '--stop-on-sigterm'], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  killAfter(t, host.pid);
  const exited = once(host, 'exit');
  let hostOutput = '';
  host.stdout.setEncoding('utf8').on('data', (chunk: string) => (hostOutput += chunk));
  const pids = await waitFor('the runner to report its grandchild', () => {
    const match = /\{"runner":\d+,"grandchild":\d+\}/.exec(hostOutput);
    return match ? (JSON.parse(match[0]) as { runner: number; grandchild: number }) : undefined;
  });
  killAfter(t, pids.runner);
  killAfter(t, pids.grandchild);
  await waitFor('the grandchild to be up', () => hostOutput.includes('grandchild up'));

  host.kill('SIGTERM');
  const [code, signal] = await exited;
  assert.deepEqual([code, signal], [0, null], `host output:\n${hostOutput}`);
  assert.ok(hostOutput.includes('host: runner stopped'));
  assert.ok(isGone(pids.runner) && isGone(pids.grandchild), 'nothing of the runner survives its host');
  assert.equal(fs.existsSync(pidFile), false);
});

test('a pid file naming a live process that runs something else leaves that process alone', async (t) => {
  const pidFile = path.join(tempDir(t), 'run', 'runner.pid');
  const unrelated = spawn('sleep', ['300'], { stdio: 'ignore', detached: true });
  killAfter(t, unrelated.pid);
  await once(unrelated, 'spawn');
  fs.mkdirSync(path.dirname(pidFile), { recursive: true });
  fs.writeFileSync(pidFile, JSON.stringify({ pid: unrelated.pid, argv: fixtureCommand('sleeper.ts').argv, startedAt: Date.now() }));

  const runner = supervise(t, { command: fixtureCommand('sleeper.ts'), pidFile });
  await runner.supervisor.start();
  assert.equal(runner.supervisor.getState().state, 'running');
  assert.ok(!isGone(unrelated.pid!), 'the unrelated process still runs');
  assert.equal(JSON.parse(fs.readFileSync(pidFile, 'utf8')).pid, runner.supervisor.getState().pid);
});

test('an unreadable or stale pid file does not keep the runner from starting', async (t) => {
  for (const content of ['not json at all', JSON.stringify({ pid: 2 ** 22 + 12_345, argv: ['/bin/runner'], startedAt: 0 })]) {
    const pidFile = path.join(tempDir(t), 'run', 'runner.pid');
    fs.mkdirSync(path.dirname(pidFile), { recursive: true });
    fs.writeFileSync(pidFile, content);
    const runner = supervise(t, { command: fixtureCommand('sleeper.ts'), pidFile });
    await runner.supervisor.start();
    assert.equal(runner.supervisor.getState().state, 'running');
  }
});

test('the recorded command matches the live process exactly, or as the tail after a #! interpreter', () => {
  const recorded = ['/opt/runner/run.sh', '--serve'];
  assert.ok(commandLineMatches(['/opt/runner/run.sh', '--serve'], recorded));
  assert.ok(commandLineMatches(['/bin/sh', '/opt/runner/run.sh', '--serve'], recorded));
  assert.ok(commandLineMatches('/bin/sh /opt/runner/run.sh --serve', recorded));
  assert.ok(!commandLineMatches(['sleep', '300'], recorded));
  assert.ok(!commandLineMatches(['/opt/runner/run.sh'], recorded));
  assert.ok(!commandLineMatches(['/opt/runner/run.sh', '--serve', '--extra'], recorded));
  assert.ok(!commandLineMatches('sleep 300', recorded));
});

test('after a SIGKILLed app, the next start also ends the setsid daemon its orphaned runner started, found by the launch marker in the pid file', async (t) => {
  const dir = tempDir(t);
  const pidFile = path.join(dir, 'run', 'runner.pid');
  const daemonsFile = path.join(dir, 'daemons');
  const host = spawn(
    process.execPath,
    [path.join(FIXTURES, 'host.ts'), pidFile, path.join(FIXTURES, '..', '..', 'faults', 'fixtures', 'daemonizing-runner.ts'), daemonsFile],
    {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  killAfter(t, host.pid);
  let hostOutput = '';
  host.stdout.setEncoding('utf8').on('data', (chunk: string) => (hostOutput += chunk));
  const orphanPid = await waitFor('the host to report its runner', () => Number(/\{"runnerPid":(\d+)\}/.exec(hostOutput)?.[1]) || undefined);
  killAfter(t, orphanPid);
  const daemon = await waitFor(
    'the daemon',
    () => fs.existsSync(daemonsFile) && (JSON.parse(fs.readFileSync(daemonsFile, 'utf8').split('\n')[0]!) as { daemon: number }).daemon,
  );
  killAfter(t, daemon);
  await waitFor('the runner to be ready', () => hostOutput.includes(`ready ${orphanPid}`));
  assert.match(JSON.parse(fs.readFileSync(pidFile, 'utf8')).marker, /^[0-9a-f-]{36}$/, 'the pid file records the launch marker');

  host.kill('SIGKILL');
  await once(host, 'exit');
  assert.ok(!isGone(orphanPid) && !isGone(daemon), 'the runner and its daemon outlived their host');

  const next = supervise(t, { command: fixtureCommand('sleeper.ts'), pidFile });
  await next.supervisor.start();
  assert.ok(isGone(orphanPid), 'the orphaned runner is gone');
  assert.ok(isGone(daemon), 'its daemon, in a session of its own, is gone too');
  assert.equal(next.supervisor.getState().state, 'running');
});

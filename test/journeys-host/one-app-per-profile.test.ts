/**
 * One app per profile (issue 10 §6), walked through the real headless host: a second host on the
 * same user-data folder exits 1 naming the first and touches nothing of it; a lock left by a dead
 * host, or naming a pid that another program now has, is taken over; the read-only commands run
 * beside a running host.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { profileLockPath } from '../../src/main/profile/profile-lock.ts';
import { processStartTime } from '../../src/lib/process-identity.ts';
import { freePort } from '../ollama/support.ts';
import { HOST_WAIT_MS, Scope, descendantsOf, hostEnv, isGone, readPidFile, startHost, waitFor } from '../support/e2e-host.ts';
import { runHeadlessCli } from '../support/headless.ts';

const SLEEPER = `${process.execPath} ${path.join(import.meta.dirname, '..', 'runner', 'fixtures', 'sleeper.ts')}`;
const runFile = (userDataDir: string, name: string) => path.join(userDataDir, 'run', name);
const snapshot = (file: string) => ({ content: fs.readFileSync(file, 'utf8'), mtimeMs: fs.statSync(file).mtimeMs });

test('a second host on the same folder exits 1 naming the first, and leaves its Ollama, runner and pid files alone', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const first = startHost(scope, ['--runner-command', SLEEPER, '--user-data-dir', userDataDir], env);
  await first.waitForLine('the first runner', (line) => / \[runner\] ready \d+$/.test(line));
  const ollamaPid = await waitFor('the Ollama pid file', () => readPidFile(userDataDir, 'ollama.pid'), HOST_WAIT_MS);
  const runnerPid = await waitFor('the runner pid file', () => readPidFile(userDataDir, 'runner.pid'), HOST_WAIT_MS);
  scope.killAtEnd(ollamaPid);
  scope.killAtEnd(runnerPid);
  const before = ['ollama.pid', 'runner.pid', 'app.lock'].map((name) => snapshot(runFile(userDataDir, name)));
  const settingsExisted = fs.existsSync(path.join(userDataDir, 'settings.json'));

  const second = await runHeadlessCli(['--runner-command', SLEEPER, '--user-data-dir', userDataDir], env);
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, new RegExp(`already running on .*: the headless host with pid ${first.pid} \\(since `));
  assert.match(second.stderr, /--user-data-dir/, 'it says how to run a second app');
  assert.equal(second.stdout, '', 'it started nothing, so it logged nothing');

  assert.ok(!isGone(ollamaPid) && !isGone(runnerPid), "the first host's Ollama and runner still run");
  assert.deepEqual(
    ['ollama.pid', 'runner.pid', 'app.lock'].map((name) => snapshot(runFile(userDataDir, name))),
    before,
    'no pid file or lock was touched',
  );
  assert.equal(fs.existsSync(path.join(userDataDir, 'settings.json')), settingsExisted);
  assert.ok(!first.lines().some((line) => line.includes('left over from a previous run')), 'the first host was not disturbed');

  // Read-only commands need no lock: they run beside the host, and change nothing either.
  const printed = await runHeadlessCli(['--print-config', '--user-data-dir', userDataDir], env);
  assert.equal(printed.code, 0, printed.stderr);
  assert.equal(JSON.parse(printed.stdout).provider.value, 'ollama');
  const doctor = await runHeadlessCli(['--doctor', '--json', '--user-data-dir', userDataDir], env);
  assert.ok(doctor.code === 0 || doctor.code === 1, doctor.stderr);
  assert.doesNotMatch(doctor.stderr, /already running/);
  assert.deepEqual(
    ['ollama.pid', 'runner.pid', 'app.lock'].map((name) => snapshot(runFile(userDataDir, name))),
    before,
  );

  const started = descendantsOf(first.pid);
  assert.deepEqual(await first.stop('SIGTERM'), { code: 0, signal: null }, first.stdout);
  for (const pid of started) assert.ok(isGone(pid), `process ${pid} is gone`);
  assert.equal(fs.existsSync(profileLockPath(userDataDir)), false, 'the lock is released on exit');
});

/** A lock file as a host writes it, for a holder that is not what it claims to be any more. */
function writeLock(userDataDir: string, holder: { pid: number; startTime?: string }): void {
  fs.mkdirSync(path.join(userDataDir, 'run'), { recursive: true });
  fs.writeFileSync(profileLockPath(userDataDir), JSON.stringify({ ...holder, host: 'headless host', since: '2026-01-01T00:00:00.000Z' }));
}

for (const [what, holder] of [
  // A process that has exited: its pid names nothing now.
  ['whose holder is dead', () => ({ pid: spawnSync('true').pid, startTime: '1' })],
  // This test's own process is alive, but started at another time than the host that wrote the lock.
  ['whose pid now belongs to another program', () => ({ pid: process.pid, startTime: `${Number(processStartTime(process.pid)) + 1}` })],
] as const) {
  test(`a lock ${what} is taken over, and the host runs`, async (t) => {
    const scope = new Scope(t);
    const userDataDir = scope.tempDir();
    writeLock(userDataDir, holder());
    // A cloud provider without a key: nothing to launch, the host just waits.
    const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, extra: { LLM_PROVIDER: 'openai' } });
    const host = startHost(scope, ['--user-data-dir', userDataDir], env);
    await host.waitForLine('the idle notice', (line) => line.includes('Nothing is running: OpenAI needs an API key'));
    const lock = JSON.parse(fs.readFileSync(profileLockPath(userDataDir), 'utf8')) as { pid: number; startTime: string };
    assert.equal(lock.pid, host.pid, 'the lock names the new host');
    assert.equal(lock.startTime, processStartTime(host.pid));
    assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
    assert.equal(fs.existsSync(profileLockPath(userDataDir)), false);
  });
}

test('hosts started at once on a folder with a stale lock: exactly one takes it over, the others exit 1 naming it', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  writeLock(userDataDir, { pid: spawnSync('true').pid, startTime: '1' });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, extra: { LLM_PROVIDER: 'openai' } });
  const hosts = Array.from({ length: 4 }, () => startHost(scope, ['--user-data-dir', userDataDir], env));

  const winner = await waitFor(
    'one host to run and the others to exit',
    () => {
      const running = hosts.filter((host) => host.running);
      return running.length === 1 && running[0]!.lines().some((line) => line.includes('Nothing is running:')) && running[0];
    },
    HOST_WAIT_MS,
  );
  for (const loser of hosts.filter((host) => host !== winner)) {
    assert.deepEqual(await loser.waitForExit(), { code: 1, signal: null }, loser.stderr);
    assert.match(loser.stderr, new RegExp(`the headless host with pid ${winner.pid} `));
  }
  assert.equal((JSON.parse(fs.readFileSync(profileLockPath(userDataDir), 'utf8')) as { pid: number }).pid, winner.pid);
  assert.deepEqual(await winner.stop('SIGTERM'), { code: 0, signal: null });
  assert.deepEqual(fs.readdirSync(path.join(userDataDir, 'run')), [], 'no lock, guard or temporary file is left');
});

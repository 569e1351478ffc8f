/**
 * Keys given to the real headless host (issue 23 §2), saved as the window saves them (`keys:set`
 * over the `--ui` WebSocket) and read back after a restart: the OS keychain when a Secret Service
 * answers (Debian's gnome-keyring on a private D-Bus session), otherwise the user's choice.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { FileSecretStore, keysFileOf } from '../../src/main/secrets/file-secret-store.ts';
import { probeKeyring } from '../../src/main/secrets/keyring-secret-store.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { freePort } from '../ollama/support.ts';
import {
  HOST_WAIT_MS,
  Scope,
  commandLineOf,
  descendantsOf,
  filesUnder,
  hostEnv,
  setUpProfile,
  startHost,
  waitFor,
  type HeadlessHost,
} from '../support/e2e-host.ts';
import { uiUrl } from '../support/ui-e2e.ts';
import { runHeadlessCli } from '../support/headless.ts';
import { connectUi } from '../support/websocket.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';

const KEY = FAKE_ANTHROPIC_KEY;
const MASKED = 'sk-ant-…STAA';
const OPENAI_KEY = 'sk-proj-MOVED-INTO-KEYCHAIN-0000000000';

/** A profile for Anthropic at the local double, before setup is finished (so no runner starts). */
async function anthropicProfile(scope: Scope): Promise<string> {
  const anthropic = await startFakeAnthropic({ validKeys: [KEY] });
  scope.defer(() => anthropic.close());
  return setUpProfile(scope, (settings) => {
    settings.provider = 'anthropic';
    settings.providers.anthropic.baseUrl = anthropic.url;
    settings.firstRunCompleted = false;
  });
}

interface Run {
  host: HeadlessHost;
  state(): Promise<AppState>;
  command(name: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: unknown }>;
  stop(): Promise<void>;
}

async function run(scope: Scope, userDataDir: string, env: NodeJS.ProcessEnv, extraArgs: string[] = []): Promise<Run> {
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir, ...extraArgs], env);
  const ui = await connectUi(await uiUrl(host));
  scope.defer(() => ui.close());
  const command = (name: string, payload: unknown) => ui.request(name, payload);
  return {
    host,
    command,
    state: async () => (await command('state:get', {})).value as AppState,
    stop: async () => {
      ui.close();
      assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stderr);
    },
  };
}

async function saveKey(app: Run): Promise<void> {
  const reply = await app.command('keys:set', { provider: 'anthropic', key: KEY });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  assert.equal((reply.value as { saved: boolean }).saved, true);
}

/** No file under the user-data folder holds the key or a piece of it. */
function assertNotOnDisk(userDataDir: string): void {
  for (const file of filesUnder(userDataDir)) {
    const bytes = fs.readFileSync(file, 'latin1');
    assert.ok(!bytes.includes(KEY.slice(14, 40)), `${file} holds the key`);
    assert.ok(!bytes.includes(OPENAI_KEY.slice(8)), `${file} holds the moved key`);
  }
}

/** Neither the host's nor any of its children's argv, nor what it printed, holds the key. */
function assertNeverShown(host: HeadlessHost): void {
  for (const pid of [host.pid, ...descendantsOf(host.pid)]) assert.ok(!commandLineOf(pid).join(' ').includes(KEY.slice(14, 40)), `argv of ${pid}`);
  assert.ok(!`${host.stdout}${host.stderr}`.includes(KEY.slice(14, 40)), 'the key was printed');
}

test('without a keychain a key lasts the session; choosing the key file in the window keeps it across restarts, 0600 and labelled, never in argv or stdout', async (t) => {
  const scope = new Scope(t);
  const userDataDir = await anthropicProfile(scope);
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}` });
  const file = keysFileOf(userDataDir);

  const first = await run(scope, userDataDir, env);
  await first.host.waitForLine('the session notice', (line) => line.includes('so keys are kept for this session only'));
  await saveKey(first);
  const inSession = await first.state();
  assert.deepEqual([inSession.config.keys.anthropic?.masked, inSession.secrets.persistence, inSession.secrets.weakStorageOffered], [MASKED, 'session', true]);
  assertNotOnDisk(userDataDir);
  await first.stop();

  const second = await run(scope, userDataDir, env);
  assert.equal((await second.state()).config.keys.anthropic, null, 'a session key is gone after a restart');
  await saveKey(second);
  // The window's "Save keys with weaker storage": the key held now moves into the file.
  assert.equal((await second.command('secrets:accept-weak-storage', {})).ok, true);
  const accepted = await second.state();
  assert.equal(accepted.secrets.persistence, 'weak');
  assert.match(accepted.secrets.notice ?? '', new RegExp(`^Keys are stored unencrypted in ${escapeRegExp(file)} `));
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.match(fs.readFileSync(file, 'utf8'), /"warning": "NOT ENCRYPTED: /);
  assertNeverShown(second.host);
  await second.stop();

  const third = await run(scope, userDataDir, env);
  await third.host.waitForLine('the file notice at start', (line) => line.includes(`Keys are stored unencrypted in ${file}`));
  assert.equal((await third.state()).config.keys.anthropic?.masked, MASKED, 'the key is back after a restart');
  assertNeverShown(third.host);
  await third.stop();

  // The one-shot reports say it too.
  const printed = await runHeadlessCli(['--print-config', '--user-data-dir', userDataDir], env);
  assert.equal(printed.code, 0, printed.stderr);
  const { keyStorage } = JSON.parse(printed.stdout) as { keyStorage: { persistence: string; notice: string } };
  assert.equal(keyStorage.persistence, 'weak');
  assert.ok(keyStorage.notice.startsWith(`Keys are stored unencrypted in ${file} `), keyStorage.notice);
  const doctor = await runHeadlessCli(['--doctor', '--json', '--user-data-dir', userDataDir], env);
  const check = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks.find(
    (item) => item.name === 'key-storage',
  );
  assert.deepEqual([check?.status, check?.detail], ['warn', keyStorage.notice]);
  assert.ok(!`${printed.stdout}${doctor.stdout}`.includes(KEY.slice(14, 40)));

  const fourth = await run(scope, userDataDir, env, ['--no-keys-file']);
  await fourth.host.waitForLine('the file removed', (line) =>
    line.includes(`Moved the key from ${file} into this session only and removed the unencrypted file.`),
  );
  assert.equal((await fourth.state()).config.keys.anthropic?.masked, MASKED, 'kept for this session');
  assert.equal(fs.existsSync(file), false);
  await fourth.stop();
});

/** A private D-Bus session with gnome-keyring's Secret Service, unlocked; undefined when the packages are missing. */
async function startSecretService(scope: Scope): Promise<NodeJS.ProcessEnv | undefined> {
  const missing = ['dbus-daemon', 'gnome-keyring-daemon'].filter((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0);
  if (missing.length > 0) return undefined;
  const dir = scope.tempDir('stigmer-keyring-');
  const runtime = path.join(dir, 'run');
  fs.mkdirSync(runtime, { mode: 0o700 });
  const address = `unix:path=${path.join(runtime, 'bus')}`;
  const bus = spawn('dbus-daemon', ['--session', '--nofork', `--address=${address}`], { stdio: 'ignore' });
  scope.killAtEnd(bus.pid!);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: path.join(dir, 'home'), XDG_RUNTIME_DIR: runtime, DBUS_SESSION_BUS_ADDRESS: address };
  fs.mkdirSync(env.HOME);
  await waitFor('the D-Bus session bus', () => fs.existsSync(path.join(runtime, 'bus')), HOST_WAIT_MS);
  // `--unlock` creates the login keyring with the password on stdin; an empty one leaves no default collection.
  const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
  scope.killAtEnd(keyring.pid!);
  keyring.stdin.end('test-password');
  await waitFor('the Secret Service to answer', async () => (await probeKeyring({ userDataDir: dir, env })).available, HOST_WAIT_MS);
  return env;
}

test('with a Secret Service a key saved through the host survives a restart, and no file of the user-data folder ever holds it', async (t) => {
  const scope = new Scope(t);
  const service = await startSecretService(scope);
  if (!service) return t.skip('needs dbus-daemon and gnome-keyring (apt-get install dbus gnome-keyring)');
  const userDataDir = await anthropicProfile(scope);
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, extra: { DBUS_SESSION_BUS_ADDRESS: service.DBUS_SESSION_BUS_ADDRESS! } });

  const probeStart = performance.now();
  assert.deepEqual(await probeKeyring({ userDataDir, env }), { available: true });
  t.diagnostic(`the probe (a child process saving, reading and removing an entry) took ${Math.round(performance.now() - probeStart)} ms`);
  // A key file from a time without a keychain: its key moves into the keychain, and the file goes.
  await new FileSecretStore({ file: keysFileOf(userDataDir), notice: '' }).set('openai', OPENAI_KEY);

  const first = await run(scope, userDataDir, env);
  await first.host.waitForLine('the keychain notice', (line) => line.includes('Keys are kept in the Secret Service'));
  await first.host.waitForLine('the key file moved', (line) => line.includes(`Moved the key from ${keysFileOf(userDataDir)} into the Secret Service`));
  assert.equal(fs.existsSync(keysFileOf(userDataDir)), false);
  assert.equal((await first.state()).config.keys.openai?.source, 'keychain');
  await saveKey(first);
  assert.equal((await first.state()).secrets.persistence, 'os-keychain');
  assertNotOnDisk(userDataDir);
  await first.stop();

  const second = await run(scope, userDataDir, env);
  const state = await second.state();
  assert.deepEqual([state.config.keys.anthropic?.masked, state.config.keys.anthropic?.source], [MASKED, 'keychain'], 'the key is back after a restart');
  assertNotOnDisk(userDataDir);
  assertNeverShown(second.host);
  // Removing it removes it from the keychain too.
  assert.equal((await second.command('keys:remove', { provider: 'anthropic' })).ok, true);
  await second.stop();
  const third = await run(scope, userDataDir, env);
  assert.equal((await third.state()).config.keys.anthropic, null);
  await third.stop();
});

test('a session bus that never answers does not hold up start-up: the probe gives up after 5 s and says so, and --keys-file is remembered', async (t) => {
  const scope = new Scope(t);
  const dir = scope.tempDir('stigmer-mute-bus-');
  const socketPath = path.join(dir, 'bus');
  const accepted: net.Socket[] = [];
  const mute = net.createServer((socket) => void accepted.push(socket));
  await new Promise<void>((resolve) => mute.listen(socketPath, resolve));
  scope.defer(() => new Promise<void>((resolve) => mute.close(() => resolve())));
  scope.defer(() => accepted.forEach((socket) => socket.destroy()));
  const userDataDir = await anthropicProfile(scope);
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, extra: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${socketPath}` } });

  const probeStart = performance.now();
  const probe = await probeKeyring({ userDataDir, env });
  const probeMs = performance.now() - probeStart;
  t.diagnostic(`the probe against a mute bus gave up after ${Math.round(probeMs)} ms`);
  assert.equal(probe.available, false);
  assert.ok(probeMs < 10_000, `${probeMs} ms`);

  const startedAt = performance.now();
  const app = await run(scope, userDataDir, env, ['--keys-file']);
  const line = await app.host.waitForLine('the timed-out probe', (text) => text.includes('No OS keychain answered (it did not answer within 5 s'));
  const ready = performance.now() - startedAt;
  t.diagnostic(`UI ready ${(ready / 1000).toFixed(1)} s after the start with a mute session bus`);
  assert.ok(accepted.length > 0, 'the probe did connect to the bus');
  assert.ok(line.includes(`Keys are stored unencrypted in ${keysFileOf(userDataDir)} `), line);
  assert.deepEqual(
    descendantsOf(app.host.pid).filter((pid) => commandLineOf(pid).includes('-e')),
    [],
    'the stuck probe was killed',
  );
  await saveKey(app);
  assert.equal(fs.statSync(keysFileOf(userDataDir)).mode & 0o777, 0o600);
  assertNeverShown(app.host);
  await app.stop();
  const saved = JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { secrets: { acceptWeakStorage: boolean } };
  assert.equal(saved.secrets.acceptWeakStorage, true, 'the choice is saved: later starts need no flag');
});

/**
 * The Electron double's rules, each proven once (test/doubles/electron/README.md lists them with
 * their source in Electron's docs): small main scripts run under test/doubles/electron/main.ts
 * exactly as the app's is, and the sandboxed preload and safeStorage in this process.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { app } from '../doubles/electron/app.ts';
import { VIOLATION_MARK } from '../doubles/electron/rules.ts';
import { runPreload } from '../doubles/electron/preload-sandbox.ts';
import { safeStorage } from '../doubles/electron/safe-storage.ts';
import { Scope, startHost } from '../support/e2e-host.ts';
import { cleanEnv } from '../support/headless.ts';
import { DESKTOP_WAIT_MS, DOUBLE_MAIN } from '../support/desktop-host.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/rules-app');

function runScenario(scope: Scope, scenario: string, ...extra: string[]) {
  return startHost(scope, [FIXTURE, scenario, ...extra], cleanEnv({ ELECTRON_DOUBLE_BROWSER: '0' }), { entry: DOUBLE_MAIN });
}

test('the main process lives until app.quit(), though its script left nothing to do', async (t) => {
  const host = runScenario(new Scope(t), 'lives');
  assert.deepEqual(await host.waitForExit(DESKTOP_WAIT_MS), { code: 0, signal: null });
  assert.deepEqual(host.lines(), ['ready', 'will-quit']);
});

test("'ready' fires after the main script has been evaluated", async (t) => {
  const host = runScenario(new Scope(t), 'ready');
  await host.waitForLine('ready', (line) => line.startsWith('ready after evaluation'), DESKTOP_WAIT_MS);
  assert.deepEqual(host.lines(), ['ready after evaluation: true; ready during evaluation: false']);
  host.child.kill('SIGKILL');
});

test('protocol.registerSchemesAsPrivileged is refused after ready', async (t) => {
  const host = runScenario(new Scope(t), 'schemes-late');
  await host.waitForLine('after ready', (line) => line.startsWith('after ready'), DESKTOP_WAIT_MS);
  assert.deepEqual(host.lines(), ['before ready refused: false', 'after ready refused: true']);
  assert.match(host.stderr, new RegExp(`${VIOLATION_MARK.replace(/[[\]]/g, '\\$&')} protocol.registerSchemesAsPrivileged must be called before ready`));
  host.child.kill('SIGKILL');
});

test('BrowserWindow, Tray, session, protocol.handle, utilityProcess.fork and the safeStorage backend are refused before ready', async (t) => {
  const host = runScenario(new Scope(t), 'too-early');
  const line = await host.waitForLine('the refusals', (text) => text.includes('safeStorage:'), DESKTOP_WAIT_MS);
  assert.equal(line, '{"BrowserWindow":true,"Tray":true,"session":true,"protocol.handle":true,"utilityProcess.fork":true} safeStorage:true');
  host.child.kill('SIGKILL');
});

test('quit runs before-quit then will-quit, and either can cancel it', async (t) => {
  const host = runScenario(new Scope(t), 'quit-cancel');
  assert.deepEqual(await host.waitForExit(DESKTOP_WAIT_MS), { code: 0, signal: null });
  assert.deepEqual(host.lines(), ['before-quit 1', 'before-quit 2', 'will-quit 1', 'before-quit 3', 'will-quit 2', 'quit']);
});

test('requestSingleInstanceLock: a second process is refused and the first gets second-instance with its argv', async (t) => {
  const scope = new Scope(t);
  const userData = scope.tempDir();
  const first = runScenario(scope, 'single-instance', userData);
  await first.waitForLine('the lock', (line) => line === 'first: holds the lock', DESKTOP_WAIT_MS);
  const second = runScenario(scope, 'single-instance', userData);
  assert.deepEqual(await second.waitForExit(DESKTOP_WAIT_MS), { code: 0, signal: null });
  assert.deepEqual(second.lines(), ['second: lock refused']);
  const delivered = await first.waitForLine('second-instance', (line) => line.startsWith('second-instance'), DESKTOP_WAIT_MS);
  assert.equal(delivered, `second-instance from ${second.pid} with single-instance ${userData}`);
  first.child.kill('SIGKILL');
});

test('a utility process gets process.parentPort and its own argv', async (t) => {
  const host = runScenario(new Scope(t), 'utility');
  assert.deepEqual(await host.waitForExit(DESKTOP_WAIT_MS), { code: 0, signal: null });
  assert.deepEqual(host.lines(), ['child says: {"got":{"ping":1},"argv":["--flag"],"type":"utility"}']);
});

test('a sandboxed preload may require only electron, events, timers and url', (t) => {
  const dir = fs.mkdtempSync(path.join(import.meta.dirname, '.preload-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, body: string) => {
    fs.writeFileSync(path.join(dir, name), body);
    return path.join(dir, name);
  };
  const host = { invoke: async () => undefined, send: () => {} };
  const allowed = runPreload(
    write(
      'ok.cjs',
      "const { contextBridge } = require('electron'); require('events'); require('timers'); require('url'); contextBridge.exposeInMainWorld('api', { x: 1 });",
    ),
    host,
  );
  assert.deepEqual(allowed.exposed.get('api'), { x: 1 });
  for (const forbidden of ['fs', 'node:events', 'child_process', './other.cjs']) {
    assert.throws(() => runPreload(write('bad.cjs', `require(${JSON.stringify(forbidden)});`), host), /only electron, events, timers and url/, forbidden);
  }
  assert.throws(() => runPreload(write('main.cjs', "require('electron').ipcMain;"), host), /main-process module/);
});

test("safeStorage's deprecated synchronous calls fail; the asynchronous ones round-trip", async () => {
  app.markReady();
  for (const call of [() => safeStorage.isEncryptionAvailable(), () => safeStorage.encryptString(), () => safeStorage.decryptString()]) {
    assert.throws(call, /deprecated in Electron 45/);
  }
  const encrypted = await safeStorage.encryptStringAsync('sk-secret');
  assert.equal(encrypted.includes('sk-secret'), false);
  assert.deepEqual(await safeStorage.decryptStringAsync(encrypted), { result: 'sk-secret', shouldReEncrypt: false });
});

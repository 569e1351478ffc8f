/**
 * The desktop window end to end: the built app under the Electron double, its window a real
 * Chromium page loaded through the app's `app://` handler, talking to main over the real preload
 * and ipc-bridge.ts, with main's events pushed back into the page.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../ollama/support.ts';
import { Scope, hostEnv, setUpProfile, waitFor } from '../support/e2e-host.ts';
import { DESKTOP_DEADLINE, DESKTOP_WAIT_MS, startDesktopHost } from '../support/desktop-host.ts';
import { readMemory } from '../support/proc.ts';

test('the window shows the state (Overview) from main, changes a setting through IPC, and follows main’s events', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2', 'qwen2.5:0.5b'] } });
  const host = await startDesktopHost(scope, ['--user-data-dir', userDataDir], env);
  const started = performance.now();
  await host.trayMenu();
  const trayAt = performance.now() - started;
  const page = await host.page();
  const state = await host.state();
  assert.equal(state.windows[0]?.url, 'app://renderer/index.html', 'the frame reports the app URL, as Electron does');
  assert.equal(state.windows[0]?.origin, 'app://renderer');
  await page.getByRole('heading', { name: 'Overview' }).waitFor(DESKTOP_DEADLINE);
  const windowAt = performance.now() - started;
  assert.deepEqual(
    await page.evaluate(() => ({
      bridge: Object.keys((window as unknown as { stigmer: object }).stigmer).sort(),
      node: typeof (globalThis as { require?: unknown }).require,
    })),
    { bridge: ['invoke', 'on'], node: 'undefined' },
    'the preload exposes two functions, and the page has no Node',
  );
  // The page cannot take the window elsewhere: main's will-navigate guard cancels it.
  const navigated = page.waitForEvent('requestfailed', { predicate: (request) => request.url() === 'https://example.com/', ...DESKTOP_DEADLINE });
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  // Aborted by the guard, not failed for want of a network (that would be ERR_NAME_NOT_RESOLVED or the like).
  assert.equal((await navigated).failure()?.errorText, 'net::ERR_ABORTED');
  assert.equal((await host.state()).windows[0]?.url, 'app://renderer/index.html');
  await page.getByRole('heading', { name: 'Overview' }).waitFor(DESKTOP_DEADLINE);

  const configuration = page.getByRole('region', { name: 'Configuration' });
  await configuration.getByText('llama3.2').first().waitFor(DESKTOP_DEADLINE);

  // A command through the preload and the IPC bridge changes the saved setting; the state event
  // main pushes back updates the Overview.
  const reply = await page.evaluate(async () => {
    const api = (window as unknown as { stigmer: { invoke(name: string, payload: object): Promise<{ ok: boolean }> } }).stigmer;
    return await api.invoke('config:set-model', { provider: 'ollama', model: 'qwen2.5:0.5b' });
  });
  assert.deepEqual(reply, { ok: true, value: { ok: true } });
  await waitFor(
    'the setting to be saved',
    () => {
      const saved = JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { providers: { ollama: { model: string } } };
      return saved.providers.ollama.model === 'qwen2.5:0.5b';
    },
    DESKTOP_WAIT_MS,
  );
  await configuration.getByText('qwen2.5:0.5b').first().waitFor(DESKTOP_DEADLINE);

  // A change made elsewhere (the tray) reaches the page too.
  const runner = page.getByRole('region', { name: 'Runner' });
  await host.waitForTray('the runner to run', (menu) => menu[0]?.label.startsWith('Runner: running'));
  await host.clickTray('Stop runner');
  await runner.getByText('stopped', { exact: false }).first().waitFor(DESKTOP_DEADLINE);

  // Idle: nothing happening for a while.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  t.diagnostic(
    `start → tray ${Math.round(trayAt)} ms, → Overview shown ${Math.round(windowAt)} ms; main idle RSS ${((readMemory(host.pid)?.rss ?? 0) / 1024 / 1024).toFixed(1)} MB`,
  );
  assert.deepEqual(await host.quit(), { code: 0, signal: null });
  assert.deepEqual(host.violations(), []);
});

test('Copy works in the desktop window: the session lets the app’s page write the clipboard, and only write it', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const host = await startDesktopHost(scope, ['--user-data-dir', userDataDir], env);
  const page = await host.page();
  await page.getByRole('link', { name: 'Logs', exact: true }).click();
  const copy = page.getByRole('button', { name: 'Copy', exact: true });
  await waitFor('log lines to copy', () => copy.isEnabled(), DESKTOP_WAIT_MS);
  await copy.click();
  // With every permission refused (the window before this fix), writeText rejected and the card showed an error instead.
  await page.getByText(/^Copied [\d,]+ lines\.$/).waitFor(DESKTOP_DEADLINE);
  const read = await page.evaluate(() =>
    navigator.clipboard.readText().then(
      () => 'read',
      (error: unknown) => (error instanceof DOMException ? error.name : String(error)),
    ),
  );
  assert.equal(read, 'NotAllowedError', 'the page may not read the clipboard');
  assert.deepEqual(await host.quit(), { code: 0, signal: null });
  assert.deepEqual(host.violations(), []);
});

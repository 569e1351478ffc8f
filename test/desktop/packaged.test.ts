/**
 * The packaged layout under the double (`app.isPackaged`, `process.resourcesPath` as
 * electron-builder lays it out): the icons and the runner resolve, and Start at login, which only
 * a packaged app offers, writes and removes the autostart entry.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../ollama/support.ts';
import { Scope, hostEnv, setUpProfile, waitFor } from '../support/e2e-host.ts';
import { DESKTOP_WAIT_MS, packagedResources, startDesktopHost } from '../support/desktop-host.ts';

test('packaged: icons and the runner resolve from the packaged layout, and Start at login writes and removes the autostart entry', async (t) => {
  const scope = new Scope(t);
  const resources = packagedResources(scope);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const host = await startDesktopHost(scope, ['--user-data-dir', userDataDir], env, { packagedResources: resources });

  const state = await host.waitForState('the window and the tray', (current) => current.windows[0] && current.trays[0] && current);
  assert.equal(state.trays[0]!.image.startsWith(path.join(resources, 'icons', 'tray')), true, state.trays[0]!.image);
  assert.equal(state.trays[0]!.imageEmpty, false, 'the tray icon file exists');
  assert.equal(state.windows[0]!.icon, path.join(resources, 'icons', 'icon.png'));
  assert.ok(fs.existsSync(state.windows[0]!.icon));
  await host.waitForLine('the built-in runner to be ready', (line) => /Runner ready: ollama llama3\.2/.test(line));

  const entry = path.join(env.HOME!, '.config', 'autostart', 'stigmer-desktop.desktop');
  // Electron flips the checkbox as it is clicked; the file and the app's own menu follow the action.
  await host.clickTray('Start at login');
  await waitFor('the autostart entry', () => fs.existsSync(entry), DESKTOP_WAIT_MS);
  assert.match(fs.readFileSync(entry, 'utf8'), /^Exec=.*--launched-at-login/m);
  await host.waitForTray('Start at login to be checked', (menu) => menu.find((item) => item.label === 'Start at login')?.checked);
  await host.clickTray('Start at login');
  await waitFor('the autostart entry to go', () => !fs.existsSync(entry), DESKTOP_WAIT_MS);
  await host.waitForTray('Start at login to be unchecked', (menu) => menu.find((item) => item.label === 'Start at login')?.checked === false);

  assert.deepEqual(await host.quit(), { code: 0, signal: null });
  assert.deepEqual(host.violations(), []);
});

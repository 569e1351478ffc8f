/**
 * The desktop window end to end: the built app under the Electron double, its window a real
 * Chromium page loaded through the app's `app://` handler, talking to main over the real preload
 * and ipc-bridge.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { DEADLINE } from '../support/ui-e2e.ts';
import { Scope, hostEnv, setUpProfile } from '../support/e2e-host.ts';
import { startDesktopHost } from '../support/desktop-host.ts';

test('the window shows the state (Overview) from main and changes a setting through IPC', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
  });
  const started = performance.now();
  const host = await startDesktopHost(scope, ['--user-data-dir', userDataDir], hostEnv(scope, { ollamaHost: `127.0.0.1:${ollama.port}` }));
  const page = await host.page();
  const state = await host.state();
  assert.equal(state.windows[0]?.url, 'app://renderer/index.html');
  assert.equal(state.windows[0]?.origin, 'app://renderer');
  await page.getByRole('heading', { name: 'Overview' }).waitFor(DEADLINE);
  t.diagnostic(`start → Overview shown: ${Math.round(performance.now() - started)} ms`);
  assert.deepEqual(host.violations(), []);
});

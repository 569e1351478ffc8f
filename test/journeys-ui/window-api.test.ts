/**
 * What the desktop window's page is handed through the preload, seen from the page: the built app
 * under the Electron double, whose contextBridge copies what a bridged function returns as
 * Electron's does (functions proxied, objects and arrays copied with theirs).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { startDesktopHost } from '../support/desktop-host.ts';
import { Scope, hostEnv, setUpProfile } from '../support/e2e-host.ts';

test('unsubscribing from an event hands the page nothing back: no copy of ipcRenderer, whose invoke and send would reach any channel', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const userDataDir = setUpProfile(scope, (settings) => void (settings.provider = 'ollama'));
  const host = await startDesktopHost(scope, ['--user-data-dir', userDataDir], hostEnv(scope, { ollamaHost: `127.0.0.1:${ollama.port}` }));
  const page = await host.page(60_000);
  const handedBack = await page.evaluate(async () => {
    const api = (window as unknown as { stigmer: { on(event: string, listener: () => void): () => unknown } }).stigmer;
    const value = await api.on('state', () => {})();
    return value === undefined ? 'nothing' : Object.keys(value as object).sort();
  });
  assert.equal(handedBack, 'nothing', `the page got an object with ${JSON.stringify(handedBack)}`);
});

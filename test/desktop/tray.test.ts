/**
 * The tray of the desktop app under the Electron double: every item does what it says, a
 * disabled item says why, closing the window keeps the app in the tray, and Quit ends everything.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { freePort } from '../ollama/support.ts';
import { Scope, hostEnv, isGone, readPidFile, setUpProfile, waitFor } from '../support/e2e-host.ts';
import { DESKTOP_WAIT_MS, startDesktopHost } from '../support/desktop-host.ts';

const KEY = 'sk-ant-api03-DesktopTRAYtest-q7Xw2Lp9Vn4Rt6Ys8Zu1Mb3Kc5Jd0Hf-9kQ2';

test('the tray: model submenu, runner start/stop/restart, switching provider, open window after close-to-tray, Quit', async (t) => {
  const scope = new Scope(t);
  const anthropic = await startFakeAnthropic({ validKeys: [KEY] });
  scope.defer(() => anthropic.close());
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
    settings.providers.anthropic.baseUrl = anthropic.url;
  });
  const port = await freePort();
  // Nothing answers on the port: the app starts Ollama (the double's `ollama serve`) itself.
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2', 'qwen2.5:0.5b'] }, extra: { ANTHROPIC_API_KEY: KEY } });
  const host = await startDesktopHost(scope, ['--user-data-dir', userDataDir], env);
  const status = (prefix: string) => host.waitForTray(`the tray to say "${prefix}"`, (menu) => menu[0]?.label.startsWith(prefix) && menu);

  let menu = await status('Runner: running · Ollama: running (managed)');
  const ollamaPid = readPidFile(userDataDir, 'ollama.pid');
  assert.ok(ollamaPid !== undefined, 'the app started Ollama');

  // Disabled items say why, in their own label; the status line is not a button.
  assert.equal((await host.trayItem('Runner:', menu))?.enabled, false);
  assert.equal((await host.trayItem('Start runner', menu))?.enabled, false, 'the runner already runs');
  assert.equal((await host.trayItem('OpenAI', menu))?.label, 'OpenAI — no API key');
  assert.equal((await host.trayItem('OpenAI', menu))?.enabled, false);
  await assert.rejects(host.clickTray('OpenAI — no API key'), /disabled/);

  // The model submenu lists what Ollama has; picking one makes it the model.
  const models = (await host.trayItem('Model: llama3.2', menu))?.submenu?.map((item) => [item.label, item.checked]);
  assert.deepEqual(models, [
    ['llama3.2:latest', true],
    ['qwen2.5:0.5b', false],
  ]);
  await host.clickTray('Model: llama3.2', 'qwen2.5:0.5b');
  menu = await host.waitForTray('the model to change', (current) => current.some((item) => item.label === 'Model: qwen2.5:0.5b') && current);

  // Stop, start and restart the runner.
  await status('Runner: running');
  const firstRunner = readPidFile(userDataDir, 'runner.pid')!;
  await host.clickTray('Stop runner');
  await status('Runner: stopped');
  await waitFor('the runner to end', () => isGone(firstRunner), DESKTOP_WAIT_MS);
  await host.clickTray('Start runner');
  await status('Runner: running');
  const secondRunner = readPidFile(userDataDir, 'runner.pid')!;
  assert.notEqual(secondRunner, firstRunner);
  await host.clickTray('Restart runner');
  await waitFor('a new runner', () => readPidFile(userDataDir, 'runner.pid') !== secondRunner && isGone(secondRunner), DESKTOP_WAIT_MS);
  await status('Runner: running');

  // Switching provider from the tray: Anthropic has a key (from the environment), so it can be chosen.
  await host.clickTray('Anthropic');
  await host.waitForState('the provider to be Anthropic', (state) => state.trays[0]?.toolTip.includes('Anthropic'));
  await host.clickTray('Ollama');
  await host.waitForState('the provider to be Ollama again', (state) => state.trays[0]?.toolTip.includes('Ollama'));

  // Closing the window keeps the app in the tray; Open window brings it back.
  await host.page();
  await host.closeWindow();
  const hidden = await host.state();
  assert.equal(hidden.windows.length, 1, 'the window is hidden, not destroyed');
  assert.equal(hidden.windows[0]?.visible, false);
  assert.equal(host.running, true);
  await host.clickTray('Open window');
  await host.waitForState('the window to show', (state) => state.windows[0]?.visible && state.windows[0].focused);

  // Quit stops the runner and the Ollama the app started, exits 0 in time, and leaves no process.
  await status('Runner: running');
  const pids = host.pids();
  assert.ok(pids.length >= 4, `the app, its Chromium, the runner and Ollama: ${pids.join(' ')}`);
  const quitAt = performance.now();
  assert.deepEqual(await host.quit(), { code: 0, signal: null });
  t.diagnostic(`Quit → exit: ${Math.round(performance.now() - quitAt)} ms`);
  await waitFor('every process of the app to end', () => pids.every(isGone), DESKTOP_WAIT_MS);
  assert.ok(isGone(ollamaPid));
  assert.deepEqual(host.violations(), []);
});

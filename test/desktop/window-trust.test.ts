/**
 * Which frames may send commands and where the window may go: the real ipc-bridge.ts and
 * main-window.ts, run in this process under the Electron double (windows without pages: this is
 * main-side logic). Node's `URL` calls every `app://` URL opaque; Electron's frames do not.
 */
import '../doubles/electron/register.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOUBLE_ENV } from '../doubles/electron/options.ts';
import { WebFrameMain } from '../doubles/electron/frames.ts';

process.env[DOUBLE_ENV.browser] = '0';
const electron = await import('../doubles/electron/index.ts');
const { APP_STANDARD_SCHEMES, RENDERER_ORIGIN, RENDERER_URL, registerAppScheme } = await import('../../src/main/electron/app-protocol.ts');
const { chromiumOrigin } = await import('../../src/main/electron/origins.ts');
registerAppScheme();
electron.app.markReady();
const { createMainWindow } = await import('../../src/main/electron/main-window.ts');
const { installIpcBridge } = await import('../../src/main/electron/ipc-bridge.ts');
const { IPC_CHANNELS } = await import('../../src/shared/ipc-channels.ts');

// Without a page, loadURL only records where the window is.
const appWindow = createMainWindow({ preloadPath: '', url: RENDERER_URL }) as unknown as InstanceType<typeof electron.BrowserWindow>;
const handled: string[] = [];
installIpcBridge({
  getWindow: () => appWindow as never,
  allowedOrigin: RENDERER_ORIGIN,
  handleCommand: async (command) => {
    handled.push(command);
    return { ok: true };
  },
  subscribe: () => () => {},
  onContractViolation: () => {},
});

/** `ollama:start` sent from a frame, as the preload's `ipcRenderer.invoke` would. */
const sendFrom = (sender: unknown, senderFrame: unknown) =>
  electron.ipcMain.invokeFromRenderer({ sender, senderFrame, processId: 1, frameId: 1 }, IPC_CHANNELS.invoke, ['ollama:start', {}]) as Promise<{ ok: boolean }>;

/** The app window after its main frame went to `url` (without the guards, as a page could by itself). */
async function fromAppWindowAt(url: string): Promise<{ ok: boolean }> {
  const previous = appWindow.webContents.url;
  appWindow.webContents.url = url;
  try {
    return await sendFrom(appWindow.webContents, appWindow.webContents.mainFrame);
  } finally {
    appWindow.webContents.url = previous;
  }
}

test("Node's URL gives app:// an opaque origin, which is why the checks use Chromium's", () => {
  assert.equal(new URL(RENDERER_URL).origin, 'null');
  assert.equal(appWindow.webContents.mainFrame.origin, 'app://renderer');
  assert.equal(chromiumOrigin('app://Renderer:8080/x', APP_STANDARD_SCHEMES), 'app://renderer:8080');
  for (const opaque of ['file:///etc/passwd', 'data:text/html,hi', 'evil://renderer/index.html', 'app:///index.html', 'not a url']) {
    assert.equal(chromiumOrigin(opaque, APP_STANDARD_SCHEMES), 'null', opaque);
  }
});

test("commands are accepted from the app window's main frame on the app origin", async () => {
  handled.length = 0;
  assert.deepEqual(await sendFrom(appWindow.webContents, appWindow.webContents.mainFrame), { ok: true, value: { ok: true } });
  assert.deepEqual(handled, ['ollama:start']);
});

test('commands are refused from a second webContents, a subframe, and the window on file:, data: or another scheme', async () => {
  handled.length = 0;
  const other = new electron.BrowserWindow({ show: false });
  await other.loadURL(RENDERER_URL);
  const subframe = new WebFrameMain(() => RENDERER_URL, appWindow.webContents.mainFrame);
  const refusals = {
    'second webContents': await sendFrom(other.webContents, other.webContents.mainFrame),
    subframe: await sendFrom(appWindow.webContents, subframe),
    'file: page': await fromAppWindowAt('file:///tmp/index.html'),
    'data: URL': await fromAppWindowAt('data:text/html,<script>stigmer.invoke()</script>'),
    'other custom scheme': await fromAppWindowAt('evil://renderer/index.html'),
    'other app host': await fromAppWindowAt('app://elsewhere/index.html'),
  };
  for (const [from, reply] of Object.entries(refusals)) {
    assert.deepEqual(reply, { ok: false, error: { message: 'Refused: the command did not come from the app window.' } }, from);
  }
  assert.deepEqual(handled, [], 'nothing reached the core');
  other.destroy();
});

test('navigation and redirects stay on the app origin', () => {
  const contents = appWindow.webContents;
  for (const kind of ['will-navigate', 'will-redirect'] as const) {
    assert.equal(contents.navigationAllowed(kind, 'app://renderer/index.html#/models'), true, `${kind} within the app`);
    for (const away of [
      'file:///tmp/index.html',
      'data:text/html,hi',
      'evil://renderer/index.html',
      'app://elsewhere/',
      'https://ollama.com/download',
      'http://127.0.0.1:8080/',
    ]) {
      assert.equal(contents.navigationAllowed(kind, away), false, `${kind} to ${away}`);
    }
  }
});

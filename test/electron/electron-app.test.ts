import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { _electron, type ElectronApplication } from 'playwright-core';
import { REPO_ROOT, cleanEnv, tempDir } from '../support/headless.ts';

/** Where the `electron` package keeps the path of its downloaded binary, if it was ever downloaded. */
function electronBinary(): string | undefined {
  const pathFile = path.join(REPO_ROOT, 'node_modules/electron/path.txt');
  if (!fs.existsSync(pathFile)) return undefined;
  const binary = path.join(REPO_ROOT, 'node_modules/electron/dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const skipReason = binary
  ? false
  : 'SKIPPED: no Electron binary in node_modules/electron (it cannot be downloaded in this environment); run `npx install-electron` on a machine with network access to run this test';
if (skipReason) process.stdout.write(`# Electron end-to-end test ${skipReason}\n`);

test('the desktop app opens a sandboxed window on the app:// origin, shows the configuration and quits cleanly', { skip: skipReason }, async (t) => {
  const userDataDir = tempDir(t);
  await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
  });
  const app: ElectronApplication = await _electron.launch({
    executablePath: binary!,
    args: [REPO_ROOT, '--user-data-dir', userDataDir, '--llm-provider=ollama', '--no-sandbox'],
    env: cleanEnv({ DISPLAY: process.env.DISPLAY ?? ':99' }) as Record<string, string>,
  });
  t.after(() => app.close().catch(() => {}));
  const window = await app.firstWindow();
  assert.match(window.url(), /^app:\/\/renderer\//);
  const exposed = await window.evaluate(() => ({
    bridge: Object.keys((window as unknown as { stigmer: object }).stigmer).sort(),
    node: typeof (globalThis as { require?: unknown }).require,
  }));
  assert.deepEqual(exposed, { bridge: ['invoke', 'on'], node: 'undefined' });
  await window.getByText('pinned by --llm-provider').first().waitFor({ timeout: 20_000 });
  const opened = await window.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com') === null);
  assert.equal(opened, true, 'window.open is denied');
});

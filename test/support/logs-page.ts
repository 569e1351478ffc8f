/**
 * The headless host's Logs page in Chromium: the host started with `--ui` and a runner of the
 * test's choosing, and screenshots of the page in both colour schemes at 800x600 and at the
 * Electron window's minimum size.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { defaultSettings } from '../../src/shared/settings.ts';
import { freePort } from '../ollama/support.ts';
import { SCREENSHOTS, watchPage, type PageWatch } from './chromium.ts';
import { hostEnv, startHost, type HeadlessHost, type Scope } from './e2e-host.ts';

export { SCREENSHOTS };

/** The Electron window's minimum size (src/main/electron/main-window.ts). */
const MIN_WINDOW = { width: 760, height: 520 };

export interface LogsPage extends PageWatch {
  host: HeadlessHost;
  page: Page;
  /** The Logs page's address with the access token, as printed by the host (a tab's own address bar no longer holds the token). */
  url: string;
  userDataDir: string;
}

/** Starts the host with `runnerCommand` and opens its Logs page once the UI is up. */
export async function openLogsPage(scope: Scope, browser: Browser, runnerCommand: string, extraArgs: readonly string[] = []): Promise<LogsPage> {
  const userDataDir = scope.tempDir();
  fs.writeFileSync(path.join(userDataDir, 'settings.json'), JSON.stringify({ ...defaultSettings(), firstRunCompleted: true }));
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir, '--runner-command', runnerCommand, ...extraArgs], env);
  const ready = await host.waitForLine('the UI to be ready', (line) => line.startsWith('UI ready: open '), 60_000);
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  scope.defer(() => context.close());
  const page = await context.newPage();
  const watch = watchPage(page);
  const url = `${ready.slice('UI ready: open '.length).replace(/#.*$/, '')}#/logs`;
  await page.goto(url);
  return { host, page, url, userDataDir, ...watch };
}

/** Screenshots `name` light and dark, at 800x600 and at the minimum window size; returns the files. */
export async function shootBothSchemes(page: Page, name: string): Promise<string[]> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const files: string[] = [];
  const original = page.viewportSize();
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const [label, size] of [
      ['800x600', { width: 800, height: 600 }],
      ['min', MIN_WINDOW],
    ] as const) {
      await page.setViewportSize(size);
      const file = path.join(SCREENSHOTS, `${name}-${colorScheme}-${label}.png`);
      await page.screenshot({ path: file });
      files.push(file);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (original) await page.setViewportSize(original);
  return files;
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureRendererBuilt } from '../../src/main/headless/renderer-build.ts';
import { CHROMIUM, CHROMIUM_ARGS, isChromiumInstalled } from './chromium-binary.ts';

/**
 * Where the browser tests leave their screenshots to be looked at: the OS temp folder, never the
 * repository (`npm test` prints it). Each run overwrites the last run's files of the same name.
 */
export const SCREENSHOTS = path.join(os.tmpdir(), 'stigmer-test-results', 'screenshots');

/** Launches Debian's Chromium headless, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!isChromiumInstalled()) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}; the browser tests need it. Install it with: sudo apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/**
 * One Chromium for a browser test file: the file's `before` builds the renderer if it is out of
 * date, makes the screenshot folder and launches the browser; its `after` closes it. Returns the
 * browser's getter, for use inside tests.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    await ensureRendererBuilt();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("The browser is launched in the test file's before().");
    return browser;
  };
}

/** What a page received and complained about, gathered while a test drives it. */
export interface PageWatch {
  /** Every WebSocket frame the page received. */
  frames: string[];
  /** Console errors (CSP violations included) and uncaught exceptions. */
  problems: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { frames: [], problems: [] };
  page.on('websocket', (socket) => socket.on('framereceived', (frame) => watch.frames.push(String(frame.payload))));
  page.on('console', (message) => {
    // Chromium notes that a <meta> CSP cannot carry frame-ancestors; the header does.
    if (message.type() === 'error' && !message.text().includes("'frame-ancestors' is ignored")) watch.problems.push(message.text());
  });
  page.on('pageerror', (error) => watch.problems.push(error.message));
  return watch;
}

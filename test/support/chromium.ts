import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: the browser tests never download one of their own. */
export const CHROMIUM = '/usr/bin/chromium';

/** No background traffic: this machine has no network beyond the package registries. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const isChromiumInstalled = (): boolean => fs.existsSync(CHROMIUM);

/** Launches Debian's Chromium headless, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!isChromiumInstalled()) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}; the browser tests need it. Install it with: sudo apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

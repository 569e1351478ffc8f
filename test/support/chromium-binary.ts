import fs from 'node:fs';

/**
 * Which Chromium the tests run and how: the browser tests launch it through playwright, the
 * Electron double spawns it for its windows. Plain constants, so that the double's processes can
 * use them without loading node:test.
 */

/** Debian's Chromium: the browser tests never download one of their own. */
export const CHROMIUM = '/usr/bin/chromium';

/** No background traffic: this machine has no network beyond the package registries. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const isChromiumInstalled = (): boolean => fs.existsSync(CHROMIUM);

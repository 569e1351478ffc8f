/**
 * Screenshots of one screen as the review asks for them: light and dark, at 1280×800, at the
 * desktop window's minimum (760×520) and at 200 % (a 1280×800 window zoomed twice: 640×400 CSS
 * pixels at device scale 2). Each page is brought to its state by `ready`, and must not scroll
 * sideways nor log a console error.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SCREENSHOTS, watchPage } from './chromium.ts';
import type { Scope } from './e2e-host.ts';

export const REVIEW_SIZES = [
  { name: '1280x800', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  { name: '760x520', viewport: { width: 760, height: 520 }, deviceScaleFactor: 1 },
  { name: '200pct', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
] as const;

/** Saves `truthful-<name>-<scheme>-<size>.png` for each scheme and size; returns the paths. */
export async function reviewShots(browser: Browser, scope: Scope, url: string, name: string, ready: (page: Page) => Promise<void>): Promise<string[]> {
  const files: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const size of REVIEW_SIZES) {
      const context = await browser.newContext({ viewport: size.viewport, deviceScaleFactor: size.deviceScaleFactor, colorScheme });
      scope.defer(() => context.close());
      const page = await context.newPage();
      const { problems } = watchPage(page);
      await page.goto(url);
      await ready(page);
      const file = path.join(SCREENSHOTS, `truthful-${name}-${colorScheme}-${size.name}.png`);
      await page.screenshot({ path: file });
      files.push(file);
      assert.deepEqual(problems, [], `no console errors (${colorScheme}, ${size.name})`);
      await context.close();
    }
  }
  return files;
}

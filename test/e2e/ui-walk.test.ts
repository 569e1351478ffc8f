/**
 * The window as a new user walks it, in Chromium through the real headless host (`--ui`) with the
 * Ollama double: the sidebar's status pills stay inside the sidebar while the runner backs off; the
 * tab title follows the screen; no screen inherits the last one's scroll position; and once the
 * WebSocket connection is lost, no screen leaves a button that would send a command pressable.
 * Setup's own walk, over both transports, is in test/journeys-ui/wizard.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { defaultSettings } from '../../src/shared/settings.ts';
import { freePort } from '../ollama/support.ts';
import { useBrowser, watchPage } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, hostEnv, startHost, waitFor, type HeadlessHost } from '../support/e2e-host.ts';
import { DEADLINE, SCREENSHOTS, uiUrl, withRoute } from '../support/ui-e2e.ts';

const CRASHING_RUNNER = path.join(import.meta.dirname, 'fixtures', 'crashing-runner.ts');
/** 800×600, and the Electron window's minimum (src/main/electron/main-window.ts). */
const SIZES = [
  { width: 800, height: 600 },
  { width: 760, height: 520 },
] as const;
const SCREENS = [
  ['overview', 'Overview'],
  ['models', 'Models'],
  ['logs', 'Logs'],
  ['settings', 'Settings'],
  ['playground', 'Playground'],
  ['setup', 'Setup'],
] as const;

const browser = useBrowser();

function profile(scope: Scope, patch: (settings: ReturnType<typeof defaultSettings>) => void): string {
  const dir = scope.tempDir();
  const settings = defaultSettings();
  patch(settings);
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings));
  return dir;
}

async function newPage(scope: Scope, options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}) {
  const context = await browser().newContext({ viewport: options.viewport ?? SIZES[0], colorScheme: options.colorScheme ?? 'light' });
  scope.defer(() => context.close());
  const page = await context.newPage();
  return { page, ...watchPage(page) };
}

/** The controls of the window that would send a command, and are neither disabled nor inside an inert part. */
const pressableCommands = (page: Page): Promise<string[]> =>
  page.evaluate(`[...document.querySelectorAll('button, input, select, textarea, a.button')]
    // The sidebar only moves between screens (and opens the Downloads panel, itself inert).
    .filter((element) => !element.closest('.sidebar') && !element.closest('[inert]') && !element.disabled)
    .map((element) => (element.getAttribute('aria-label') || element.textContent || element.tagName).trim())`);

test('while the runner backs off between crashes, the sidebar pills stay inside the sidebar at the minimum width', async (t) => {
  const scope = new Scope(t);
  const userDataDir = profile(scope, (settings) => {
    settings.firstRunCompleted = true;
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--runner-command', `${process.execPath} ${CRASHING_RUNNER}`, '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  for (const colorScheme of ['light', 'dark'] as const) {
    const { page } = await newPage(scope, { viewport: SIZES[1], colorScheme });
    await page.goto(withRoute(url, '#/logs'));
    // The backoffs last 1, 2, 4 and 8 s; the pill counts down during each.
    const pill = page.locator('.sidebar__status .pill', { hasText: /^Restarting/ });
    await pill.waitFor({ timeout: 60_000 });
    const excess = await page.evaluate(`(() => {
      const sidebar = document.querySelector('.sidebar').getBoundingClientRect();
      return Math.max(...[...document.querySelectorAll('.sidebar__status .pill')].map((pill) => pill.getBoundingClientRect().right - sidebar.right));
    })()`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `walk-backoff-pill-${colorScheme}-760x520.png`) });
    assert.ok(Number(excess) <= 0, `a pill sticks out of the sidebar by ${String(excess)} px`);
  }
  await host.stop();
});

test('the tab title follows the screen, no screen inherits a scroll position, and a lost connection leaves no command pressable on any screen', async (t) => {
  const scope = new Scope(t);
  const userDataDir = profile(scope, (settings) => {
    settings.firstRunCompleted = true;
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const host: HeadlessHost = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const { page } = await newPage(scope, { viewport: SIZES[1] });
  await page.goto(withRoute(url, '#/overview'));
  await page.getByRole('region', { name: 'Configuration' }).waitFor(DEADLINE);
  const scrollTop = () => page.evaluate('document.getElementById("main").scrollTop').then(Number);
  const scrolled: string[] = [];
  for (const [route, title] of SCREENS) {
    await page.getByRole('link', { name: title, exact: true }).click();
    await waitFor(`the title of ${route}`, async () => (await page.title()) === `${title} · Stigmer`, HOST_WAIT_MS);
    assert.equal(await scrollTop(), 0, `${route} starts at its top`);
    // Scrolled down as far as it goes, for the next screen to (not) inherit.
    await page.evaluate('document.getElementById("main").scrollTo(0, 10000)');
    if ((await scrollTop()) > 0) scrolled.push(route);
  }
  // Settings is taller than 520 px whatever has loaded; it was left scrolled for Playground to (not) inherit.
  assert.ok(scrolled.includes('settings'), `a screen taller than the window was scrolled before leaving it (${scrolled.join(', ')})`);

  assert.ok((await pressableCommands(page)).length > 0, 'while connected, setup has buttons to press');

  await host.stop();
  await page.getByText('Connection to Stigmer lost; reconnecting…').waitFor(DEADLINE);
  // The last known "Running" may no longer be true.
  assert.deepEqual(await page.locator('.sidebar__status .pill').allInnerTexts(), ['Unknown', 'Unknown'], 'the sidebar does not claim a state it cannot know');
  for (const [route, title] of SCREENS) {
    await page.getByRole('link', { name: title, exact: true }).click();
    await waitFor(`the title of ${route} while offline`, async () => (await page.title()) === `${title} · Stigmer`, HOST_WAIT_MS);
    assert.deepEqual(await pressableCommands(page), [], `nothing on ${route} can send a command while the connection is lost`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `walk-offline-${route}-760x520.png`) });
  }
});

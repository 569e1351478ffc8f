/**
 * Helpers for driving the real headless host's browser UI in Chromium: its URL, pages that
 * record what they received and complained about, full-screen screenshots, and failures that
 * explain themselves with what the host logged and what each page showed.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SCREENSHOTS, watchPage } from './chromium.ts';
import { startHost, type HeadlessHost, type Scope } from './e2e-host.ts';

export { SCREENSHOTS };
export const DEADLINE = { timeout: 30_000 };

/** The `UI ready` line: text, or JSON with `--log-format json`. */
export async function uiUrl(host: HeadlessHost): Promise<string> {
  const line = await host.waitForLine('the UI to be ready', (text) => text.startsWith('UI ready: open ') || text.includes('"msg":"UI ready"'), 60_000);
  return line.startsWith('{') ? String((JSON.parse(line) as { url: unknown }).url) : line.slice('UI ready: open '.length);
}

export interface Watched {
  page: Page;
  /** Every WebSocket frame the page received. */
  frames: string[];
  /** Console errors and uncaught exceptions. */
  problems: string[];
}

export async function openPage(context: BrowserContext, url: string): Promise<Watched> {
  const page = await context.newPage();
  const { frames, problems } = watchPage(page);
  await page.goto(url);
  return { page, frames, problems };
}

export async function newContext(
  browser: Browser,
  scope: Scope,
  options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 860 }, colorScheme: options.colorScheme ?? 'light' });
  scope.defer(() => context.close());
  return context;
}

/**
 * The real headless host with `--ui` on a profile, its UI's URL once ready, and a Chromium page
 * (1280×800 unless told) that has not opened it yet: a test opens it inside `explained`.
 */
export async function startUi(
  browser: Browser,
  scope: Scope,
  { userDataDir, env, viewport = { width: 1280, height: 800 } }: { userDataDir: string; env: NodeJS.ProcessEnv; viewport?: { width: number; height: number } },
): Promise<{ host: HeadlessHost; url: string; page: Page }> {
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const page = await (await newContext(browser, scope, { viewport })).newPage();
  return { host, url, page };
}

/** Saves the whole screen: the window grows to the main area's content, then shrinks back. */
export async function shot(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 860 };
  const contentHeight = Number(await page.evaluate('document.querySelector("main")?.scrollHeight ?? 0'));
  if (contentHeight > viewport.height) await page.setViewportSize({ width: viewport.width, height: contentHeight });
  await page.screenshot({ path: path.join(SCREENSHOTS, `e2e-${name}.png`) });
  await page.setViewportSize(viewport);
}

/** Adds what the host logged and what each page showed to a failure, so a failed run explains itself. */
export async function explained(host: HeadlessHost, pages: readonly Page[], body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const shown = await Promise.all(
      pages.map(
        async (page) =>
          `${page.url()}\n${await page
            .locator('body')
            .innerText({ timeout: 2000 })
            .catch(() => '(unreadable)')}`,
      ),
    );
    const message = error instanceof Error ? error.message : String(error);
    const hostState = host.running ? 'running' : 'exited';
    throw new Error(
      `${message}\n--- pages ---\n${shown.join('\n---\n')}\n--- host (${hostState}) stdout, last 80 lines ---\n${host.lines().slice(-80).join('\n')}\n--- host stderr ---\n${host.stderr}`,
      { cause: error },
    );
  }
}

export const withRoute = (url: string, route: string) => `${url.replace(/#.*$/, '')}${route}`;

/** The primary buttons of the setup step on screen, by name: a step has one. */
export const primaries = (page: Page) => page.locator('.wizard__panel .button--primary').allInnerTexts();

/**
 * Problems with their fix as a button, and a key saved offline, in Chromium through the real
 * headless host (`--ui`) with the Ollama double; screenshots in light and dark, at 800×600 and
 * at the desktop window's minimum size.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { freePort } from '../ollama/support.ts';
import { SCREENSHOTS, useBrowser, watchPage } from '../support/chromium.ts';
import { Scope, setUpProfile, hostEnv, startHost, type HeadlessHost } from '../support/e2e-host.ts';

const DEADLINE = { timeout: 30_000 };
/** 800×600, and the Electron window's minimum (src/main/electron/main-window.ts). */
const SIZES = [
  { width: 800, height: 600 },
  { width: 760, height: 520 },
] as const;

const browser = useBrowser();

async function uiUrl(host: HeadlessHost): Promise<string> {
  const line = await host.waitForLine('the UI to be ready', (text) => text.startsWith('UI ready: open '), 60_000);
  return line.slice('UI ready: open '.length);
}

/** Opens a route in light and dark at each size, saves a screenshot of each, and hands back the first page. */
async function shots(scope: Scope, url: string, route: string, name: string, ready: (page: Page) => Promise<void>): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of SIZES) {
      const context = await browser().newContext({ viewport, colorScheme });
      scope.defer(() => context.close());
      const page = await context.newPage();
      const { problems } = watchPage(page);
      await page.goto(url.replace(/#.*$/, '') + route);
      await ready(page);
      const file = `problems-${name}-${colorScheme}-${viewport.width}x${viewport.height}`;
      await page.screenshot({ path: path.join(SCREENSHOTS, `${file}.png`) });
      // And the whole screen: the window grows to the main area's content.
      const contentHeight = Number(await page.evaluate('document.querySelector("main")?.scrollHeight ?? 0'));
      if (contentHeight > viewport.height) await page.setViewportSize({ width: viewport.width, height: contentHeight });
      await page.screenshot({ path: path.join(SCREENSHOTS, `${file}-full.png`) });
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.equal(overflow, 0, `no sideways scrolling at ${viewport.width} px (${colorScheme})`);
      assert.deepEqual(problems, [], 'no console errors');
      await context.close();
    }
  }
}

/**
 * The wizard is offered while setup is needed; the user chooses to look around first. "Set up
 * later" is remembered by main, so a page opened after that goes straight to the screen.
 */
async function setUpLater(page: Page): Promise<void> {
  const later = page.getByRole('button', { name: 'Set up later' });
  await later
    .or(page.getByRole('heading', { name: 'Overview', level: 1 }))
    .first()
    .waitFor(DEADLINE);
  if (await later.isVisible()) await later.click(DEADLINE);
}

test('a missing model is shown once, on the banner, with "Pull (2.0 GB)"; pulling it clears the banner', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${await freePort()}`,
    fakeOllama: { models: [], registry: { 'llama3.2:latest': [2_019_377_376, 1_429] }, pullIntervalMs: 40, pullStepsPerLayer: 20 },
  });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const toOverview = async (page: Page) => {
    await setUpLater(page);
    await page.getByRole('list', { name: 'Problems' }).getByText('llama3.2 is not installed.').waitFor(DEADLINE);
  };
  await shots(scope, url, '#/overview', 'model-missing', toOverview);

  const context = await browser().newContext({ viewport: SIZES[0] });
  scope.defer(() => context.close());
  const page = await context.newPage();
  await page.goto(url);
  await toOverview(page);
  assert.equal(await page.getByText(/llama3\.2 is not installed/).count(), 1, 'the problem is shown once');
  await page.getByRole('list', { name: 'Problems' }).getByRole('button', { name: 'Pull (2.0 GB)' }).click();
  await page
    .getByRole('list', { name: 'Problems' })
    .getByText(/llama3\.2 is downloading/)
    .waitFor(DEADLINE);
  await page.getByRole('list', { name: 'Problems' }).waitFor({ ...DEADLINE, state: 'detached' });
  await page.getByRole('region', { name: 'Ollama' }).getByText('llama3.2:latest').waitFor(DEADLINE);
  await host.stop();
});

test('a key saved while the provider is down says "not verified yet" in the key editor and the overview', async (t) => {
  const scope = new Scope(t);
  const downPort = await freePort();
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
    settings.providers.anthropic.baseUrl = `http://127.0.0.1:${downPort}`;
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const context = await browser().newContext({ viewport: SIZES[0] });
  scope.defer(() => context.close());
  const page = await context.newPage();
  await page.goto(url.replace(/#.*$/, '') + '#/settings');
  await page.getByLabel('Anthropic API key', { exact: true }).fill(FAKE_ANTHROPIC_KEY);
  await page.getByRole('button', { name: 'Validate & save' }).first().click();
  await page.getByText(/^Saved, not verified yet: Cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/).waitFor(DEADLINE);
  await page.getByText('Not verified yet').first().waitFor(DEADLINE);
  await host.waitForLine('the warning', (line) => line.includes('Anthropic key saved without a check'));
  await shots(scope, url, '#/settings', 'key-unverified', (shown) => shown.getByText('Not verified yet').first().waitFor(DEADLINE));
  await shots(scope, url, '#/overview', 'overview-key-unverified', (shown) =>
    shown.getByRole('region', { name: 'API keys' }).getByText('Not verified yet').waitFor(DEADLINE),
  );

  // The provider is back: Test verifies the key, and the page stops saying it is not verified.
  const anthropic = await startFakeAnthropic({ validKeys: [FAKE_ANTHROPIC_KEY], port: downPort });
  scope.defer(() => anthropic.close());
  await page.getByRole('button', { name: 'Test' }).first().click();
  await page.getByText('Verified', { exact: true }).first().waitFor(DEADLINE);
  await page.getByText(/^Saved, not verified yet/).waitFor({ ...DEADLINE, state: 'detached' });
  assert.equal(await page.getByText('Not verified yet').count(), 0);
  await host.stop();
});

test('no Ollama: the banner offers Download Ollama, Check again and Use a cloud provider', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => void (settings.provider = 'ollama'));
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}` });
  // No `ollama` anywhere on PATH: only this Node and the system's tools.
  env.PATH = [path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter);
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  await shots(scope, url, '#/overview', 'ollama-missing', async (page) => {
    await setUpLater(page);
    const banner = page.getByRole('list', { name: 'Problems' });
    await banner.getByText('Ollama is not installed.').waitFor(DEADLINE);
    assert.deepEqual(await banner.locator('a, button').allInnerTexts(), ['Download Ollama', 'Check again', 'Use a cloud provider']);
    assert.equal(await banner.getByRole('link', { name: 'Download Ollama' }).getAttribute('href'), 'https://ollama.com/download');
  });
  await host.stop();
});

test('an invalid environment value names the variable, says it overrides the app and how to unset it', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope);
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, extra: { LLM_PROVIDER: 'olama' } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  await shots(scope, url, '#/overview', 'env-invalid', async (page) => {
    await setUpLater(page);
    const problem = page.getByRole('list', { name: 'Problems' }).getByRole('alert').filter({ hasText: 'LLM_PROVIDER' });
    await problem.getByText(/LLM_PROVIDER="olama" is not one of anthropic, openai, ollama/).waitFor(DEADLINE);
    const text = await problem.innerText();
    assert.match(text, /LLM_PROVIDER is set in the environment the app was started from, and it overrides the app's own settings/);
    assert.equal(await problem.locator('code').innerText(), 'unset LLM_PROVIDER');
    assert.doesNotMatch(text, /Settings/, 'the Settings screen cannot change it, so it is not offered');
  });
  await host.stop();
});

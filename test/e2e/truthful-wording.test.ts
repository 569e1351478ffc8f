/**
 * Issue 22 §7–9 walked in Chromium through the real headless host (`--ui`): no "No ollama binary
 * found yet" while an Ollama answers, a cloud key saved offline is said to be unverified through
 * setup's review and last step, and a provider choice's reason reads and is coloured for what it
 * is (a pin is information, the provider in use that cannot work is an error).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { FAKE_ANTHROPIC_KEY } from '../doubles/cloud/anthropic.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { seriousViolations } from '../support/axe.ts';
import { useBrowser } from '../support/chromium.ts';
import { Scope, hostEnv, setUpProfile, startHost } from '../support/e2e-host.ts';
import { reviewShots } from '../support/truthful-shots.ts';
import { DEADLINE, explained, primaries, startUi, uiUrl, withRoute } from '../support/ui-e2e.ts';

const browser = useBrowser();

/** A PATH with this Node and the system's tools but no `ollama` (the machine has none). */
const PATH_WITHOUT_OLLAMA = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);

/** The colour a CSS variable of the theme resolves to, as computed colours read. */
const themeColour = (page: Page, variable: string) =>
  page.evaluate((name) => {
    const probe = document.createElement('span');
    probe.style.color = `var(${name})`;
    document.body.append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  }, variable);
const colourOf = (element: Locator) => element.evaluate((node) => getComputedStyle(node).color);

test('an Ollama that answers with no binary on this machine: Settings says none is needed, never "No ollama binary found yet"', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const userDataDir = setUpProfile(scope, (settings) => void (settings.provider = 'ollama'));
  const env = { ...hostEnv(scope, { ollamaHost: `127.0.0.1:${ollama.port}` }), PATH: PATH_WITHOUT_OLLAMA };
  const { host, url: home, page } = await startUi(browser(), scope, { userDataDir, env });
  const url = withRoute(home, '#/settings');
  const told = async (page: Page) => {
    await page
      .getByRole('region', { name: 'Ollama binary' })
      .getByText(`No ollama binary on this machine; none is needed while Ollama answers at http://127.0.0.1:${ollama.port} (external).`)
      .waitFor(DEADLINE);
  };
  await explained(host, [page], async () => {
    await page.goto(url);
    await told(page);
    assert.equal(await page.getByText('No ollama binary found yet').count(), 0);
  });
  await reviewShots(browser(), scope, url, 'no-binary-ollama-answers', async (shown) => {
    await told(shown);
    await shown.getByRole('region', { name: 'Ollama binary' }).scrollIntoViewIfNeeded();
  });
  await host.stop();
});

test('a cloud key saved offline in setup: the review and the last step say it is not verified yet and what happens', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.firstRunCompleted = false;
    settings.provider = 'anthropic';
  });
  // Nothing answers at the Anthropic endpoint: the key cannot be checked.
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, extra: { ANTHROPIC_BASE_URL: `http://127.0.0.1:${await freePort()}` } });
  const { host, url, page } = await startUi(browser(), scope, { userDataDir, env });
  await explained(host, [page], async () => {
    await page.goto(url);
    await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByRole('heading', { name: 'Choose a provider' }).waitFor(DEADLINE);
    assert.equal(await page.getByRole('radio', { name: /Anthropic/ }).isChecked(), true);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByRole('heading', { name: 'Add your Anthropic API key' }).waitFor(DEADLINE);
    await page.getByRole('textbox', { name: 'Anthropic API key' }).fill(FAKE_ANTHROPIC_KEY);
    await page.getByRole('button', { name: 'Validate & save' }).click();
    await page.getByText(/^Saved, not verified yet:/).waitFor(DEADLINE);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();

    await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
    const review = page.locator('.wizard__body');
    await review.getByText('The Anthropic key is not verified yet.').waitFor(DEADLINE);
    assert.match(await review.innerText(), /The runner starts with it as it is; if Anthropic rejects it, the runner cannot answer/);
    assert.deepEqual(await primaries(page), ['Looks good'], 'a key not verified yet does not hold setup: Check now is secondary');
    assert.deepEqual(await seriousViolations(page), []);
    await page.getByRole('button', { name: 'Looks good' }).click();
    await page.getByRole('heading', { name: 'Start the runner' }).waitFor(DEADLINE);
    await page.locator('.wizard__body').getByText('The Anthropic key is not verified yet.').waitFor(DEADLINE);
  });
  // The review as each size shows it: the key is held, so setup walks there with Continue.
  await reviewShots(browser(), scope, url, 'offline-key-review', async (shown) => {
    for (const heading of ['Detect Ollama', 'Choose a provider', 'Add your Anthropic API key']) {
      await shown.getByRole('heading', { name: heading }).waitFor(DEADLINE);
      await shown.getByRole('button', { name: 'Continue', exact: true }).click(DEADLINE);
    }
    const notice = shown.locator('.wizard__body').getByText('The Anthropic key is not verified yet.');
    await notice.waitFor(DEADLINE);
    await notice.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    assert.deepEqual(await seriousViolations(shown), []);
  });
  await host.stop();
});

test('provider reasons: "In use, pinned by LLM_PROVIDER" in the muted colour; "In use, but Ollama not installed" in the error colour', async (t) => {
  const scope = new Scope(t);
  // Pinned, with Ollama answering: the pin is information.
  const pinnedProfile = setUpProfile(scope, (settings) => void (settings.provider = 'ollama'));
  const pinnedEnv = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] }, extra: { LLM_PROVIDER: 'ollama' } });
  const pinned = startHost(scope, ['--ui', '--user-data-dir', pinnedProfile], pinnedEnv);
  // Chosen in Settings, with no Ollama on this machine: the provider in use cannot work.
  const absentProfile = setUpProfile(scope, (settings) => void (settings.provider = 'ollama'));
  const absentEnv = { ...hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}` }), PATH: PATH_WITHOUT_OLLAMA };
  const absent = startHost(scope, ['--ui', '--user-data-dir', absentProfile], absentEnv);

  const reason = (page: Page) => page.getByRole('region', { name: 'Provider' }).locator('.choice--checked .choice__reason');
  const showPinned = async (page: Page) => {
    await reason(page).getByText('In use, pinned by LLM_PROVIDER').waitFor(DEADLINE);
  };
  const showAbsent = async (page: Page) => {
    await reason(page).getByText('In use, but Ollama not installed').waitFor(DEADLINE);
  };
  const pinnedUrl = withRoute(await uiUrl(pinned), '#/settings');
  const absentUrl = withRoute(await uiUrl(absent), '#/settings');
  // With no Ollama, setup opens by itself: the user looks around first, as the Overview lets them.
  const deferring = await browser().newContext({ viewport: { width: 1280, height: 800 } });
  scope.defer(() => deferring.close());
  const first = await deferring.newPage();
  await explained(absent, [first], async () => {
    await first.goto(absentUrl);
    await first.getByRole('button', { name: 'Set up later' }).click(DEADLINE);
    await first.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(DEADLINE);
  });
  await deferring.close();
  for (const colorScheme of ['light', 'dark'] as const) {
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
    scope.defer(() => context.close());
    const page = await context.newPage();
    await explained(pinned, [page], async () => {
      await page.goto(pinnedUrl);
      await showPinned(page);
      assert.equal(await colourOf(reason(page)), await themeColour(page, '--muted'), `a pin reads as information (${colorScheme})`);
      assert.notEqual(await colourOf(reason(page)), await themeColour(page, '--working'));
    });
    await explained(absent, [page], async () => {
      await page.goto(absentUrl);
      await showAbsent(page);
      assert.equal(await colourOf(reason(page)), await themeColour(page, '--error'), `the provider in use cannot work: an error (${colorScheme})`);
      assert.deepEqual(await seriousViolations(page), []);
    });
    await context.close();
  }
  await reviewShots(browser(), scope, pinnedUrl, 'provider-pinned', showPinned);
  await reviewShots(browser(), scope, absentUrl, 'provider-not-installed', showAbsent);
  await pinned.stop();
  await absent.stop();
});

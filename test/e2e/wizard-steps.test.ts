/**
 * Setup's step list and last step (issue 22 §18), in Chromium through the real headless host
 * (`--ui`) with the Ollama double: each step's name in the list is its heading, every name stays
 * readable at the window's minimum size and at 200 %, and the last step has one primary button at
 * a time: Start runner, then Send a first prompt, then Finish.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort } from '../ollama/support.ts';
import { seriousViolations } from '../support/axe.ts';
import { useBrowser } from '../support/chromium.ts';
import { Scope, hostEnv, setUpProfile } from '../support/e2e-host.ts';
import { reviewShots } from '../support/truthful-shots.ts';
import { DEADLINE, SCREENSHOTS, explained, primaries, startUi } from '../support/ui-e2e.ts';

const browser = useBrowser();

const STEPS = ['Detect Ollama', 'Choose a provider', 'Choose a model', 'Review', 'Start the runner'];

/** The step the list marks as current, and the heading of the panel. */
async function where(page: Page): Promise<{ current: string; heading: string }> {
  const current = await page.getByRole('list', { name: 'Setup steps' }).locator('[aria-current="step"] .stepper__title').innerText();
  const heading = await page.locator('#wizard-title').innerText();
  return { current, heading };
}

/** From the first step to the last with the choices already made. */
async function walkToLastStep(page: Page, check?: (index: number) => Promise<void>): Promise<void> {
  for (const [index, forward] of ['Continue', 'Continue', 'Continue', 'Looks good', null].entries()) {
    await page.getByRole('heading', { name: STEPS[index]! }).waitFor(DEADLINE);
    await check?.(index);
    if (forward) await page.getByRole('button', { name: forward, exact: true }).click(DEADLINE);
  }
}

test('setup: the step list names each step as its heading does, readable at every size; the last step has one primary button at a time', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.firstRunCompleted = false;
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const { host, url, page } = await startUi(browser(), scope, { userDataDir, env, viewport: { width: 760, height: 520 } });
  await explained(host, [page], async () => {
    await page.goto(url);
    await walkToLastStep(page, async (index) => {
      const { current, heading } = await where(page);
      assert.equal(current, heading, `step ${index + 1}: the list names the step as its heading does`);
      if (index === 3) assert.deepEqual(await primaries(page), ['Looks good'], 'nothing to fix: going on is the one thing to do');
      // At the minimum size every step keeps its name, not only the current one.
      const titles = page.getByRole('list', { name: 'Setup steps' }).locator('.stepper__title');
      for (const title of await titles.all()) assert.ok(await title.isVisible(), `${await title.innerText()} shown at 760×520`);
      assert.deepEqual(
        (await titles.allInnerTexts()).map((text) => text.replace(/\s*\(skipped.*\)$/, '')),
        STEPS,
      );
    });

    assert.deepEqual(await primaries(page), ['Start runner'], 'the runner waits for setup: starting it is the one thing to do');
    assert.equal(await page.getByRole('button', { name: 'Finish' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Start runner' }).click();
    await page.getByRole('button', { name: 'Send a first prompt' }).waitFor(DEADLINE);
    assert.deepEqual(await primaries(page), ['Send a first prompt'], 'then asking it something');
    assert.equal(await page.getByRole('button', { name: 'Finish' }).isEnabled(), true, 'Finish stays offered, as a secondary button');
  });

  // The last step with its list, light and dark, at each size (each page walks there on its own).
  await reviewShots(browser(), scope, url, 'wizard-last-step', async (shown) => {
    await walkToLastStep(shown);
    await shown.getByRole('button', { name: 'Send a first prompt' }).waitFor(DEADLINE);
    assert.deepEqual(await primaries(shown), ['Send a first prompt']);
    assert.deepEqual(await seriousViolations(shown), [], 'axe-core on the last step');
  });

  await explained(host, [page], async () => {
    await page.getByRole('button', { name: 'Send a first prompt' }).click();
    await page.getByTestId('first-answer').getByText('Hello from the fake Ollama.').waitFor(DEADLINE);
    await page.locator('.first-answer .stats').waitFor(DEADLINE);
    assert.deepEqual(await primaries(page), ['Finish'], 'answered: Finish is the one thing left');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'truthful-wizard-answered-light-760x520.png') });
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(DEADLINE);
  });
  await host.stop();
});

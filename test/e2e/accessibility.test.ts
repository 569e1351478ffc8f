/**
 * Accessibility through the real headless host (`--ui`) with the Ollama double, in Chromium:
 * axe-core on every screen and state in light and dark, focus and Escape after actions, and the
 * window at 200 % zoom (issue 22 §13–§17). Screenshots go to the tests' SCREENSHOTS folder.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { freePort } from '../ollama/support.ts';
import { seriousViolations, type AxeViolation } from '../support/axe.ts';
import { useBrowser } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, hostEnv, setUpProfile, startHost, waitFor } from '../support/e2e-host.ts';
import { DEADLINE, SCREENSHOTS, explained, newContext, openPage, uiUrl, withRoute } from '../support/ui-e2e.ts';

/** Slow pulls: a download stays in progress for the whole walk. */
const REGISTRY = {
  'qwen2.5:0.5b': [397_807_936, 6_929],
  'llama3.2:1b': [1_321_098_329, 1_429],
  'gemma3:4b': [3_338_801_804, 7_711],
};
const SLOW_PULL = { pullIntervalMs: 200, pullStepsPerLayer: 2_000 };

const browser = useBrowser();

/** A host past setup whose configured model (llama3.2) is missing: the Overview shows a problem banner. */
async function startWithProblem(t: TestContext) {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${await freePort()}`,
    fakeOllama: { models: ['qwen2.5:0.5b', 'llama3.2:1b'], registry: REGISTRY, ...SLOW_PULL },
  });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  return { scope, host, url: await uiUrl(host) };
}

/**
 * Waits for focus to be on `locator`, inside it, or on the element that holds it (a result's
 * focusable wrapper); never the page body. Says where focus is instead if it never gets there.
 */
async function expectFocus(page: Page, locator: Locator, what: string): Promise<void> {
  const inside = () =>
    locator
      .evaluate((element) => {
        const active = document.activeElement;
        if (!active || active === document.body || active === document.documentElement) return false;
        return element.contains(active) || active.contains(element);
      })
      .catch(() => false);
  try {
    await waitFor(`focus on ${what}`, inside, 10_000);
  } catch (error) {
    const where = await page.evaluate(() => {
      const element = document.activeElement;
      return !element || element === document.body ? 'the page body' : element.outerHTML.slice(0, 160);
    });
    throw new Error(`Focus should be on ${what}, but it is on ${where}`, { cause: error });
  }
}

/** Past the wizard the missing model brings up: the user chooses to look around first. */
async function setUpLater(page: Page): Promise<void> {
  const later = page.getByRole('button', { name: 'Set up later' });
  await later
    .or(page.getByRole('heading', { level: 1 }).and(page.locator('.page-header__title')))
    .first()
    .waitFor(DEADLINE);
  if (await later.isVisible()) await later.click(DEADLINE);
}

test('every screen and state has no serious or critical axe-core violation, in light and in dark', async (t) => {
  const { scope, host, url } = await startWithProblem(t);
  const { page, problems } = await openPage(await newContext(browser(), scope, { viewport: { width: 1280, height: 800 } }), withRoute(url, '#/setup'));
  const found: Record<string, AxeViolation[]> = {};
  /** Checks what the page shows now in both schemes, and saves each as a screenshot. */
  const check = async (name: string) => {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      // Colours change with a short transition: contrast is judged, and pictured, once it is over.
      await waitFor('the colour transitions to end', () => page.evaluate(() => document.getAnimations().length === 0), HOST_WAIT_MS);
      await page.screenshot({ path: path.join(SCREENSHOTS, `a11y-${name}-${colorScheme}.png`) });
      const violations = await seriousViolations(page);
      if (violations.length > 0) found[`${name} (${colorScheme})`] = violations;
    }
  };
  await explained(host, [page], async () => {
    // The wizard, step by step, up to starting the runner.
    await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
    await check('wizard-detect');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /Ollama/ }).waitFor(DEADLINE);
    await check('wizard-provider');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Choose a model' }).waitFor(DEADLINE);
    await check('wizard-model');
    await page.getByRole('button', { name: 'Set up later' }).click();

    // The Overview with the missing model's banner.
    await page.getByRole('list', { name: 'Problems' }).getByText('llama3.2 is not installed.').waitFor(DEADLINE);
    await check('overview-problem');

    // Models, then a download in progress with the panel that opened by itself.
    await page.getByRole('link', { name: 'Models' }).click();
    const installed = page.getByRole('region', { name: 'Installed' });
    await installed.getByRole('row', { name: /llama3\.2:1b/ }).waitFor(DEADLINE);
    await check('models');
    await page.getByRole('button', { name: 'Pull gemma3:4b' }).click();
    await page.getByRole('complementary', { name: 'Downloads' }).getByRole('progressbar', { name: 'Pulling gemma3:4b' }).waitFor(DEADLINE);
    await page.getByRole('button', { name: /^Downloading… gemma3:4b$/ }).waitFor(DEADLINE);
    await check('models-downloading');

    // The delete confirmation.
    await installed.getByRole('button', { name: 'Delete llama3.2:1b' }).click();
    await installed.getByRole('group', { name: 'Confirm deleting llama3.2:1b' }).waitFor(DEADLINE);
    await check('models-delete-confirm');
    await installed.getByRole('button', { name: 'Keep' }).click();

    for (const [route, ready] of [
      ['logs', 'Logs'],
      ['settings', 'Settings'],
      ['playground', 'Playground'],
    ] as const) {
      await page.getByRole('link', { name: ready }).click();
      await page.getByRole('heading', { name: ready, level: 1 }).waitFor(DEADLINE);
      // The screen's own content has loaded once the loading line is gone.
      await waitFor(`${route} to load`, async () => !(await page.getByText(/^Loading/).isVisible()), HOST_WAIT_MS);
      await check(route);
    }

    // The wizard's later steps: the installed model, its review, the runner.
    await page.goto(withRoute(url, '#/setup'));
    await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Model', { exact: true }).selectOption('qwen2.5:0.5b');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
    await check('wizard-review');
    await page.getByRole('button', { name: 'Looks good' }).click();
    await page.getByRole('heading', { name: 'Start the runner' }).waitFor(DEADLINE);
    await check('wizard-runner');

    assert.deepEqual(found, {}, 'no serious or critical violations');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

test('focus stays with the user after Delete, Pull and Downloads; Escape cancels the confirmation and closes Downloads; finished downloads are dismissed at once', async (t) => {
  const { scope, host, url } = await startWithProblem(t);
  const { page, problems } = await openPage(await newContext(browser(), scope, { viewport: { width: 1280, height: 800 } }), withRoute(url, '#/models'));
  await explained(host, [page], async () => {
    await setUpLater(page);
    await page.goto(withRoute(url, '#/models'));
    const installed = page.getByRole('region', { name: 'Installed' });
    const deleteButton = installed.getByRole('button', { name: 'Delete llama3.2:1b' });
    const confirm = installed.getByRole('group', { name: 'Confirm deleting llama3.2:1b' });

    // Delete opens the confirmation on its harmless choice; Escape cancels it, back on Delete.
    await deleteButton.focus();
    await page.keyboard.press('Enter');
    await expectFocus(page, confirm.getByRole('button', { name: 'Keep' }), 'Keep');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached', ...DEADLINE });
    await expectFocus(page, deleteButton, 'the row’s Delete button after Escape');

    // Confirmed, the row goes and focus lands on what happened.
    await page.keyboard.press('Enter');
    await expectFocus(page, confirm.getByRole('button', { name: 'Keep' }), 'Keep');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await expectFocus(page, installed.getByText('Deleted llama3.2:1b; 1.3 GB freed.'), 'the deleted model’s result');

    // Pull keeps focus on its button, now "Downloading"; the panel that opens by itself takes none.
    const panel = page.getByRole('complementary', { name: 'Downloads' });
    await page.getByRole('button', { name: 'Pull gemma3:4b' }).focus();
    await page.keyboard.press('Enter');
    await panel.getByRole('progressbar', { name: 'Pulling gemma3:4b' }).waitFor(DEADLINE);
    await expectFocus(page, page.getByRole('button', { name: /^Downloading… gemma3:4b$/ }), 'the pulled model’s button');

    // Opened by the user, the panel takes focus; Escape closes it and focus goes back to its button.
    const downloadsButton = page.getByRole('button', { name: /^Downloads/ });
    await downloadsButton.focus();
    await page.keyboard.press('Enter');
    await panel.waitFor({ state: 'detached', ...DEADLINE });
    await page.keyboard.press('Enter');
    await expectFocus(page, panel, 'the Downloads panel the user opened');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', ...DEADLINE });
    await expectFocus(page, downloadsButton, 'the Downloads button');

    // Escape closes a panel the user opened even from elsewhere, and leaves focus where it was.
    await page.keyboard.press('Enter');
    await expectFocus(page, panel, 'the Downloads panel the user opened');
    const nameField = page.getByLabel('Model name to pull');
    await nameField.focus();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', ...DEADLINE });
    await expectFocus(page, nameField, 'the field the user was in');

    // Pull by name from its button: focus goes back to the field, and the panel takes none.
    await nameField.fill('llama3.2:1b');
    await page.getByRole('region', { name: 'Pull a model' }).getByRole('button', { name: 'Pull', exact: true }).focus();
    await page.keyboard.press('Enter');
    await panel.getByRole('progressbar', { name: 'Pulling llama3.2:1b' }).waitFor(DEADLINE);
    await expectFocus(page, nameField, 'the model name field');

    // Two cancelled downloads go with one "Dismiss all finished".
    await panel.getByRole('button', { name: 'Cancel download of gemma3:4b' }).click();
    await panel.getByRole('button', { name: 'Cancel download of llama3.2:1b' }).click();
    await panel.getByRole('button', { name: 'Dismiss all finished' }).click();
    await panel.getByText('No downloads.').waitFor(DEADLINE);
    assert.deepEqual(problems, [], 'no console errors');
  });
});

/** The 1280×800 window, its minimum, and the window at 200 % zoom (640×400 CSS pixels at scale 2). */
const SIZES = [
  { name: '1280x800', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  { name: '760x520', viewport: { width: 760, height: 520 }, deviceScaleFactor: 1 },
  { name: 'zoom200', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
] as const;

/** What a user sees cut or pushed away: sideways scrolling, clipped buttons, the screen's share of the width. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const visible = (element: Element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
    const box = (selector: string) => document.querySelector(selector)?.getBoundingClientRect() ?? null;
    return {
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      clipped: [...document.querySelectorAll<HTMLElement>('button, a.button, .nav__link')]
        .filter((element) => visible(element) && element.scrollWidth > element.clientWidth + 1)
        .map((element) => element.innerText.trim()),
      main: box('#main'),
      panel: box('.downloads'),
      /** Characters of a log message's column, in the monospace font's own width. */
      logChars: (() => {
        const column = document.querySelector('.log-row:not(.log-row--probe) .log-row__msg');
        const sample = document.querySelector('.log-row__sample');
        if (!column || !sample) return null;
        return Math.floor(column.getBoundingClientRect().width / (sample.getBoundingClientRect().width / 10));
      })(),
    };
  });
}

test('at 200 % zoom and at the minimum size everything reflows, and the Downloads panel covers nothing', async (t) => {
  const { scope, host, url } = await startWithProblem(t);
  const pages: Page[] = [];
  await explained(host, pages, async () => {
    for (const size of SIZES) {
      for (const colorScheme of ['light', 'dark'] as const) {
        const context = await browser().newContext({ viewport: size.viewport, deviceScaleFactor: size.deviceScaleFactor, colorScheme });
        scope.defer(() => context.close());
        const { page, problems } = await openPage(context, withRoute(url, '#/overview'));
        pages.push(page);
        await setUpLater(page);
        const seen = async (name: string) => {
          await page.screenshot({ path: path.join(SCREENSHOTS, `a11y-reflow-${name}-${size.name}-${colorScheme}.png`) });
          const shown = await layout(page);
          const where = `${name} at ${size.name} (${colorScheme})`;
          assert.equal(shown.overflow, 0, `no sideways scrolling: ${where}`);
          assert.deepEqual(shown.clipped, [], `no button is cut: ${where}`);
          // The screen keeps most of the width: the sidebar gives way in a narrow window, and the
          // Downloads panel takes a column of its own only where there is room for both.
          const share = size.viewport.width < 700 ? 0.95 : shown.panel && size.viewport.width > 960 ? 0.5 : 0.75;
          assert.ok(shown.main!.width >= share * size.viewport.width, `the screen keeps ${shown.main!.width} px of ${size.viewport.width}: ${where}`);
          if (shown.panel) {
            const apart =
              shown.panel.left >= shown.main!.right - 1 ||
              shown.panel.top >= shown.main!.bottom - 1 ||
              shown.panel.right <= shown.main!.left + 1 ||
              shown.panel.bottom <= shown.main!.top + 1;
            assert.ok(apart, `the Downloads panel covers nothing: ${where}`);
          }
          return shown;
        };
        for (const [route, title] of [
          ['overview', 'Overview'],
          ['models', 'Models'],
          ['logs', 'Logs'],
          ['settings', 'Settings'],
          ['playground', 'Playground'],
        ] as const) {
          await page.goto(withRoute(url, `#/${route}`));
          await page.getByRole('heading', { name: title, level: 1 }).waitFor(DEADLINE);
          await waitFor(`${route} to load`, async () => !(await page.getByText(/^Loading/).isVisible()), HOST_WAIT_MS);
          if (route === 'logs') await page.locator('.log-row__msg').nth(1).waitFor(DEADLINE);
          const shown = await seen(route);
          if (route === 'logs') assert.ok(shown.logChars! >= 40, `a log line shows ${shown.logChars} characters at ${size.name}`);
        }
        // The Downloads panel, opened on the Models screen, beside or under it.
        await page.goto(withRoute(url, '#/models'));
        await page.getByRole('region', { name: 'Suggested' }).waitFor(DEADLINE);
        await page.getByRole('button', { name: /^Downloads/ }).click();
        await page.getByRole('complementary', { name: 'Downloads' }).waitFor(DEADLINE);
        await seen('models-downloads');
        assert.deepEqual(problems, [], 'no console errors');
        await context.close();
      }
    }
  });
});

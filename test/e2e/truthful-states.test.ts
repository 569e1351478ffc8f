/**
 * Every state told truthfully (issue 22), in Chromium through the real headless host (`--ui`)
 * with the Ollama double: an invalid environment value and a model gone after setup are told on
 * the Overview with their fix, and neither sends a set-up user back into the wizard.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort } from '../ollama/support.ts';
import { useBrowser } from '../support/chromium.ts';
import { Scope, hostEnv, setUpProfile } from '../support/e2e-host.ts';
import { reviewShots } from '../support/truthful-shots.ts';
import { DEADLINE, explained, startUi, withRoute } from '../support/ui-e2e.ts';

const browser = useBrowser();

const problemsList = (page: Page) => page.getByRole('list', { name: 'Problems' });

test('LLM_PROVIDER=olama is told on the Overview with the variable, its value, the allowed values and how to unset it; the app stays usable', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] }, extra: { LLM_PROVIDER: 'olama' } });
  const { host, url, page } = await startUi(browser(), scope, { userDataDir, env });
  await explained(host, [page], async () => {
    await page.goto(url);
    // The Overview, not "Set up Stigmer".
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(DEADLINE);
    assert.equal(await page.getByRole('heading', { name: 'Set up Stigmer' }).count(), 0);
    const problem = problemsList(page).locator('li').filter({ hasText: 'LLM_PROVIDER="olama"' });
    await problem.waitFor(DEADLINE);
    const text = await problem.innerText();
    assert.match(text, /LLM_PROVIDER="olama" is not one of anthropic, openai, ollama/, 'the name, the value and the allowed values');
    assert.match(text, /unset LLM_PROVIDER/, 'how to unset it');
    // The configuration card does not pass the fallback off as what was asked for.
    const provider = page.getByRole('region', { name: 'Configuration' }).getByRole('definition').first();
    assert.match(await provider.innerText(), /not valid: LLM_PROVIDER/);
    // The rest of the app is there: Models lists the installed model.
    await page.goto(withRoute(url, '#/models'));
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor(DEADLINE);
    await page.getByText('llama3.2').first().waitFor(DEADLINE);
    assert.equal(await page.getByRole('heading', { name: 'Set up Stigmer' }).count(), 0);
  });
  await reviewShots(browser(), scope, url, 'env-typo-overview', (shown) =>
    problemsList(shown)
      .getByText(/LLM_PROVIDER="olama"/)
      .waitFor(DEADLINE),
  );
  await host.stop();
});

test('on a first run with LLM_PROVIDER=olama, setup tells the error from step 1, with no green "Running"', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => void (settings.firstRunCompleted = false));
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] }, extra: { LLM_PROVIDER: 'olama' } });
  const { host, url, page } = await startUi(browser(), scope, { userDataDir, env });
  await explained(host, [page], async () => {
    await page.goto(url);
    const step = page.getByRole('region', { name: 'Detect Ollama' });
    await step.getByText(/LLM_PROVIDER="olama"/).waitFor(DEADLINE);
    const pill = step.locator('.pill').first();
    await pill.getByText(/Running/).waitFor(DEADLINE);
    assert.doesNotMatch((await pill.getAttribute('class')) ?? '', /pill--ok/, 'Ollama answers, but nothing is "all good" yet');
  });
  await reviewShots(browser(), scope, url, 'env-typo-wizard-step1', (shown) =>
    shown
      .getByRole('region', { name: 'Detect Ollama' })
      .getByText(/LLM_PROVIDER="olama"/)
      .waitFor(DEADLINE),
  );
  await host.stop();
});

test('a model deleted after setup is named on the first screen with "Pull llama3.2" and "Choose another", each one click', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${await freePort()}`,
    fakeOllama: { models: ['phi3:mini'], registry: { 'llama3.2:latest': [2_019_377_376, 1_429] }, pullIntervalMs: 40, pullStepsPerLayer: 20 },
  });
  const { host, url, page } = await startUi(browser(), scope, { userDataDir, env });
  await explained(host, [page], async () => {
    await page.goto(url);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(DEADLINE);
    const problem = problemsList(page).locator('li').filter({ hasText: 'llama3.2 is not installed.' });
    await problem.waitFor(DEADLINE);
    assert.equal(await page.getByRole('heading', { name: 'Set up Stigmer' }).count(), 0, 'no wizard for a user who finished setup');
    await problem.getByRole('link', { name: 'Choose another' }).click();
    await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor(DEADLINE);
    await reviewShots(browser(), scope, url, 'model-gone', (shown) => problemsList(shown).getByText('llama3.2 is not installed.').waitFor(DEADLINE));
    await page.goBack();
    await problem.getByRole('button', { name: 'Pull llama3.2 (2.0 GB)' }).click();
    await problemsList(page)
      .getByText(/llama3\.2 is downloading/)
      .waitFor(DEADLINE);
  });
  await host.stop();
});

test('with the model pinned by LLM_MODEL, "Use" and "Use this model" are off and say why', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => void (settings.provider = 'ollama'));
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${await freePort()}`,
    fakeOllama: { models: ['llama3.2', 'phi3:mini'] },
    extra: { LLM_MODEL: 'llama3.2' },
  });
  const { host, url, page } = await startUi(browser(), scope, { userDataDir, env });
  const toModels = async (shown: Page) => {
    await shown.getByRole('region', { name: 'Installed' }).getByRole('button', { name: 'Use phi3:mini' }).waitFor(DEADLINE);
  };
  await explained(host, [page], async () => {
    await page.goto(withRoute(url, '#/models'));
    await toModels(page);
    const use = page.getByRole('button', { name: 'Use phi3:mini' });
    assert.equal(await use.isDisabled(), true);
    assert.match(
      await use.evaluate((button) => document.getElementById(button.getAttribute('aria-describedby') ?? '')?.textContent ?? ''),
      /set by LLM_MODEL, so Use is off/,
    );
    await page.goto(withRoute(url, '#/settings'));
    await page.locator('#model-ollama').selectOption('phi3:mini', DEADLINE);
    const useThis = page.getByRole('button', { name: 'Use this model' });
    await useThis.waitFor(DEADLINE);
    assert.equal(await useThis.isDisabled(), true, 'a choice that would not apply cannot be saved');
    await page
      .getByText(/The model is set by LLM_MODEL, so it cannot be changed here/)
      .first()
      .waitFor(DEADLINE);
  });
  await reviewShots(browser(), scope, withRoute(url, '#/models'), 'pinned-model', toModels);
  await host.stop();
});

test('deleting the model in use says so and what happens next, and offers to switch first', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2', 'phi3:mini'] } });
  const { host, url, page } = await startUi(browser(), scope, { userDataDir, env });
  const confirm = async (shown: Page) => {
    await shown.getByRole('button', { name: 'Delete llama3.2' }).click(DEADLINE);
    await shown
      .getByRole('group', { name: 'Confirm deleting llama3.2' })
      .getByText(/is the model in use/)
      .waitFor(DEADLINE);
  };
  await reviewShots(browser(), scope, withRoute(url, '#/models'), 'delete-in-use', confirm);
  await explained(host, [page], async () => {
    await page.goto(withRoute(url, '#/models'));
    await confirm(page);
    const group = page.getByRole('group', { name: 'Confirm deleting llama3.2' });
    assert.match(await group.innerText(), /the runner cannot answer until another model is chosen or it is pulled again/);
    await group.getByRole('button', { name: 'Use phi3:mini, then delete' }).click();
    await page.getByText(/Deleted llama3\.2/).waitFor(DEADLINE);
    await page.goto(withRoute(url, '#/overview'));
    await page.getByRole('region', { name: 'Configuration' }).getByText('phi3:mini').waitFor(DEADLINE);
    assert.equal(await page.getByRole('list', { name: 'Problems' }).count(), 0, 'nothing is missing: the switch came first');
    assert.equal(await page.getByRole('heading', { name: 'Set up Stigmer' }).count(), 0);
  });
  await host.stop();
});

/**
 * The Overview over both transports (see app-under-test.ts): what it says about the configuration
 * and its problems, each with its fix as a button, on every load of the window.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { journey } from '../support/app-under-test.ts';
import { HOST_WAIT_MS, hostEnv, setUpProfile, waitFor } from '../support/e2e-host.ts';
import { DEADLINE } from '../support/ui-e2e.ts';
import type { Settings } from '../../src/shared/settings.ts';

const REGISTRY = {
  'qwen2.5:0.5b': [397_807_936, 6_929],
  'llama3.2:latest': [2_019_377_376, 1_429],
};
const readSettings = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')) as Settings;

/**
 * The wizard is offered while setup is needed; the user chooses to look around first. "Set up
 * later" is remembered by main, so a window loaded after that goes straight to the screen.
 */
async function setUpLater(page: Page): Promise<void> {
  const later = page.getByRole('button', { name: 'Set up later' });
  await later
    .or(page.getByRole('heading', { name: 'Overview', level: 1 }))
    .first()
    .waitFor(DEADLINE);
  if (await later.isVisible()) await later.click(DEADLINE);
}

journey(
  'the Overview: --llm-model fast is shown with the alias and its source, "Expose to network" is said on top until turned off, and the window comes up on every load',
  async ({ scope, start }) => {
    // An Ollama already running on loopback: the app uses it and launches none, so nothing here
    // ever listens on 0.0.0.0.
    const ollama = await startFakeOllama({ models: ['llama3.2', 'qwen2.5:0.5b'], registry: REGISTRY });
    scope.defer(() => ollama.close());
    const userDataDir = setUpProfile(scope, (settings) => {
      settings.provider = 'ollama';
      settings.providers.ollama.model = 'llama3.2';
      settings.ollama.exposeToNetwork = true;
    });
    const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${ollama.port}` });
    const app = await start({ userDataDir, env, args: ['--llm-provider', 'ollama', '--llm-model', 'fast'] });
    const { page } = app;
    await app.explained(async () => {
      await app.waitForLog('the runner on the resolved model', 'app', /^Runner ready: ollama qwen2\.5:0\.5b /);
      await app.open('#/overview');
      const banner = page.locator('.banner').getByText('"Expose to network" is on: the next Ollama this app starts listens on 0.0.0.0.');
      await banner.waitFor(DEADLINE);
      assert.match(await page.getByRole('region', { name: 'Configuration' }).innerText(), /Model\s+fast → qwen2\.5:0\.5b\s+flag --llm-model/);
      await app.shots('overview-exposed');

      await page.getByRole('link', { name: 'Models' }).click();
      const aliases = page.getByRole('region', { name: 'Aliases' });
      await aliases.getByText('In use: fast → qwen2.5:0.5b').waitFor(DEADLINE);
      assert.match(await aliases.innerText(), /flag --llm-model/);
      assert.match(await aliases.innerText(), /fast\s+qwen2\.5:0\.5b — the smallest of the 2 installed models that (fit the GPU|run here \(CPU only\))/);
      assert.match(await aliases.innerText(), /powerful\s+llama3\.2:latest — the largest of the 2 installed models that/);
      await app.shot('models-aliases');

      // Once the app is quiet, a state that arrived before the window listened would never come again.
      const routes = ['overview', 'settings', 'logs', 'playground'];
      for (let load = 0; load < 8; load++) {
        const route = routes[load % routes.length]!;
        await app.open(`#/${route}`);
        await page.getByRole('heading', { level: 1, name: route[0]!.toUpperCase() + route.slice(1) }).waitFor({ timeout: 15_000 });
      }

      await app.open('#/settings');
      const server = page.getByRole('region', { name: 'Ollama server' });
      const exposeBox = server.getByRole('checkbox', { name: /Expose Ollama to the network/ });
      await exposeBox.waitFor(DEADLINE);
      assert.equal(await exposeBox.isChecked(), true);
      await server.getByText('Ollama has no password: with this on, anyone who can reach this machine').waitFor(DEADLINE);
      await exposeBox.scrollIntoViewIfNeeded();
      await app.shots('settings-exposed');
      await exposeBox.uncheck();
      await server.getByText('Off: only this machine can reach Ollama.').waitFor(DEADLINE);
      await server.getByRole('button', { name: 'Save server options' }).click();
      await waitFor('the setting to be saved off', () => !readSettings(userDataDir).ollama.exposeToNetwork, HOST_WAIT_MS);
      await page.getByRole('link', { name: 'Overview' }).click();
      await page.getByRole('region', { name: 'Runner' }).waitFor(DEADLINE);
      await banner.waitFor({ ...DEADLINE, state: 'detached' });
      assert.equal(await page.locator('.banner').count(), 0, 'no banner once it is off');
      assert.deepEqual(app.problems, [], 'no console errors');
    });
  },
);

journey('a missing model is shown once, on the banner, with "Pull llama3.2 (2.0 GB)"; pulling it clears the banner', async ({ scope, start }) => {
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${await freePort()}`,
    fakeOllama: { models: [], registry: { 'llama3.2:latest': [2_019_377_376, 1_429] }, pullIntervalMs: 40, pullStepsPerLayer: 20 },
  });
  const app = await start({ userDataDir, env });
  const { page } = app;
  await app.explained(async () => {
    await setUpLater(page);
    const problems = page.getByRole('list', { name: 'Problems' });
    await problems.getByText('llama3.2 is not installed.').waitFor(DEADLINE);
    assert.equal(await page.getByText(/llama3\.2 is not installed/).count(), 1, 'the problem is shown once');
    await app.shots('overview-model-missing');
    await problems.getByRole('button', { name: 'Pull llama3.2 (2.0 GB)' }).click();
    await problems.getByText(/llama3\.2 is downloading/).waitFor(DEADLINE);
    await problems.waitFor({ ...DEADLINE, state: 'detached' });
    await page.getByRole('region', { name: 'Ollama' }).getByText('llama3.2:latest').waitFor(DEADLINE);
    assert.deepEqual(app.problems, [], 'no console errors');
  });
});

journey('an invalid environment value names the variable, says it overrides the app and how to unset it', async ({ scope, start }) => {
  const userDataDir = setUpProfile(scope);
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, extra: { LLM_PROVIDER: 'olama' } });
  const app = await start({ userDataDir, env });
  const { page } = app;
  await app.explained(async () => {
    await setUpLater(page);
    const problem = page.getByRole('list', { name: 'Problems' }).getByRole('alert').filter({ hasText: 'LLM_PROVIDER' });
    await problem.getByText(/LLM_PROVIDER="olama" is not one of anthropic, openai, ollama/).waitFor(DEADLINE);
    const text = await problem.innerText();
    assert.match(text, /LLM_PROVIDER is set in the environment the app was started from, and it overrides the app's own settings/);
    assert.equal(await problem.locator('code').innerText(), 'unset LLM_PROVIDER');
    assert.doesNotMatch(text, /Settings/, 'the Settings screen cannot change it, so it is not offered');
    await app.shots('overview-env-invalid');
  });
});

/**
 * The setup wizard as a new user walks it, over both transports (see app-under-test.ts): with an
 * Ollama the app launches, with one already running, and with none at all, where a cloud key is
 * saved while the provider cannot be reached.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { journey } from '../support/app-under-test.ts';
import { HOST_WAIT_MS, hostEnv, readPidFile, setUpProfile, waitFor } from '../support/e2e-host.ts';
import { DEADLINE, primaries } from '../support/ui-e2e.ts';
import type { Settings } from '../../src/shared/settings.ts';

/** The installed model list is empty at first, so a blank profile needs the wizard. */
const REGISTRY = { 'llama3.2:latest': [2_019_377_376, 1_429, 7_711] };
const readSettings = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')) as Settings;

journey(
  'the wizard, Ollama launched by the app: a blank profile detects it, chooses it, pulls a model with progress, reviews and starts the runner',
  async ({ scope, start }) => {
    const userDataDir = scope.tempDir();
    const port = await freePort();
    const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: [], registry: REGISTRY, pullIntervalMs: 40, pullStepsPerLayer: 40 } });
    const app = await start({ userDataDir, env });
    const { page } = app;
    await app.explained(async () => {
      await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
      assert.equal(await page.title(), 'Setup · Stigmer', 'the title says where the user is');
      await page.getByText(`answers at http://127.0.0.1:${port} with 0 models installed`).waitFor(DEADLINE);
      assert.deepEqual(await primaries(page), ['Continue'], 'Ollama answers: going on is the one thing to do');
      await app.shot('wizard-1-detect-ollama');
      await page.getByRole('button', { name: 'Continue' }).click();

      await page.getByRole('heading', { name: 'Choose a provider' }).waitFor(DEADLINE);
      await page.getByRole('radio', { name: /Ollama/ }).check();
      await app.shot('wizard-2-provider');
      await page.getByRole('button', { name: 'Continue' }).click();

      await page.getByRole('heading', { name: 'Choose a model' }).waitFor(DEADLINE);
      await page.getByRole('button', { name: 'Download and continue' }).waitFor(DEADLINE);
      await page.getByLabel('Model', { exact: true }).selectOption('llama3.2');
      await page.getByRole('button', { name: 'Pull model' }).click();
      const bar = page.getByRole('region', { name: 'Choose a model' }).getByRole('progressbar', { name: 'Pulling llama3.2' });
      await bar.waitFor(DEADLINE);
      await waitFor('the progress bar to move', async () => Number((await bar.getAttribute('value').catch(() => null)) ?? 0) > 5, HOST_WAIT_MS);
      await app.shot('wizard-3-pull-progress');
      await page.getByText('llama3.2 is installed and selected.').waitFor(DEADLINE);
      await page.getByRole('button', { name: 'In use' }).waitFor(DEADLINE);
      assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'llama3.2:latest', 'the picker shows the pulled model');
      await page.getByRole('button', { name: 'Continue', disabled: false }).click();

      await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
      const summary = await page.locator('.wizard__body').innerText();
      assert.match(summary, /Provider\s+Ollama/);
      assert.match(summary, /Model\s+llama3\.2/);
      assert.match(summary, new RegExp(`Base URL\\s+http://127\\.0\\.0\\.1:${port}`));
      await app.shot('wizard-4-review');
      await page.getByRole('button', { name: 'Looks good' }).click();

      await page.getByRole('heading', { name: 'Start the runner' }).waitFor(DEADLINE);
      assert.equal(readPidFile(userDataDir, 'runner.pid'), undefined, 'the runner waits for the wizard');
      await page.getByRole('button', { name: 'Start runner' }).click();
      const up = await page.getByText(/The runner is up \(pid \d+\)/).textContent(DEADLINE);
      const pagePid = Number(/pid (\d+)/.exec(up ?? '')?.[1]);
      await app.waitForLog('the runner to report ready', 'app', /^Runner ready: ollama llama3\.2/);
      assert.equal(readPidFile(userDataDir, 'runner.pid'), pagePid, 'the window shows the pid of the runner that runs');
      await app.shot('wizard-5-start-runner');
      await page.getByRole('button', { name: 'Finish' }).click();

      await page.getByRole('region', { name: 'Runner' }).getByText(`${pagePid}`, { exact: true }).waitFor(DEADLINE);
      const configuration = await page.getByRole('region', { name: 'Configuration' }).innerText();
      assert.match(configuration, /Provider\s+Ollama/);
      assert.match(configuration, /Model\s+llama3\.2/);
      await app.shot('wizard-overview');
      assert.equal(readSettings(userDataDir).firstRunCompleted, true, 'the wizard is done for good');
      assert.deepEqual(app.problems, [], 'no console errors');
    });
  },
);

journey(
  "the wizard, Ollama already running without the model: the missing model is said once in the Overview's words, cancelled, pulled again, waited for, and answers a first prompt",
  async ({ scope, start }) => {
    // An Ollama already running on loopback: the app uses it and launches none.
    const ollama = await startFakeOllama({ models: [], registry: { 'llama3.2:latest': [2_019_377_376, 1_429] }, pullIntervalMs: 100, pullStepsPerLayer: 60 });
    scope.defer(() => ollama.close());
    // A first run whose configured model is not installed: the wizard opens by itself.
    const userDataDir = setUpProfile(scope, (settings) => {
      settings.firstRunCompleted = false;
      settings.provider = 'ollama';
      settings.providers.ollama.model = 'llama3.2';
    });
    const app = await start({ userDataDir, env: hostEnv(scope, { ollamaHost: `127.0.0.1:${ollama.port}` }) });
    const { page } = app;
    await app.explained(async () => {
      await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
      await page.getByText(`answers at http://127.0.0.1:${ollama.port} with 0 models installed`).waitFor(DEADLINE);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Choose a provider' }).waitFor(DEADLINE);
      assert.equal(await page.getByRole('radio', { name: /Ollama/ }).isChecked(), true, 'the configured provider is preselected');
      await page.getByRole('button', { name: 'Continue' }).click();
      // The picker's selection is what Continue saves, downloading it if need be.
      await page.getByRole('heading', { name: 'Choose a model' }).waitFor(DEADLINE);
      await page.getByRole('button', { name: 'Download and continue' }).click();

      await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
      const body = page.locator('.wizard__body');
      const listed = body.getByRole('list', { name: 'Problems' });
      await listed.getByText(/^llama3\.2 is downloading/).waitFor(DEADLINE);
      assert.equal(await body.getByText(/llama3\.2 is (downloading|not installed|still downloading)/).count(), 1, 'the model is one problem, said once');
      assert.deepEqual(await primaries(page), ['Looks good'], 'a download under way: going on leads, Cancel is secondary');
      await app.shot('wizard-review-downloading');
      await listed.getByRole('button', { name: 'Cancel' }).click();

      // The same problem and button as the Overview banner and the tray.
      await listed.getByText('llama3.2 is not installed.', { exact: true }).waitFor(DEADLINE);
      assert.equal(await body.getByText(/llama3\.2 is (downloading|not installed)/).count(), 1, 'still said once');
      assert.equal(await body.getByText(/ollama pull|is not installed in Ollama/).count(), 0, "the cascade's warning is not a second wording");
      assert.deepEqual(await primaries(page), ['Pull llama3.2 (2.0 GB)'], 'the runner cannot answer without it: its fix leads, Looks good is secondary');
      await app.shot('wizard-review-missing');
      await listed.getByRole('button', { name: 'Pull llama3.2 (2.0 GB)' }).click();
      await listed.getByText(/^llama3\.2 is downloading/).waitFor(DEADLINE);
      // A model still downloading lets the user go on: the runner starts once it lands.
      await page.getByRole('button', { name: 'Looks good' }).click();

      await page.getByRole('heading', { name: 'Start the runner' }).waitFor(DEADLINE);
      await page.getByRole('button', { name: 'Start runner' }).click();
      await page.getByText('waiting for llama3.2 to finish downloading').waitFor(DEADLINE);
      assert.equal(readPidFile(userDataDir, 'runner.pid'), undefined, 'the runner waits for its model');
      await page.getByText(/The runner is up \(pid \d+\)/).waitFor({ timeout: 90_000 });
      assert.equal(readSettings(userDataDir).providers.ollama.model, 'llama3.2');

      await page.getByRole('button', { name: 'Send a first prompt' }).click();
      await page.getByTestId('first-answer').getByText('Hello from the fake Ollama.').waitFor(DEADLINE);
      // The answer streams in first; who answered and how fast come with the runner's last message.
      const latency = page.getByRole('definition').filter({ hasText: /\d+ ms|\d\.\d+ s/ });
      await latency.first().waitFor(DEADLINE);
      assert.equal(await latency.count(), 1, 'the latency is shown');
      const stats = await page.locator('.first-answer .stats').innerText();
      assert.match(stats, /Provider\s+Ollama/);
      assert.match(stats, /Model\s+llama3\.2/);
      await app.shot('wizard-first-answer');
      await page.getByRole('button', { name: 'Finish' }).click();
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(DEADLINE);
      assert.equal(readSettings(userDataDir).firstRunCompleted, true);
      assert.deepEqual(app.problems, []);
    });
    assert.equal((await app.quit()).code, 0, 'Quit exits 0');
  },
);

journey(
  'the wizard without Ollama: "Set up later" is remembered, setup offers its ways forward (Install Ollama first), and a cloud key saved while the provider is down says "not verified yet" until it is tested',
  async ({ scope, start }) => {
    const downPort = await freePort();
    const userDataDir = setUpProfile(scope, (settings) => {
      settings.firstRunCompleted = false;
      settings.provider = 'ollama';
      settings.providers.anthropic.baseUrl = `http://127.0.0.1:${downPort}`;
    });
    const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}` });
    // No `ollama` anywhere on PATH: only this Node and the system's tools.
    env.PATH = [path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter);
    const app = await start({ userDataDir, env });
    const { page } = app;
    await app.explained(async () => {
      await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
      await page.getByRole('button', { name: 'Set up later' }).click();
      await page.getByText('Setup is not finished').waitFor(DEADLINE);
      // The Overview's banner has the same problem and ways forward as the wizard.
      const banner = page.getByRole('list', { name: 'Problems' });
      await banner.getByText('Ollama is not installed.').waitFor(DEADLINE);
      assert.deepEqual(await banner.locator('a, button').allInnerTexts(), ['Install Ollama', 'Download Ollama', 'Check again', 'Use a cloud provider']);
      assert.equal(await banner.getByRole('link', { name: 'Download Ollama' }).getAttribute('href'), 'https://ollama.com/download');
      await app.shot('overview-ollama-missing');
      await app.open('#/overview');
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(DEADLINE);
      assert.equal(await page.getByRole('heading', { name: 'Detect Ollama' }).count(), 0, 'a reload does not bring the wizard back');
      await page.getByRole('link', { name: 'Resume setup' }).click();

      await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
      const body = page.locator('.wizard__body');
      await body.getByRole('list', { name: 'Problems' }).getByText('Ollama is not installed.', { exact: true }).waitFor(DEADLINE);
      assert.equal(await body.getByText(/Ollama is not installed/).count(), 1, 'said once');
      assert.deepEqual(await body.locator('a, button').allInnerTexts(), ['Install Ollama', 'Download Ollama', 'Check again', 'Use a cloud provider']);
      assert.deepEqual(await primaries(page), ['Install Ollama'], 'no Ollama: installing it leads, Continue is secondary');
      await app.shots('wizard-no-ollama');
      await body.getByRole('button', { name: 'Use a cloud provider' }).click();
      await page.getByRole('heading', { name: 'Choose a provider' }).waitFor(DEADLINE);
      assert.equal(await page.getByRole('radio', { name: /Anthropic/ }).isChecked(), true, 'a cloud provider is preselected');
      await page.getByRole('button', { name: 'Continue' }).click();

      // The provider cannot be reached: the key is saved, and says it is not verified yet.
      await page.getByRole('heading', { name: 'Add your Anthropic API key' }).waitFor(DEADLINE);
      await page.getByLabel('Anthropic API key', { exact: true }).fill(FAKE_ANTHROPIC_KEY);
      await page.getByRole('button', { name: 'Validate & save' }).click();
      await page.getByText(/^Saved, not verified yet: Cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/).waitFor(DEADLINE);
      await app.waitForLog('the warning', 'app', /Anthropic key saved without a check/);
      await app.shot('wizard-key-unverified');
      await page.getByRole('button', { name: 'Continue', disabled: false }).click();
      await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
      assert.match(await page.locator('.wizard__body').innerText(), /Provider\s+Anthropic/);
      await page.getByRole('button', { name: 'Looks good' }).click();
      await page.getByRole('heading', { name: 'Start the runner' }).waitFor(DEADLINE);
      await page.getByRole('button', { name: 'Start runner' }).click();
      await page.getByText(/The runner is up \(pid \d+\)/).waitFor(DEADLINE);
      await app.waitForLog('the runner to report ready', 'app', /^Runner ready: anthropic /);
      await page.getByRole('button', { name: 'Finish' }).click();
      await page.getByRole('region', { name: 'API keys' }).getByText('Not verified yet').waitFor(DEADLINE);
      await app.shot('overview-key-unverified');

      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByText('Not verified yet').first().waitFor(DEADLINE);
      // The provider is back: Test verifies the key (the app may beat it to that, once it can
      // reach the provider), and the window stops saying it is not verified.
      const anthropic = await startFakeAnthropic({ validKeys: [FAKE_ANTHROPIC_KEY], port: downPort });
      scope.defer(() => anthropic.close());
      await page.getByRole('button', { name: 'Test' }).first().click();
      await page.getByText('Verified', { exact: true }).first().waitFor(DEADLINE);
      await page.getByText(/^Saved, not verified yet/).waitFor({ ...DEADLINE, state: 'detached' });
      assert.equal(await page.getByText('Not verified yet').count(), 0);
      assert.equal(readSettings(userDataDir).setupDeferred, undefined, 'finishing clears "later"');
      assert.deepEqual(app.problems, []);
    });
  },
);

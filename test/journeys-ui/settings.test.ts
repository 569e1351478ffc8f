/**
 * Settings, keys, Logs and the Playground over both transports (see app-under-test.ts), in the one
 * window a user has: a key typed by hand never leaves main unmasked, switching provider restarts
 * the runner while the Logs screen follows along, and the Playground gets an answer through it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { DEFAULT_REPLY } from '../doubles/cloud/common.ts';
import { FAKE_OLLAMA_BIN_DIR } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { journey } from '../support/app-under-test.ts';
import { HOST_WAIT_MS, filesUnder, hostEnv, readPidFile, setUpProfile, waitFor } from '../support/e2e-host.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';
import { DEADLINE } from '../support/ui-e2e.ts';
import type { Settings } from '../../src/shared/settings.ts';

/** A key the user types: distinctive, so a leak anywhere is found by a plain search. */
const TYPED_KEY = 'sk-ant-api03-E2eTYPEDbyHAND-q7Xw2Lp9Vn4Rt6Ys8Zu1Mb3Kc5Jd0Hf-9kQ2';
const KEY_INNARDS = 'E2eTYPEDbyHAND';
const REGISTRY = { 'qwen2.5:0.5b': [397_807_936, 6_929] };

const readSettings = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')) as Settings;

/** The pid in the runner's pid file once it is not `previous`. */
const newRunnerPid = (userDataDir: string, previous: number | undefined, what: string) =>
  waitFor(
    what,
    () => {
      const pid = readPidFile(userDataDir, 'runner.pid');
      return pid !== undefined && pid !== previous ? pid : undefined;
    },
    HOST_WAIT_MS,
  );

journey(
  'a key added in Settings stays masked, switching provider restarts the runner while Logs follows, removing the key brings the wizard back, and the Playground answers',
  async ({ scope, start }) => {
    const anthropic = await startFakeAnthropic({ validKeys: [TYPED_KEY] });
    scope.defer(() => anthropic.close());
    const userDataDir = setUpProfile(scope, (settings) => {
      settings.provider = 'ollama';
      settings.providers.ollama.model = 'llama3.2';
      settings.providers.anthropic.baseUrl = anthropic.url;
    });
    const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
    const app = await start({ userDataDir, env });
    const { page } = app;
    await app.explained(async () => {
      await app.waitForLog('the Ollama runner to be ready', 'app', /^Runner ready: ollama llama3\.2/);
      const firstPid = readPidFile(userDataDir, 'runner.pid');
      assert.ok(firstPid !== undefined);

      await app.open('#/logs');
      await page.getByRole('toolbar', { name: 'Log filters' }).waitFor(DEADLINE);
      // A fresh Logs screen holds the newest lines only; on a busy machine Ollama's own lines may
      // already have pushed the runner's start out of them, so any line will do here.
      await page.locator('.log-row:not(.log-row--gap):not(.log-row--probe) .log-row__msg').first().waitFor(DEADLINE);
      await page.evaluate('window.__sameDocument = true');

      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      const providers = page.getByRole('region', { name: 'Provider' });
      await providers.getByText('Unavailable: no API key').first().waitFor(DEADLINE);
      await page.getByRole('button', { name: 'In use' }).waitFor(DEADLINE);
      assert.equal(await page.getByRole('combobox', { name: 'Model' }).inputValue(), 'llama3.2:latest', 'the picker shows the model in use');

      await page.getByLabel('Anthropic API key', { exact: true }).fill(TYPED_KEY);
      assert.equal(await page.getByLabel('Anthropic API key', { exact: true }).getAttribute('type'), 'password', 'the key is not echoed while typed');
      await page.getByRole('button', { name: 'Validate & save' }).first().click();
      // The save is answered once the configuration it changed has been applied to the runner.
      await page.getByText('Anthropic accepted this key. Saved.').waitFor(DEADLINE);
      await page.getByTestId('masked-anthropic').getByText(maskSecret(TYPED_KEY)).waitFor(DEADLINE);
      assert.ok(
        anthropic.requests.some((request) => request.headers['x-api-key'] === TYPED_KEY || request.headers.authorization === `Bearer ${TYPED_KEY}`),
        'the key was checked with the provider',
      );
      assert.equal(readPidFile(userDataDir, 'runner.pid'), firstPid, 'a key for a provider not in use does not restart the runner');
      await app.shot('settings');

      await providers.getByRole('radio', { name: /Anthropic/ }).check();
      // The runner's own JSON line about its start.
      const restarted = await app.waitForLog('the runner to start again with Anthropic', 'runner', /"msg":"runner starting".*"provider":"anthropic"/);
      const record = JSON.parse(restarted.msg) as Record<string, unknown>;
      assert.equal(record.baseUrl, anthropic.url, 'the runner got the saved Anthropic base URL');
      assert.equal(record.apiKey, maskSecret(TYPED_KEY), 'and the key, masked in its log');
      const secondPid = await newRunnerPid(userDataDir, firstPid, 'the new runner pid file');
      assert.equal(Number(record.pid), secondPid, 'the runner that logged it is the one running');

      // Back on Logs, never reloaded: the lines the switch caused are there.
      await page.getByRole('link', { name: 'Logs', exact: true }).click();
      const filter = page.getByPlaceholder('Filter messages…');
      await filter.fill('provider switched to Anthropic');
      await page.getByText("The runner's configuration changed: provider switched to Anthropic").waitFor(DEADLINE);
      await filter.fill('Runner ready: anthropic');
      await page.getByText(`Runner ready: anthropic claude-sonnet-5-5 at ${anthropic.url}`).waitFor(DEADLINE);
      await filter.fill('');
      await page.getByRole('checkbox', { name: 'Ollama' }).uncheck();
      await page.getByRole('checkbox', { name: 'App' }).uncheck();
      await page
        .locator('.log-row__msg')
        .filter({ hasText: /^runner starting \{.*"provider":"anthropic"/ })
        .first()
        .waitFor(DEADLINE);
      await page.getByRole('checkbox', { name: 'Ollama' }).check();
      await page.getByRole('checkbox', { name: 'App' }).check();
      assert.equal(await page.evaluate('window.__sameDocument'), true, 'the window was not reloaded');
      await app.shot('logs');

      // Removing the key in use stops the runner, and with nothing usable left the wizard is back;
      // adding a key there starts the runner again.
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.getByRole('button', { name: 'Remove' }).first().click();
      await waitFor('the runner to stop without a key', () => readPidFile(userDataDir, 'runner.pid') === undefined, HOST_WAIT_MS);
      await app.waitForLog('the missing key to be reported', 'app', /^Stopping the runner until the configuration is fixed: Anthropic needs an API key/);
      assert.equal(app.logLines().find((line) => line.msg.startsWith('Stopping the runner until'))?.level, 'warn');
      await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Choose a provider' }).waitFor(DEADLINE);
      assert.equal(await page.getByRole('radio', { name: /Anthropic/ }).isChecked(), true, 'the provider in use is preselected');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Add your Anthropic API key' }).waitFor(DEADLINE);
      await page.getByText('No Anthropic key yet, so these are suggestions.').waitFor(DEADLINE);
      await page.getByLabel('Anthropic API key', { exact: true }).fill(TYPED_KEY);
      await page.getByRole('button', { name: 'Validate & save' }).click();
      await page.getByText('Anthropic accepted this key. Saved.').waitFor(DEADLINE);
      // With the key, the models come from the provider itself.
      await page.getByText('No Anthropic key yet, so these are suggestions.').waitFor({ ...DEADLINE, state: 'detached' });
      await page
        .getByRole('combobox', { name: 'Model' })
        .locator('option', { hasText: 'claude-opus-5-5' })
        .waitFor({ ...DEADLINE, state: 'detached' });
      await app.shot('wizard-3-key-anthropic');
      await page.getByRole('button', { name: 'Continue', disabled: false }).click();
      await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
      assert.match(await page.locator('.wizard__body').innerText(), new RegExp(`API key\\s+${escapeRegExp(maskSecret(TYPED_KEY))}`));
      await page.getByRole('button', { name: 'Looks good' }).click();
      const thirdPid = await newRunnerPid(userDataDir, secondPid, 'the runner to start again with the key back');
      await page.getByText(`The runner is up (pid ${thirdPid}).`).waitFor(DEADLINE);
      await page.getByRole('button', { name: 'Finish' }).click();

      await app.open('#/overview');
      await page.getByRole('region', { name: 'Runner' }).getByText(`${thirdPid}`, { exact: true }).waitFor(DEADLINE);
      assert.match(await page.getByRole('region', { name: 'Configuration' }).innerText(), /Provider\s+Anthropic/);
      await app.shot('overview-anthropic');

      for (const route of ['#/overview', '#/settings', '#/logs', '#/playground']) {
        await app.open(route);
        await page.locator('.page-header__title').waitFor(DEADLINE);
        assert.ok(!(await page.content()).includes(KEY_INNARDS), `the window never holds the key (${route})`);
        const values = await Promise.all((await page.locator('input, textarea').all()).map((field) => field.inputValue()));
        assert.ok(!values.some((value) => value.includes(KEY_INNARDS)), `no field holds the key (${route})`);
      }
      // The Playground sends a task through the real runner to the (fake) Anthropic API.
      const prompt = page.getByRole('textbox', { name: 'Prompt' });
      await prompt.fill('Say hello.');
      await prompt.press('Control+Enter');
      await page.getByTestId('answer').getByText(DEFAULT_REPLY).waitFor(DEADLINE);
      // The answer's line says who answered: the provider and the model the server named.
      const stats = await page.locator('.turn__stats').innerText(DEADLINE);
      assert.match(stats, /^Anthropic · claude-sonnet-5-5 · /);
      assert.ok(
        anthropic.requests.some((request) => request.method === 'POST' && request.path.startsWith('/v1/messages')),
        'the runner called the Messages API',
      );
      await app.shot('playground');
      const received = await app.received();
      assert.ok(received.length > 0, 'main sent the window its messages');
      assert.ok(!received.some((message) => message.includes(KEY_INNARDS)), 'no message to the window carries the key');
      assert.ok(!app.output().includes(KEY_INNARDS), 'the host never prints the key');
      for (const file of filesUnder(userDataDir)) assert.ok(!fs.readFileSync(file, 'utf8').includes(KEY_INNARDS), `no key in ${file}`);
      assert.deepEqual(app.problems, [], 'no console errors');
    });
  },
);

journey(
  'Settings: arrow keys only move focus among providers, per-provider base URLs are saved or refused, the runner command asks first and can wait for a restart, the ollama binary is used',
  async ({ scope, start }) => {
    const userDataDir = setUpProfile(scope, (settings) => {
      settings.provider = 'ollama';
      settings.providers.ollama.model = 'qwen2.5:0.5b';
    });
    const env = hostEnv(scope, {
      ollamaHost: `127.0.0.1:${await freePort()}`,
      fakeOllama: { models: ['qwen2.5:0.5b'], registry: REGISTRY },
      extra: { OPENAI_API_KEY: 'sk-proj-e2e-0000000000000000000000' },
    });
    const app = await start({ userDataDir, env });
    const { page } = app;
    await app.explained(async () => {
      await app.waitForLog('the runner', 'app', /^Runner ready: ollama qwen2\.5:0\.5b /);
      const firstPid = readPidFile(userDataDir, 'runner.pid');
      await app.open('#/settings');
      const providers = page.getByRole('region', { name: 'Provider' });
      const ollama = providers.getByRole('radio', { name: /Ollama/ });
      const openai = providers.getByRole('radio', { name: /OpenAI/ });
      await ollama.focus();
      await page.keyboard.press('ArrowDown');
      assert.equal(await openai.evaluate((element) => element === element.ownerDocument.activeElement), true, 'focus moved to OpenAI');
      assert.equal(await ollama.isChecked(), true, 'one arrow press chooses nothing');
      assert.equal(readSettings(userDataDir).provider, 'ollama');
      await page.keyboard.press('Space');
      await waitFor('the provider to be saved', () => readSettings(userDataDir).provider === 'openai', HOST_WAIT_MS);
      await app.waitForLog('the OpenAI runner', 'app', /^Runner ready: openai /);
      await ollama.focus();
      await page.keyboard.press('Enter');
      await waitFor('Enter to choose Ollama again', () => readSettings(userDataDir).provider === 'ollama', HOST_WAIT_MS);
      // The runner is back on Ollama (its second start there) before anything else is changed.
      await waitFor(
        'the Ollama runner again',
        () => app.logLines().filter((line) => line.source === 'app' && line.msg.startsWith('Runner ready: ollama qwen2.5:0.5b ')).length >= 2,
        HOST_WAIT_MS,
      );

      // A per-provider base URL: an OpenAI-compatible server (LM Studio here), saved in its native form.
      const endpoints = page.getByRole('region', { name: 'Endpoints' });
      // A wrong value is told as it is typed, and Save stays off until it is right.
      const openaiEndpoint = endpoints.getByRole('form', { name: 'OpenAI endpoint' });
      await openaiEndpoint.getByLabel('OpenAI base URL').fill('ftp://localhost:1234');
      await openaiEndpoint.getByText('ftp:// is not served: type http(s)://host[:port][/path].').waitFor(DEADLINE);
      assert.equal(await openaiEndpoint.getByRole('button', { name: 'Save' }).isDisabled(), true);
      await openaiEndpoint.getByLabel('OpenAI base URL').fill('http://127.0.0.1:1234/v1');
      await openaiEndpoint.getByRole('button', { name: 'Save' }).click();
      await waitFor('the base URL to be saved', () => readSettings(userDataDir).providers.openai.baseUrl === 'http://127.0.0.1:1234/v1', HOST_WAIT_MS);
      await endpoints.getByRole('button', { name: 'Reset the OpenAI base URL' }).click();
      await waitFor('the default to be restored', () => readSettings(userDataDir).providers.openai.baseUrl === undefined, HOST_WAIT_MS);

      // The runner command asks first; "restart later" keeps the runner that runs.
      const runnerCard = page.getByRole('region', { name: 'Runner command' });
      const pidBefore = readPidFile(userDataDir, 'runner.pid');
      assert.notEqual(pidBefore, firstPid, 'switching provider restarted the runner');
      await runnerCard.getByLabel('Runner command').fill('python3 -m my_worker');
      await runnerCard.getByRole('button', { name: 'Save…' }).click();
      await runnerCard.getByText('Run python3 -m my_worker as the runner?').waitFor(DEADLINE);
      await app.shot('settings-runner-confirm');
      await runnerCard.getByRole('button', { name: 'Save, restart later' }).click();
      await runnerCard.getByText("Saved: python3 -m my_worker runs from the runner's next restart.").waitFor(DEADLINE);
      assert.equal(readSettings(userDataDir).runner.command, 'python3 -m my_worker');
      assert.equal(readPidFile(userDataDir, 'runner.pid'), pidBefore, 'the runner was not restarted');

      // The ollama binary, saved and used for the next launch.
      const binary = page.getByRole('region', { name: 'Ollama binary' });
      const fakeBinary = path.join(FAKE_OLLAMA_BIN_DIR, 'ollama');
      await binary.getByLabel('Path to the ollama binary').fill(fakeBinary);
      await binary.getByRole('button', { name: 'Save' }).click();
      // Saving relaunches the managed server with it: a process restart, slow on a busy machine.
      await binary.getByText(`Using ${fakeBinary} (settings`).waitFor({ timeout: 60_000 });
      assert.equal(readSettings(userDataDir).ollama.path, fakeBinary);
      assert.deepEqual(app.problems, []);
    });
  },
);

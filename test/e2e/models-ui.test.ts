/**
 * Models, downloads and the wizard's first answer, end to end: the real headless host (`--ui`)
 * with the Ollama double, driven in Debian's Chromium.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fitVerdict } from '../../src/shared/model-catalog.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { FAKE_OLLAMA_BIN_DIR } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { useBrowser } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, setUpProfile, hostEnv, readPidFile, startHost, waitFor } from '../support/e2e-host.ts';
import { DEADLINE, SCREENSHOTS, explained, newContext, openPage, shot, uiUrl, withRoute } from '../support/ui-e2e.ts';

/** Small layers pulled slowly: a pull lasts seconds, long enough to navigate, reload and cancel. */
const REGISTRY = {
  'qwen2.5:0.5b': [397_807_936, 6_929],
  'llama3.2:latest': [2_019_377_376, 1_429],
  'mistral:7b': [4_113_301_824, 7_711],
  'mistral:latest': [4_113_301_824, 7_711],
};

const browser = useBrowser();

const settingsFile = (dir: string) => path.join(dir, 'settings.json');
const readSettings = (dir: string) => JSON.parse(fs.readFileSync(settingsFile(dir), 'utf8')) as ReturnType<typeof defaultSettings>;

async function installedModels(port: number): Promise<string[]> {
  const answer = (await (await fetch(`http://127.0.0.1:${port}/api/tags`)).json()) as { models: { name: string }[] };
  return answer.models.map((model) => model.name);
}

test('the Models screen lists, pulls, cancels, deletes and unloads; downloads survive navigation and reload and never change the model', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  fs.writeFileSync(settingsFile(userDataDir), JSON.stringify({ ...defaultSettings(), provider: 'ollama', firstRunCompleted: true }));
  const port = await freePort();
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${port}`,
    fakeOllama: { models: ['qwen2.5:0.5b'], registry: REGISTRY, pullIntervalMs: 50, pullStepsPerLayer: 60 },
  });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const { page, problems } = await openPage(await newContext(browser(), scope), withRoute(url, '#/models'));
  await explained(host, [page], async () => {
    // Installed first, with what /api/tags says about it; the model in use is marked.
    const installed = page.getByRole('region', { name: 'Installed' });
    const row = installed.getByRole('row', { name: /qwen2\.5:0\.5b/ });
    await row.waitFor(DEADLINE);
    assert.match(await row.innerText(), /qwen2\.5:0\.5b\s+qwen family\s+In use\s+397\.8 MB\s+0\.5B\s+Q4_K_M\s+Fits\s+Delete/);
    assert.equal(await page.title(), 'Models · Stigmer');

    // Suggestions: the rule is on screen, verdicts follow it, exactly one is recommended.
    const suggested = page.getByRole('region', { name: 'Suggested' });
    await suggested.getByText('size × 1.2 plus 2 GB').waitFor(DEADLINE);
    const expected =
      fitVerdict(8_100_000_000, os.totalmem()) === 'fits'
        ? 'Fits this machine'
        : fitVerdict(8_100_000_000, os.totalmem()) === 'tight'
          ? 'Tight fit'
          : 'Too large';
    assert.match(await suggested.getByRole('listitem').filter({ hasText: 'gemma3:12b' }).innerText(), new RegExp(expected));
    assert.equal(await suggested.getByText('Recommended').count(), 1);
    await suggested.getByRole('button', { name: 'Pull mistral' }).waitFor(DEADLINE);
    await shot(page, 'models');

    // A name the registry cannot hold is refused with the rule, and never sent.
    const pullForm = page.getByRole('region', { name: 'Pull a model' });
    await pullForm.getByLabel('Model name to pull').fill('llama 3!');
    await pullForm.getByRole('button', { name: 'Pull' }).click();
    await pullForm.getByText('"llama 3!" is not a valid model name. A model name is name[:tag]').waitFor(DEADLINE);

    // A pull by name: the panel opens by itself with bytes, speed and time left, and no digest.
    await pullForm.getByLabel('Model name to pull').fill('mistral:7b');
    await pullForm.getByRole('button', { name: 'Pull' }).click();
    const panel = page.getByRole('complementary', { name: 'Downloads' });
    const bar = panel.getByRole('progressbar', { name: 'Pulling mistral:7b' });
    await bar.waitFor(DEADLINE);
    await panel.getByText(/of 4\.1 GB · [\d.]+ [KMG]?B\/s · \d+s left/).waitFor(DEADLINE);
    assert.doesNotMatch(await panel.innerText(), /[0-9a-f]{12}/, 'no layer digest');
    await shot(page, 'models-downloading');

    // It survives navigation and a reload: the list lives in main.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor(DEADLINE);
    await bar.waitFor(DEADLINE);
    await page.reload();
    await page.getByRole('button', { name: 'Downloads' }).click();
    const before = Number(await bar.getAttribute('value', DEADLINE));
    await waitFor('the download to go on after the reload', async () => Number(await bar.getAttribute('value')) > before, HOST_WAIT_MS);

    // Cancelling says so, and installs nothing.
    await panel.getByRole('button', { name: 'Cancel download of mistral:7b' }).click();
    await panel.getByText('Download of mistral:7b cancelled.').waitFor(DEADLINE);
    assert.ok(!(await installedModels(port)).includes('mistral:7b'));

    // A pull the user did not ask to use leaves the model alone, even the default's own model.
    await page.getByRole('link', { name: 'Models' }).click();
    await pullForm.getByLabel('Model name to pull').fill('llama3.2');
    await pullForm.getByRole('button', { name: 'Pull' }).click();
    await panel.getByText('llama3.2 is installed. Your current model is unchanged.').waitFor(DEADLINE);
    await installed.getByRole('row', { name: /llama3\.2:latest/ }).waitFor(DEADLINE);
    assert.match(await row.innerText(), /In use/, 'qwen2.5:0.5b stays in use');
    assert.equal(readSettings(userDataDir).providers.ollama.model, 'qwen2.5:0.5b', 'the default model is kept as it was');
    await panel.getByRole('button', { name: 'Dismiss llama3.2' }).click();
    await panel.getByText('llama3.2 is installed').waitFor({ state: 'detached', ...DEADLINE });

    // Loaded models with their memory, and Unload.
    await fetch(`http://127.0.0.1:${port}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'llama3.2:latest', prompt: '', keep_alive: '10m' }) });
    await page.reload();
    const loaded = page.getByRole('region', { name: 'Loaded in memory' });
    await loaded.getByText('2.0 GB in memory').waitFor(DEADLINE);
    await loaded.getByRole('button', { name: 'Unload llama3.2:latest' }).click();
    await loaded.getByText('No model is loaded in memory').waitFor(DEADLINE);

    // Delete asks first, then says how much space it freed.
    await installed.getByRole('button', { name: 'Delete llama3.2:latest' }).click();
    await installed.getByText('Delete and free 2.0 GB?').waitFor(DEADLINE);
    await shot(page, 'models-delete-confirm');
    await installed.getByRole('group', { name: 'Confirm deleting llama3.2:latest' }).getByRole('button', { name: 'Delete' }).click();
    await installed.getByText('Deleted llama3.2:latest; 2.0 GB freed.').waitFor(DEADLINE);
    await installed.getByRole('row', { name: /llama3\.2:latest/ }).waitFor({ state: 'detached', ...DEADLINE });
    assert.deepEqual(await installedModels(port), ['qwen2.5:0.5b']);
    assert.deepEqual(problems, [], 'no console errors');
  });
});

test('--llm-model fast resolves to the smallest installed model that fits, shown with the alias and its source', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  fs.writeFileSync(settingsFile(userDataDir), JSON.stringify({ ...defaultSettings(), firstRunCompleted: true }));
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2', 'qwen2.5:0.5b'], registry: REGISTRY } });
  const host = startHost(scope, ['--ui', '--llm-provider', 'ollama', '--llm-model', 'fast', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  await host.waitForLine('the runner on the resolved model', (line) => / \[app\] Runner ready: ollama qwen2\.5:0\.5b /.test(line));
  const { page, problems } = await openPage(await newContext(browser(), scope), withRoute(url, '#/models'));
  await explained(host, [page], async () => {
    const aliases = page.getByRole('region', { name: 'Aliases' });
    await aliases.getByText('In use: fast → qwen2.5:0.5b').waitFor(DEADLINE);
    assert.match(await aliases.innerText(), /flag --llm-model/);
    assert.match(await aliases.innerText(), /fast\s+qwen2\.5:0\.5b — the smallest installed model that fits this machine \(2 fit\)/);
    assert.match(await aliases.innerText(), /powerful\s+llama3\.2:latest — the largest installed model that fits/);
    await shot(page, 'models-aliases');
    await page.getByRole('link', { name: 'Overview' }).click();
    assert.match(await page.getByRole('region', { name: 'Configuration' }).innerText(), /Model\s+fast → qwen2\.5:0\.5b\s+flag --llm-model/);
    assert.deepEqual(problems, []);
  });
});

test('the wizard: set up later is remembered, a model still downloading lets the user go on, and the last step shows a first answer', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: [], registry: REGISTRY, pullIntervalMs: 40, pullStepsPerLayer: 50 } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const { page, problems } = await openPage(await newContext(browser(), scope), url);
  await explained(host, [page], async () => {
    await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
    assert.equal(await page.title(), 'Setup · Stigmer', 'the tab says where the user is');
    await page.getByRole('button', { name: 'Set up later' }).click();
    await page.getByText('Setup is not finished').waitFor(DEADLINE);
    await page.reload();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(DEADLINE);
    assert.equal(await page.getByRole('heading', { name: 'Detect Ollama' }).count(), 0, 'a reload does not bring the wizard back');
    await page.getByRole('link', { name: 'Resume setup' }).click();

    await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /Ollama/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();

    // The picker's selection is what Continue saves, downloading it if need be.
    await page.getByRole('heading', { name: 'Choose a model' }).waitFor(DEADLINE);
    await page.getByLabel('Model', { exact: true }).selectOption('llama3.2');
    await page.getByRole('button', { name: 'Download and continue' }).click();
    await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
    // The app's own problem for the model, as the Overview shows it: downloading, the runner starts once it lands.
    await waitFor(
      'the review to say the model is downloading and the runner waits for it',
      async () => {
        const review = await page.locator('.wizard__body').innerText();
        return (
          /llama3\.2 is (still )?downloading/.test(review) && /the runner starts (with it once the download is complete|as soon as it lands)/i.test(review)
        );
      },
      HOST_WAIT_MS,
    );
    await shot(page, 'wizard-review-downloading');
    await page.getByRole('button', { name: 'Looks good' }).click();

    await page.getByRole('heading', { name: 'Start the runner' }).waitFor(DEADLINE);
    await page.getByRole('button', { name: 'Start runner' }).click();
    await page.getByText('waiting for llama3.2 to finish downloading').waitFor(DEADLINE);
    assert.equal(readPidFile(userDataDir, 'runner.pid'), undefined, 'the runner waits for its model');
    await page.getByText(/The runner is up \(pid \d+\)/).waitFor({ timeout: 60_000 });
    assert.equal(readSettings(userDataDir).providers.ollama.model, 'llama3.2');

    await page.getByRole('button', { name: 'Send a first prompt' }).click();
    await page.getByTestId('first-answer').getByText('Hello from the fake Ollama.').waitFor(DEADLINE);
    // The answer streams in first; who answered and how fast come with the runner's last message.
    const latency = page.getByRole('definition').filter({ hasText: /\d+ ms|\d\.\d+ s/ });
    await latency.first().waitFor(DEADLINE);
    const who = await latency.count();
    assert.equal(who, 1, 'the latency is shown');
    const stats = await page.locator('.first-answer .stats').innerText();
    assert.match(stats, /Provider\s+Ollama/);
    assert.match(stats, /Model\s+llama3\.2/);
    await shot(page, 'wizard-first-answer');
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(DEADLINE);
    assert.equal(readSettings(userDataDir).setupDeferred, undefined, 'finishing clears "later"');
    assert.deepEqual(problems, []);
  });
});

test('Settings: arrow keys only move focus among providers, per-provider base URLs are saved or refused, the runner command asks first and can wait for a restart', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'qwen2.5:0.5b';
  });
  const port = await freePort();
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${port}`,
    fakeOllama: { models: ['qwen2.5:0.5b'], registry: REGISTRY },
    extra: { OPENAI_API_KEY: 'sk-proj-e2e-0000000000000000000000' },
  });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  await host.waitForLine('the runner', (line) => / \[app\] Runner ready: ollama qwen2\.5:0\.5b /.test(line));
  const firstPid = readPidFile(userDataDir, 'runner.pid');
  const { page, problems } = await openPage(await newContext(browser(), scope), withRoute(url, '#/settings'));
  await explained(host, [page], async () => {
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
    await host.waitForLine('the OpenAI runner', (line) => / \[app\] Runner ready: openai /.test(line));
    await ollama.focus();
    await page.keyboard.press('Enter');
    await waitFor('Enter to choose Ollama again', () => readSettings(userDataDir).provider === 'ollama', HOST_WAIT_MS);

    // A per-provider base URL: an OpenAI-compatible server (LM Studio here), saved in its native form.
    const endpoints = page.getByRole('region', { name: 'Endpoints' });
    await endpoints.getByLabel('OpenAI base URL').fill('ftp://localhost:1234');
    await endpoints.getByRole('button', { name: 'Save' }).nth(1).click();
    await endpoints.getByText(/The OpenAI base URL "ftp:\/\/localhost:1234" .*Use http\(s\):\/\/host\[:port\]\[\/path\]/).waitFor(DEADLINE);
    await endpoints.getByLabel('OpenAI base URL').fill('http://127.0.0.1:1234/v1');
    await endpoints.getByRole('button', { name: 'Save' }).nth(1).click();
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
    await shot(page, 'settings-runner-confirm');
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
    assert.deepEqual(problems, []);
  });
});

test('screenshots of the new screens: light and dark, 800×600 and the Electron minimum width', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const port = await freePort();
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${port}`,
    fakeOllama: { models: ['llama3.2', 'qwen2.5:0.5b'], registry: REGISTRY, pullIntervalMs: 200, pullStepsPerLayer: 200 },
  });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of [
      { width: 800, height: 600 },
      { width: 760, height: 520 },
    ]) {
      const { page, problems } = await openPage(await newContext(browser(), scope, { colorScheme, viewport }), withRoute(url, '#/models'));
      await explained(host, [page], async () => {
        await page
          .getByRole('region', { name: 'Installed' })
          .getByRole('row', { name: /llama3\.2:latest/ })
          .waitFor(DEADLINE);
        if (colorScheme === 'light' && viewport.width === 800) await page.getByRole('button', { name: 'Pull mistral' }).click();
        const panel = page.getByRole('complementary', { name: 'Downloads' });
        if (colorScheme === 'light' && viewport.width === 800) await panel.getByRole('progressbar').waitFor(DEADLINE);
        else await page.getByRole('button', { name: 'Downloads' }).click();
        await panel.waitFor(DEADLINE);
        await page.evaluate('document.querySelector("main").scrollTo(0, 0)');
        const name = `${colorScheme}-${viewport.width}x${viewport.height}`;
        await page.screenshot({ path: path.join(SCREENSHOTS, `e2e-models-${name}.png`) });
        assert.equal(await page.evaluate('document.querySelector(".sidebar").getBoundingClientRect().height'), viewport.height, 'the sidebar fills the window');
        // Nothing sticks out sideways at this size.
        assert.equal(
          await page.evaluate('document.querySelector("main").scrollWidth <= document.querySelector("main").clientWidth'),
          true,
          `no horizontal overflow at ${name}`,
        );
        await page.goto(withRoute(url, '#/settings'));
        await page.getByRole('region', { name: 'Endpoints' }).waitFor(DEADLINE);
        await page.screenshot({ path: path.join(SCREENSHOTS, `e2e-settings-${name}.png`) });
        for (const route of ['overview', 'logs'] as const) {
          await page.goto(withRoute(url, `#/${route}`));
          await page.getByRole('heading', { level: 1 }).waitFor(DEADLINE);
          await page.screenshot({ path: path.join(SCREENSHOTS, `e2e-${route}-${name}.png`) });
        }
        assert.deepEqual(problems, []);
      });
    }
  }
});

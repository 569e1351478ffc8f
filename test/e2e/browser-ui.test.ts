/**
 * The headless host's browser() UI end to end: the real host (`--ui`) as a child process with the
 * Ollama double, driven in Debian's Chromium through playwright-core.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { DEFAULT_REPLY, startServer } from '../doubles/cloud/common.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { useBrowser } from '../support/chromium.ts';
import { upgradeStatus } from '../support/websocket.ts';
import { HOST_WAIT_MS, Scope, setUpProfile, escapeRegExp, filesUnder, hostEnv, readPidFile, startHost, waitFor } from '../support/e2e-host.ts';
import { DEADLINE, SCREENSHOTS, explained, newContext as newBrowserContext, openPage, shot, uiUrl, withRoute } from '../support/ui-e2e.ts';

/** A key the user types: distinctive, so a leak anywhere is found by a plain search. */
const TYPED_KEY = 'sk-ant-api03-E2eTYPEDbyHAND-q7Xw2Lp9Vn4Rt6Ys8Zu1Mb3Kc5Jd0Hf-9kQ2';
const KEY_INNARDS = 'E2eTYPEDbyHAND';
/** The installed model list is empty at first, so a blank profile needs the wizard. */
const REGISTRY = { 'llama3.2:latest': [2_019_377_376, 1_429, 7_711] };

const browser = useBrowser();

const newContext = (scope: Scope) => newBrowserContext(browser(), scope);

test('the wizard takes a blank profile to a running runner: detect Ollama, choose it, pull a model, review, start', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: [], registry: REGISTRY, pullIntervalMs: 40, pullStepsPerLayer: 40 } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const { page, problems } = await openPage(await newContext(scope), url);
  await explained(host, [page], async () => {
    await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
    await page.getByText(`answers at http://127.0.0.1:${port} with 0 models installed`).waitFor(DEADLINE);
    await shot(page, 'wizard-1-detect-ollama');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Choose a provider' }).waitFor(DEADLINE);
    await page.getByRole('radio', { name: /Ollama/ }).check();
    await shot(page, 'wizard-2-provider');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Choose a model' }).waitFor(DEADLINE);
    await page.getByRole('button', { name: 'Download and continue' }).waitFor(DEADLINE);
    await page.getByLabel('Model', { exact: true }).selectOption('llama3.2');
    await page.getByRole('button', { name: 'Pull model' }).click();
    const bar = page.getByRole('region', { name: 'Choose a model' }).getByRole('progressbar', { name: 'Pulling llama3.2' });
    await bar.waitFor(DEADLINE);
    await waitFor('the progress bar to move', async () => Number((await bar.getAttribute('value').catch(() => null)) ?? 0) > 5, HOST_WAIT_MS);
    await shot(page, 'wizard-3-pull-progress');
    await page.getByText('llama3.2 is installed and selected.').waitFor(DEADLINE);
    await page.getByRole('button', { name: 'In use' }).waitFor(DEADLINE);
    assert.equal(await page.getByLabel('Model', { exact: true }).inputValue(), 'llama3.2:latest', 'the picker shows the pulled model');
    await page.getByRole('button', { name: 'Continue', disabled: false }).click();

    await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
    const summary = await page.locator('.wizard__body').innerText();
    assert.match(summary, /Provider\s+Ollama/);
    assert.match(summary, /Model\s+llama3\.2/);
    assert.match(summary, new RegExp(`Base URL\\s+http://127\\.0\\.0\\.1:${port}`));
    await shot(page, 'wizard-4-review');
    await page.getByRole('button', { name: 'Looks good' }).click();

    await page.getByRole('heading', { name: 'Start the runner' }).waitFor(DEADLINE);
    assert.equal(readPidFile(userDataDir, 'runner.pid'), undefined, 'the runner waits for the wizard');
    await page.getByRole('button', { name: 'Start runner' }).click();
    const up = await page.getByText(/The runner is up \(pid \d+\)/).textContent(DEADLINE);
    const pagePid = Number(/pid (\d+)/.exec(up ?? '')?.[1]);
    await host.waitForLine('the runner to report ready', (line) => / \[app\] Runner ready: ollama llama3\.2/.test(line));
    assert.equal(readPidFile(userDataDir, 'runner.pid'), pagePid, 'the page shows the pid of the runner that runs');
    await shot(page, 'wizard-5-start-runner');
    await page.getByRole('button', { name: 'Finish' }).click();

    const runner = page.getByRole('region', { name: 'Runner' });
    await runner.getByText(`${pagePid}`, { exact: true }).waitFor(DEADLINE);
    const configuration = await page.getByRole('region', { name: 'Configuration' }).innerText();
    assert.match(configuration, /Provider\s+Ollama/);
    assert.match(configuration, /Model\s+llama3\.2/);
    await shot(page, 'overview');
    const settings = JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { firstRunCompleted: boolean };
    assert.equal(settings.firstRunCompleted, true, 'the wizard is done for good');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

test('a key added in Settings stays masked, switching provider restarts the runner, and logs stream live', async (t) => {
  const scope = new Scope(t);
  const anthropic = await startFakeAnthropic({ validKeys: [TYPED_KEY] });
  scope.defer(() => anthropic.close());
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
    settings.providers.anthropic.baseUrl = anthropic.url;
  });
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--log-format', 'json', '--user-data-dir', userDataDir], env);
  const pages: Page[] = [];
  await explained(host, pages, async () => {
    const url = await uiUrl(host);
    await host.waitForLine('the Ollama runner to be ready', (line) => line.includes('"msg":"Runner ready: ollama llama3.2'));
    const firstPid = readPidFile(userDataDir, 'runner.pid');
    assert.ok(firstPid !== undefined);

    const context = await newContext(scope);
    const logs = await openPage(context, withRoute(url, '#/logs'));
    pages.push(logs.page);
    await logs.page.getByRole('toolbar', { name: 'Log filters' }).waitFor(DEADLINE);
    await logs.page.getByText('Runner ready: ollama llama3.2').first().waitFor(DEADLINE);
    await logs.page.evaluate('window.__sameDocument = true');

    const main = await openPage(context, withRoute(url, '#/settings'));
    pages.push(main.page);
    const { page } = main;
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
    await shot(page, 'settings');

    await providers.getByRole('radio', { name: /Anthropic/ }).check();
    const restarted = await host.waitForLine(
      'the runner to start again with Anthropic',
      (line) => line.includes('"msg":"runner starting"') && line.includes('"provider":"anthropic"'),
    );
    const record = JSON.parse(restarted) as Record<string, unknown>;
    assert.equal(record.baseUrl, anthropic.url, 'the runner got the saved Anthropic base URL');
    assert.equal(record.apiKey, maskSecret(TYPED_KEY), 'and the key, masked in its log');
    const secondPid = await waitFor(
      'the new runner pid file',
      () => {
        const pid = readPidFile(userDataDir, 'runner.pid');
        return pid !== undefined && pid !== firstPid ? pid : undefined;
      },
      HOST_WAIT_MS,
    );
    assert.equal(Number(record.pid), secondPid, 'the runner that logged it is the one running');

    // The Logs page, opened before the switch and never reloaded, streams the lines the switch caused.
    const filter = logs.page.getByPlaceholder('Filter messages…');
    await filter.fill('provider switched to Anthropic');
    await logs.page.getByText("The runner's configuration changed: provider switched to Anthropic").waitFor(DEADLINE);
    await filter.fill('Runner ready: anthropic');
    await logs.page.getByText(`Runner ready: anthropic claude-sonnet-5-5 at ${anthropic.url}`).waitFor(DEADLINE);
    await filter.fill('');
    await logs.page.getByRole('checkbox', { name: 'Ollama' }).uncheck();
    await logs.page.getByRole('checkbox', { name: 'App' }).uncheck();
    await logs.page
      .locator('.log-row__msg')
      .filter({ hasText: /^runner starting \{.*"provider":"anthropic"/ })
      .first()
      .waitFor(DEADLINE);
    await logs.page.getByRole('checkbox', { name: 'Ollama' }).check();
    await logs.page.getByRole('checkbox', { name: 'App' }).check();
    assert.equal(await logs.page.evaluate('window.__sameDocument'), true, 'the Logs page was not reloaded');
    await shot(logs.page, 'logs');

    // Removing the key in use stops the runner, and with nothing usable left the wizard is back;
    // adding a key there starts the runner again.
    await page.getByRole('button', { name: 'Remove' }).first().click();
    await waitFor('the runner to stop without a key', () => readPidFile(userDataDir, 'runner.pid') === undefined, HOST_WAIT_MS);
    await host.waitForLine(
      'the missing key to be reported',
      (line) => line.includes('"level":"warn"') && line.includes('Stopping the runner until the configuration is fixed: Anthropic needs an API key'),
    );
    await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Choose a provider' }).waitFor(DEADLINE);
    assert.equal(await page.getByRole('radio', { name: /Anthropic/ }).isChecked(), true, 'the provider in use is preselected');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Add your Anthropic API key' }).waitFor(DEADLINE);
    await page.getByText('The key is checked with the provider, then held for this session only').waitFor(DEADLINE);
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
    await shot(page, 'wizard-3-key-anthropic');
    await page.getByRole('button', { name: 'Continue', disabled: false }).click();
    await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
    assert.match(await page.locator('.wizard__body').innerText(), new RegExp(`API key\\s+${escapeRegExp(maskSecret(TYPED_KEY))}`));
    await page.getByRole('button', { name: 'Looks good' }).click();
    const thirdPid = await waitFor(
      'the runner to start again with the key back',
      () => {
        const pid = readPidFile(userDataDir, 'runner.pid');
        return pid !== undefined && pid !== secondPid ? pid : undefined;
      },
      HOST_WAIT_MS,
    );
    await page.getByText(`The runner is up (pid ${thirdPid}).`).waitFor(DEADLINE);
    await page.getByRole('button', { name: 'Finish' }).click();

    await page.goto(withRoute(url, '#/overview'));
    await page.getByRole('region', { name: 'Runner' }).getByText(`${thirdPid}`, { exact: true }).waitFor(DEADLINE);
    assert.match(await page.getByRole('region', { name: 'Configuration' }).innerText(), /Provider\s+Anthropic/);
    await shot(page, 'overview-anthropic');

    for (const route of ['#/overview', '#/settings', '#/logs', '#/playground']) {
      await page.goto(withRoute(url, route));
      await page.locator('.page-header__title').waitFor(DEADLINE);
      assert.ok(!(await page.content()).includes(KEY_INNARDS), `the page never holds the key (${route})`);
      const values = await Promise.all((await page.locator('input, textarea').all()).map((field) => field.inputValue()));
      assert.ok(!values.some((value) => value.includes(KEY_INNARDS)), `no field holds the key (${route})`);
    }
    // The playground sends a task through the real runner to the (fake) Anthropic API.
    const prompt = page.getByRole('textbox', { name: 'Prompt' });
    await prompt.fill('Say hello.');
    await prompt.press('Control+Enter');
    await page.getByTestId('answer').getByText(DEFAULT_REPLY).waitFor(DEADLINE);
    const stats = await page.locator('.stats').innerText();
    assert.match(stats, /Provider\s+Anthropic/);
    assert.match(stats, /Model\s+claude-sonnet-5-5/);
    assert.ok(
      anthropic.requests.some((request) => request.method === 'POST' && request.path.startsWith('/v1/messages')),
      'the runner called the Messages API',
    );
    await shot(page, 'playground');
    for (const { frames } of [main, logs]) {
      assert.ok(frames.length > 0);
      assert.ok(!frames.some((frame) => frame.includes(KEY_INNARDS)), 'no message to a page carries the key');
    }
    assert.ok(!host.stdout.includes(KEY_INNARDS), 'the host never prints the key');
    for (const file of filesUnder(userDataDir)) assert.ok(!fs.readFileSync(file, 'utf8').includes(KEY_INNARDS), `no key in ${file}`);
    assert.deepEqual([...main.problems, ...logs.problems], [], 'no console errors');
  });
});

test('the page comes up on every load, however early the state arrives', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  await host.waitForLine('the runner to report ready', (line) => / \[app\] Runner ready: ollama/.test(line));
  const { page, problems } = await openPage(await newContext(scope), url);
  await explained(host, [page], async () => {
    // Once the host is quiet, a state that arrived before the page listened would never come again.
    const routes = ['overview', 'settings', 'logs', 'playground'];
    for (let load = 0; load < 24; load++) {
      const route = routes[load % routes.length]!;
      await page.goto(withRoute(url, `#/${route}`));
      await page.getByRole('heading', { level: 1, name: route[0]!.toUpperCase() + route.slice(1) }).waitFor({ timeout: 15_000 });
    }
    assert.deepEqual(problems, []);
  });
});

/** A raw HTTP request, so `Host` and `Origin` can be anything a hostile page could send. */
function request(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

/** Listening TCP sockets on a port, as `ip:port` in /proc's hex notation decoded. */
function listeners(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue;
      const [address, hexPort] = local.split(':');
      if (Number.parseInt(hexPort ?? '', 16) !== port || address === undefined) continue;
      found.push(
        address.length === 8
          ? (address.match(/../g) ?? [])
              .reverse()
              .map((byte) => Number.parseInt(byte, 16))
              .join('.')
          : address,
      );
    }
  }
  return found;
}

test('the real host refuses requests without the token, from other origins, or for another Host, and listens on 127.0.0.1 only', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--log-format', 'json', '--user-data-dir', userDataDir], env);
  const url = new URL(await uiUrl(host));
  const token = url.searchParams.get('token') ?? '';
  assert.equal(url.hostname, '127.0.0.1');
  assert.ok(token.length >= 32, 'a long random token');
  const origin = `http://127.0.0.1:${url.port}`;
  const base = `${origin}/`;

  assert.equal(await request(base, {}), 401, 'no token');
  assert.equal(await request(`${base}?token=${'x'.repeat(token.length)}`, {}), 401, 'a wrong token');
  assert.equal(await request(`${base}assets/index.js`, {}), 401, 'an asset without the token');
  assert.equal(await request(`${base}?token=${token}`, {}), 303, 'the token leads to the page');
  assert.equal(await request(`${base}?token=${token}`, { Origin: 'http://evil.example' }), 403, 'a foreign Origin');
  assert.equal(await request(`${base}?token=${token}`, { Host: `rebind.evil.example:${url.port}` }), 403, 'a rebinding Host');
  assert.equal(await request(`${base}?token=${token}`, { Host: `127.0.0.1:${url.port}.evil.example` }), 403, 'a Host that only starts like ours');

  const ws = `ws://127.0.0.1:${url.port}/ws`;
  assert.equal(await upgradeStatus(ws, {}), 401, 'a WebSocket without the token');
  assert.equal(await upgradeStatus(`${ws}?token=${token}`, { Origin: 'http://evil.example' }), 403, 'a WebSocket from a foreign page');
  assert.equal(await upgradeStatus(`${ws}?token=${token}`, { Host: `rebind.evil.example:${url.port}` }), 403, 'a WebSocket for a rebinding Host');
  assert.equal(await upgradeStatus(`${ws}?token=${token}`, { Origin: origin }), 101, 'the page itself gets in');

  assert.deepEqual(listeners(Number(url.port)), ['127.0.0.1'], 'bound to 127.0.0.1 and nothing else');
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal);
  if (external) {
    await assert.rejects(request(`http://${external.address}:${url.port}/?token=${token}`, {}), /ECONNREFUSED/, 'unreachable from another interface');
  }

  for (const line of host.lines()) assert.doesNotThrow(() => JSON.parse(line), `a JSON line: ${line}`);
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null });
  for (const file of filesUnder(userDataDir)) assert.ok(!fs.readFileSync(file, 'utf8').includes(token), `the token stays out of ${file}`);
});

/** A page another local server (a dev server, a notebook…) shows: it loads and fetches from its own origin. */
const OTHER_SITE_PAGE = '<!doctype html><title>another local server</title><img src="pixel.png"><script>fetch("api", { credentials: "include" });</script>';

test('the access token never reaches another server on 127.0.0.1 opened in the same browser', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const token = new URL(url).searchParams.get('token') ?? '';
  const recorder = await startServer((recorded, response) => {
    response.writeHead(200, { 'content-type': recorded.path.endsWith('.png') ? 'image/png' : 'text/html' });
    response.end(recorded.path.endsWith('/api') || recorded.path.endsWith('.png') ? '' : OTHER_SITE_PAGE);
  });
  scope.defer(() => recorder.close());
  const context = await newContext(scope);
  const ui = await openPage(context, withRoute(url, '#/logs'));
  await explained(host, [ui.page], async () => {
    await ui.page.getByRole('toolbar', { name: 'Log filters' }).waitFor(DEADLINE);
    const appPath = new URL(ui.page.url()).pathname;
    assert.ok(!ui.page.url().includes(token), `the address bar no longer holds the token: ${ui.page.url()}`);
    assert.deepEqual(await context.cookies(), [], 'the browser() holds no cookie for the UI');
    await ui.page.reload();
    await ui.page.getByText('Runner ready: ollama llama3.2').first().waitFor(DEADLINE);
    assert.ok(!ui.frames.some((frame) => frame.includes(token)), 'the token is not echoed to the page');

    // Another local server, in the same profile: opened directly, at the UI's own path (as if it
    // had learnt it), and by following a link out of the UI (Referer).
    const other = await context.newPage();
    await other.goto(`${recorder.url}/`);
    await other.goto(`${recorder.url}${appPath}`);
    await ui.page.evaluate(`location.href = ${JSON.stringify(`${recorder.url}/from-the-ui`)}`);
    await ui.page.waitForURL(`${recorder.url}/from-the-ui`);
    await waitFor('every load of the other pages', () => recorder.requests.filter((seen) => seen.path.endsWith('/api')).length >= 3, HOST_WAIT_MS);
    const leaks = recorder.requests.filter((seen) => `${seen.path} ${JSON.stringify(seen.headers)}`.includes(token));
    t.diagnostic(`the other-port recorder: ${leaks.length} of ${recorder.requests.length} requests carried the token`);
    assert.deepEqual(leaks, [], `the other server saw the token (${leaks.length} of ${recorder.requests.length} requests)`);
    const uiOrigin = new URL(url).origin;
    const refererOfUi = recorder.requests.filter((seen) => String(seen.headers.referer ?? '').startsWith(uiOrigin));
    assert.deepEqual(refererOfUi, [], 'no Referer names the UI');
    assert.ok(
      recorder.requests.every((seen) => seen.headers.cookie === undefined),
      'no cookie went to the other server',
    );
    assert.ok(recorder.requests.length >= 9, `pages, images and fetches were all recorded (${recorder.requests.length})`);

    // The address bar's URL, copied to a fresh profile, opens nothing and says what to open.
    const stranger = await newContext(scope);
    const copied = await stranger.newPage();
    await copied.goto(`${uiOrigin}${appPath}#/settings`);
    await copied.getByText('This page needs the access token. Open the URL that `npm run headless -- --ui` printed').waitFor(DEADLINE);

    // And the UI still opens from its printed URL in the same profile.
    const again = await openPage(context, withRoute(url, '#/overview'));
    await again.page.getByRole('region', { name: 'Runner' }).waitFor(DEADLINE);
    assert.deepEqual([...ui.problems, ...again.problems], [], 'no console errors');
  });
});

test('while "Expose to network" is on the window says so on top, Settings says what it exposes, and turning it off clears it', async (t) => {
  const scope = new Scope(t);
  // An Ollama already running on loopback: the host uses it and launches none, so nothing here
  // ever listens on 0.0.0.0.
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const userDataDir = scope.tempDir();
  const saved = defaultSettings();
  fs.writeFileSync(
    path.join(userDataDir, 'settings.json'),
    JSON.stringify({
      ...saved,
      provider: 'ollama',
      providers: { anthropic: {}, openai: {}, ollama: { model: 'llama3.2' } },
      ollama: { ...saved.ollama, exposeToNetwork: true },
      firstRunCompleted: true,
    }),
  );
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${ollama.port}` });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  for (const colorScheme of ['light', 'dark'] as const) {
    const context = await browser().newContext({ colorScheme, viewport: { width: 800, height: 600 } });
    scope.defer(() => context.close());
    const { page, problems } = await openPage(context, withRoute(url, '#/overview'));
    await explained(host, [page], async () => {
      const banner = page.locator('.banner').getByText('"Expose to network" is on: the next Ollama this app starts listens on 0.0.0.0.');
      await banner.waitFor(DEADLINE);
      for (const width of [800, 760]) {
        await page.setViewportSize({ width, height: width === 800 ? 600 : 520 });
        await page.goto(withRoute(url, '#/overview'));
        await banner.waitFor(DEADLINE);
        await page.screenshot({ path: path.join(SCREENSHOTS, `e2e-exposed-overview-${colorScheme}-${width}.png`) });
        await page.goto(withRoute(url, '#/settings'));
        const server = page.getByRole('region', { name: 'Ollama server' });
        const exposeBox = server.getByRole('checkbox', { name: /Expose Ollama to the network/ });
        await exposeBox.waitFor(DEADLINE);
        assert.equal(await exposeBox.isChecked(), true);
        await server.getByText('Ollama has no password: with this on, anyone who can reach this machine').waitFor(DEADLINE);
        await exposeBox.scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(SCREENSHOTS, `e2e-exposed-settings-${colorScheme}-${width}.png`) });
      }
      assert.deepEqual(problems, []);
    });
  }

  const context = await newContext(scope);
  const { page } = await openPage(context, withRoute(url, '#/settings'));
  await explained(host, [page], async () => {
    const server = page.getByRole('region', { name: 'Ollama server' });
    await server.getByRole('checkbox', { name: /Expose Ollama to the network/ }).uncheck();
    await server.getByText('Off: only this machine can reach Ollama.').waitFor(DEADLINE);
    await server.getByRole('button', { name: 'Save server options' }).click();
    const savedOff = () =>
      (JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { ollama: { exposeToNetwork: boolean } }).ollama.exposeToNetwork ===
      false;
    await waitFor('the setting to be saved off', savedOff, HOST_WAIT_MS);
    const after = await openPage(context, withRoute(url, '#/overview'));
    await after.page.getByRole('region', { name: 'Runner' }).waitFor(DEADLINE);
    assert.equal(await after.page.locator('.banner').count(), 0, 'no banner once it is off');
  });
});

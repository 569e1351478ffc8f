import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ensureRendererBuilt } from '../../src/main/headless/renderer-build.ts';
import { startUiServer } from '../../src/main/headless/ui-server.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { SCREENSHOTS, launchChromium, watchPage } from '../support/chromium.ts';
import { appStateFixture, withDerivedProblems } from '../support/app-state-fixture.ts';
import { FakeCore } from './fake-core.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';

const FULL_KEY = 'sk-ant-api03-Zq81TYPEDbyTHEuser-5kT7x2wQ9fJ4mB3vN6pL8sR1dH0g';
const DEADLINE = { timeout: 20_000 };

let browser: Browser;
let rendererDir: string;

before(async () => {
  // The build the host serves (npm test's global setup made it, once per run); a rebuild is renamed
  // into place, so a page never sees a half-written one.
  rendererDir = await ensureRendererBuilt();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

interface Session {
  core: FakeCore;
  page: Page;
  /** Every WebSocket frame the page received. */
  frames: string[];
  /** Console errors, CSP violations included. */
  problems: string[];
  /** Closing it drops the page's connection. */
  server: { close(): Promise<void> };
}

interface OpenOptions {
  state?: AppState;
  colorScheme?: 'light' | 'dark';
  /** A hash route such as `#/logs`. */
  route?: string;
  deviceScaleFactor?: number;
}

async function open(
  t: TestContext,
  { state = appStateFixture(), colorScheme = 'light', route = '', deviceScaleFactor = 1 }: OpenOptions = {},
): Promise<Session> {
  const core = new FakeCore(state);
  const server = await startUiServer({ rendererDir, handleCommand: core.handleCommand, subscribe: core.subscribe });
  t.after(() => server.close());
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 860 }, deviceScaleFactor });
  t.after(() => context.close());
  const page = await context.newPage();
  const { frames, problems } = watchPage(page);
  await page.goto(`${server.url}${route}`);
  return { core, page, frames, problems, server };
}

/** Runs in the page: the focused control's name and its outline. */
const FOCUSED_ELEMENT = `(() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  return { name: (element.getAttribute('aria-label') ?? element.textContent ?? '').trim(), outline: style.outlineStyle, width: style.outlineWidth };
})()`;

/** Waits until the log status reads exactly `text`, e.g. "2,000 of 2,000 lines in the window". */
const logCount = (page: Page, text: string) =>
  page
    .getByTestId('log-count')
    .filter({ hasText: new RegExp(`^${escapeRegExp(text)}$`) })
    .waitFor(DEADLINE);

/** Saves a screenshot of the whole screen: the window grows to the main area's content, then shrinks back. */
async function shot(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 860 };
  const contentHeight = Number(await page.evaluate('document.querySelector("main")?.scrollHeight ?? 0'));
  if (contentHeight > viewport.height) await page.setViewportSize({ width: viewport.width, height: contentHeight });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.setViewportSize(viewport);
}

test('the overview shows every configuration field with its source, pinned state and masked keys', async (t) => {
  const { page, problems } = await open(t);
  const config = page.getByRole('region', { name: 'Configuration' });
  await config.getByText('env LLM_PROVIDER').waitFor(DEADLINE);
  await config.getByText('pinned by LLM_PROVIDER').waitFor(DEADLINE);
  const text = await config.innerText();
  assert.match(text, /Provider\s+Ollama/);
  assert.match(text, /Model\s+llama3\.2:latest\s+settings/);
  assert.match(text, /Base URL\s+http:\/\/127\.0\.0\.1:11434\s+default/);
  assert.match(text, /API key\s+not needed/);

  const keys = await page.getByRole('region', { name: 'API keys' }).innerText();
  assert.match(keys, /Anthropic\s+sk-ant-…9f3c\s+session/);
  assert.match(keys, /OpenAI\s+No key/);

  const ollama = await page.getByRole('region', { name: 'Ollama' }).innerText();
  assert.match(ollama, /Running/);
  assert.match(ollama, /0\.12\.3/);
  assert.match(ollama, /qwen2\.5-coder:7b/);
  const runner = await page.getByRole('region', { name: 'Runner' }).innerText();
  assert.match(runner, /PID\s+48240/);
  assert.match(runner, /Uptime\s+1h 2m \d+s/);
  assert.match(runner, /Restarts\s+1/);
  assert.deepEqual(problems, [], 'no console errors and no CSP violations');
  await shot(page, 'overview');
});

test('the problem, its fix and its buttons are shown once, and the state follows pushed changes', async (t) => {
  const { page, core } = await open(t);
  await page.getByRole('region', { name: 'Runner' }).getByText('Running').first().waitFor(DEADLINE);
  core.update((state) => {
    state.runner = {
      ...state.runner,
      state: 'crash-loop',
      pid: null,
      error: { message: 'The runner exited 5 times in 30 s.', fix: 'Check the runner logs, then press Retry.' },
      lastLines: ['Traceback (most recent call last):', 'ModuleNotFoundError: No module named agent'],
    };
    Object.assign(state, withDerivedProblems(state));
  });
  const banner = page.getByRole('list', { name: 'Problems' });
  await banner.getByText('The runner keeps crashing: it exited 5 times in 30 s.').waitFor(DEADLINE);
  await banner.getByText('Check the runner logs, then press Retry.').waitFor(DEADLINE);
  assert.deepEqual(await banner.locator('a, button').allInnerTexts(), ['Open logs', 'Edit runner command', 'Retry']);
  await page.getByRole('region', { name: 'Runner' }).getByText('Crash loop').waitFor(DEADLINE);
  await banner.getByRole('button', { name: 'Retry' }).click();
  await page.getByRole('region', { name: 'Runner' }).getByText('Running').first().waitFor(DEADLINE);
  assert.ok(core.calls.some((call) => call.command === 'runner:retry'));
});

test('while the Ollama this app started listens on 0.0.0.0 the window says it is open, and the notice goes when it is turned off', async (t) => {
  const state = appStateFixture();
  state.ollamaOptions.exposeToNetwork = true;
  for (const colorScheme of ['light', 'dark'] as const) {
    const { page, core } = await open(t, { state: structuredClone(state), colorScheme });
    const notice = page.locator('.banner').getByText('Ollama is open to the network (listening on 0.0.0.0)');
    await notice.waitFor(DEADLINE);
    for (const [width, height] of [
      [800, 600],
      [760, 520],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: path.join(SCREENSHOTS, `exposed-now-${colorScheme}-${width}.png`) });
    }
    core.update((next) => {
      next.ollamaOptions.exposeToNetwork = false;
    });
    await notice.waitFor({ ...DEADLINE, state: 'detached' });
  }
});

test('logs stream live, follow the newest line, filter, pause and show skipped lines', async (t) => {
  const { page, core, problems } = await open(t, { route: '#/logs' });
  await page.getByText('No log lines yet').waitFor(DEADLINE);
  const sources = ['runner', 'ollama', 'app'] as const;
  for (let batch = 0; batch < 10; batch++) {
    core.pushLogs(200, (index) => {
      const n = batch * 200 + index;
      return { source: sources[n % 3]!, level: n % 50 === 0 ? 'error' : n % 10 === 0 ? 'warn' : 'info', msg: `line ${n} handled task ${n * 7}` };
    });
  }
  const count = page.getByTestId('log-count');
  await logCount(page, '2,000 of 2,000 lines in the window');
  // Following: the newest line is on screen, and only the rows in view exist in the page.
  await page.getByText('line 1999 handled task 13993').waitFor(DEADLINE);
  assert.ok((await page.locator('.log-row').count()) < 150, 'the list is virtualised');
  await shot(page, 'logs');

  await page.getByPlaceholder('Filter messages…').fill('line 1234 ');
  await logCount(page, '1 of 2,000 lines in the window');
  await page.getByPlaceholder('Filter messages…').fill('');
  await page.getByLabel('Level').selectOption('error');
  await logCount(page, '40 of 2,000 lines in the window');
  await page.getByLabel('Level').selectOption('trace');
  await page.getByRole('checkbox', { name: 'Runner' }).uncheck();
  await logCount(page, '1,333 of 2,000 lines in the window');
  await page.getByRole('checkbox', { name: 'Runner' }).check();

  await page.getByRole('button', { name: 'Following' }).click();
  await page.getByRole('button', { name: 'Paused' }).waitFor(DEADLINE);
  core.pushLogs(1, () => ({ source: 'runner', level: 'info', msg: 'arrived while paused' }), 250);
  await page.getByTestId('log-skipped').getByText('250 lines skipped').waitFor(DEADLINE);
  assert.equal(await count.textContent(), '2,001 of 2,001 lines in the window');
  const newest = await page.getByText('arrived while paused').boundingBox();
  const viewport = await page.getByRole('region', { name: 'Log lines' }).boundingBox();
  assert.ok(viewport && (newest === null || newest.y >= viewport.y + viewport.height), 'a paused view does not jump to new lines');
  await page.getByRole('button', { name: 'Paused' }).click();
  await page.getByText('arrived while paused').waitFor(DEADLINE);
  assert.equal(
    await page.getByTestId('log-skipped').innerText(),
    '250 lines skipped in transit (sampled to keep up); the files have every line.',
    'no marker is promised where the window holds none',
  );

  // Lines skipped between two lines the window has: a marker, and the count offers to load them.
  core.pushLogs(3, (index) => ({ source: 'runner', level: 'info', msg: `after the gap ${index}` }), 300, true);
  await page.getByTestId('log-skipped').getByText('300 of them are not loaded here yet').waitFor(DEADLINE);
  await logCount(page, '2,004 of 2,004 lines in the window');
  await page.locator('.log-row--gap').getByText('300 lines skipped here to keep up: show them').waitFor(DEADLINE);
  await shot(page, 'logs-skipped-counters');
  await page.getByRole('button', { name: 'load the newest from the files' }).click();
  // The double keeps no files: the marker is answered with no lines, and goes.
  await page.locator('.log-row--gap').waitFor({ ...DEADLINE, state: 'detached' });
  assert.equal(await page.getByTestId('log-skipped').innerText(), '550 lines skipped in transit (sampled to keep up); the files have every line.');
  assert.deepEqual(problems, []);
});

test('a key typed into Settings is validated, saved and never shown unmasked', async (t) => {
  const { page, core, frames } = await open(t, { route: '#/settings' });
  const input = page.getByLabel('New Anthropic API key');
  await input.waitFor(DEADLINE);

  await input.fill('sk-ant-api03-invalid-key-0000000000000');
  await page.getByRole('button', { name: 'Validate & replace' }).first().click();
  await page.getByText('Anthropic rejected this key (401 Unauthorized): it is not a valid API key.').waitFor(DEADLINE);
  await page.getByText('Copy the key again from your Anthropic console; it may have been revoked.').waitFor(DEADLINE);
  await shot(page, 'settings-key-rejected');

  await input.fill(FULL_KEY);
  assert.equal(await input.getAttribute('type'), 'password', 'a key is never echoed while typed');
  await page.getByRole('button', { name: 'Validate & replace' }).first().click();
  await page.getByText('Anthropic accepted the key. Saved.').waitFor(DEADLINE);
  await page.getByTestId('masked-anthropic').getByText(maskSecret(FULL_KEY)).waitFor(DEADLINE);
  assert.equal(core.keys.get('anthropic'), FULL_KEY, 'the key reached the core');

  assert.equal(await input.inputValue(), '', 'the field is emptied after a save');
  const values = await Promise.all((await page.locator('input, textarea').all()).map((field) => field.inputValue()));
  assert.ok(!values.some((value) => value.includes('Zq81TYPED')), 'no field holds the key');
  assert.ok(!(await page.content()).includes('Zq81TYPED'), 'the page never shows the key');
  for (const route of ['#/overview', '#/settings', '#/logs']) {
    await page.goto(page.url().replace(/#.*$/, '') + route);
    await page.locator('.page-header__title').waitFor(DEADLINE);
    assert.ok(!(await page.locator('body').innerText()).includes('Zq81TYPED'), route);
  }
  assert.ok(!frames.some((frame) => frame.includes('Zq81TYPED')), 'no message to the page carries the key');
  await page.goto(page.url().replace(/#.*$/, '') + '#/settings');
  await page.getByRole('region', { name: 'Provider' }).waitFor(DEADLINE);
  await shot(page, 'settings');
});

test('the provider choice says why an option is unavailable', async (t) => {
  const state = appStateFixture();
  state.config.provider = { value: 'ollama', source: 'settings', pinned: false };
  const { page, core } = await open(t, { state, route: '#/settings' });
  const provider = page.getByRole('region', { name: 'Provider' });
  await provider.getByText('Unavailable: no API key').waitFor(DEADLINE);
  assert.equal(await provider.getByRole('radio', { name: /OpenAI/ }).isDisabled(), true);
  await provider.getByRole('radio', { name: /Anthropic/ }).check();
  await page.waitForFunction('document.querySelector(\'input[value="anthropic"]\')?.checked === true', null, DEADLINE);
  assert.deepEqual(core.calls.find((call) => call.command === 'config:set-provider')?.payload, { provider: 'anthropic' });

  const pinned = await open(t, { route: '#/settings' });
  await pinned.page.getByRole('region', { name: 'Provider' }).getByText('Unavailable: pinned by LLM_PROVIDER').first().waitFor(DEADLINE);
});

test('everything main is reachable by keyboard, with a visible focus ring', async (t) => {
  const { page } = await open(t);
  await page.getByRole('region', { name: 'Runner' }).waitFor(DEADLINE);
  const reached: string[] = [];
  let ringSeen = false;
  for (let press = 0; press < 40; press++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<{ name: string; outline: string; width: string } | null>(FOCUSED_ELEMENT);
    if (!focused) continue;
    reached.push(focused.name);
    if (focused.outline !== 'none' && focused.width !== '0px') ringSeen = true;
  }
  for (const name of ['Skip to content', 'Overview', 'Logs', 'Settings', 'Playground', 'Setup', 'Restart', 'Stop', 'Manage']) {
    assert.ok(reached.includes(name), `Tab reaches "${name}" (reached: ${reached.join(' | ')})`);
  }
  assert.ok(ringSeen, 'the focused control shows a focus ring');

  await page.getByRole('link', { name: 'Logs' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('toolbar', { name: 'Log filters' }).waitFor(DEADLINE);
});

test('the playground streams an answer and tells who answered and how fast', async (t) => {
  const { page } = await open(t, { route: '#/playground' });
  const prompt = page.getByRole('textbox', { name: 'Prompt' });
  await prompt.fill('Why run models locally?');
  await prompt.press('Control+Enter');
  await page.getByTestId('answer').getByText('Local models keep your data on your machine.').waitFor(DEADLINE);
  const stats = page.locator('.turn__stats');
  await stats.waitFor(DEADLINE);
  assert.equal(await stats.innerText(), 'Ollama · llama3.2:latest · 1.23 s (first token 182 ms) · 14 in, 8 out tokens');
  await shot(page, 'playground');
});

test('the first-run wizard goes from a blank profile to a running runner', async (t) => {
  const blank = appStateFixture({ firstRun: true, needsSetup: true });
  blank.config.provider = { value: 'ollama', source: 'default', pinned: false };
  blank.config.model = { value: 'llama3.2:latest', source: 'default', pinned: false };
  blank.config.keys = { anthropic: null, openai: null };
  blank.ollama = { ...blank.ollama, server: { phase: 'stopped' }, serverVersion: null, pid: null, models: [], configuredModelMissing: true };
  blank.runner = { ...blank.runner, state: 'stopped', pid: null, startedAt: null, restarts: 0, lastExit: null, reason: 'Waiting for setup.' };
  const { page, core, problems } = await open(t, { state: blank });

  await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
  await shot(page, 'wizard-1-detect-ollama');
  await page.getByRole('button', { name: 'Start Ollama' }).click();
  await page.getByText('answers at').waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Choose a provider' }).waitFor(DEADLINE);
  await page.getByRole('radio', { name: /Ollama/ }).check();
  await shot(page, 'wizard-2-provider');
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Choose a model' }).waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Download and continue' }).waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Pull model' }).click();
  const wizardBar = page.getByRole('region', { name: 'Choose a model' }).getByRole('progressbar', { name: 'Pulling llama3.2:latest' });
  await wizardBar.waitFor(DEADLINE);
  core.progressPull({
    model: 'llama3.2:latest',
    status: 'pulling dde5aa3fc5ff',
    completedBytes: 1_211_000_000,
    totalBytes: 2_019_393_189,
    percent: 59.97,
    bytesPerSecond: 48_200_000,
    etaSeconds: 17,
  });
  await page.getByRole('region', { name: 'Choose a model' }).getByText('1.2 GB of 2.0 GB · 48.2 MB/s · 17s left').waitFor(DEADLINE);
  assert.equal(await wizardBar.getAttribute('value'), '60');
  assert.equal(await page.getByText('dde5aa3fc5ff').count(), 0, 'the layer digest is not shown');
  // Setup shows its download in the step; the panel, which would cover the step's buttons, is a click away.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: /^Downloads/ })
    .click();
  await page.getByRole('complementary', { name: 'Downloads' }).getByRole('button', { name: 'Cancel download of llama3.2:latest' }).waitFor(DEADLINE);
  await shot(page, 'wizard-3-pull-progress');
  core.finishPull('llama3.2:latest');
  await page.getByText('llama3.2:latest is installed and selected.').waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Continue' }).click();

  await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
  await shot(page, 'wizard-4-summary');
  await page.getByRole('button', { name: 'Looks good' }).click();

  await page.getByRole('heading', { name: 'Start the runner' }).waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Start runner' }).click();
  await page.getByText(/The runner is up \(pid \d+\)/).waitFor(DEADLINE);
  await shot(page, 'wizard-5-start-runner');
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.getByRole('region', { name: 'Configuration' }).waitFor(DEADLINE);
  assert.deepEqual(
    core.calls.map((call) => call.command).filter((command) => !['state:get', 'logs:recent', 'models:list'].includes(command)),
    ['ollama:start', 'ollama:pull', 'runner:start', 'wizard:complete'],
  );
  assert.deepEqual(problems, []);
});

test('the wizard for a cloud provider validates the key before going on', async (t) => {
  const blank = appStateFixture({ firstRun: true, needsSetup: true });
  blank.config.keys = { anthropic: null, openai: null };
  blank.config.provider = { value: 'ollama', source: 'default', pinned: false };
  blank.ollama = {
    ...blank.ollama,
    server: { phase: 'not-installed', reason: 'Ollama is not installed.', fix: 'Install it from ollama.com, or choose a cloud provider.' },
    binary: null,
    serverVersion: null,
    pid: null,
    models: [],
  };
  const { page } = await open(t, { state: blank, colorScheme: 'dark' });
  await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
  await page.getByText('curl -fsSL https://ollama.com/install.sh | sh').waitFor(DEADLINE);
  await shot(page, 'wizard-1-not-installed-dark');
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.getByRole('radio', { name: /Ollama/ }).isDisabled(), true);
  await page.getByRole('radio', { name: /Anthropic/ }).check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Add your Anthropic API key' }).waitFor(DEADLINE);
  assert.equal(await page.getByRole('button', { name: 'Continue' }).isDisabled(), true);
  await page.getByLabel('Anthropic API key', { exact: true }).fill(FULL_KEY);
  await page.getByRole('button', { name: 'Validate & save' }).click();
  await page.getByText('Anthropic accepted the key. Saved.').waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Continue', disabled: false }).waitFor(DEADLINE);
  await shot(page, 'wizard-3-key-dark');
});

test('dark mode renders every screen', async (t) => {
  const { page, core } = await open(t, { colorScheme: 'dark' });
  await page.getByRole('region', { name: 'Configuration' }).waitFor(DEADLINE);
  const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
  assert.equal(background, 'rgb(14, 16, 20)', 'the dark palette applies');
  await shot(page, 'overview-dark');
  core.pushLogs(300, (index) => ({
    source: (['runner', 'ollama', 'app'] as const)[index % 3]!,
    level: index % 17 === 0 ? 'warn' : 'info',
    msg: `dark line ${index}`,
  }));
  await page.getByRole('link', { name: 'Logs' }).click();
  await page.getByText('dark line 299').waitFor(DEADLINE);
  await shot(page, 'logs-dark');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('region', { name: 'Provider' }).waitFor(DEADLINE);
  await shot(page, 'settings-dark');
});

test('100k log lines stay a short list of rows and scroll by keyboard', async (t) => {
  const { page, core } = await open(t, { route: '#/logs' });
  await page.getByText('No log lines yet').waitFor(DEADLINE);
  for (let batch = 0; batch < 50; batch++) {
    core.pushLogs(2000, (index) => ({ source: 'runner', level: 'info', msg: `bulk ${batch * 2000 + index}` }));
  }
  await logCount(page, '100,000 of 100,000 lines in the window');
  await page.getByText('bulk 99999').waitFor(DEADLINE);
  assert.ok((await page.locator('.log-row').count()) < 150, 'only the rows in view are drawn');

  const list = page.getByRole('region', { name: 'Log lines' });
  await list.focus();
  await page.keyboard.press('Home');
  await page.getByText('bulk 0', { exact: true }).waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Paused' }).waitFor(DEADLINE);
  assert.ok((await page.locator('.log-row').count()) < 150);
});

test('the window stays readable at 2x', async (t) => {
  const { page } = await open(t, { deviceScaleFactor: 2 });
  await page.getByRole('region', { name: 'Configuration' }).waitFor(DEADLINE);
  const overflowing = await page.evaluate(
    "[...document.querySelectorAll('.card, .row__value, .page-header')].filter((element) => element.scrollWidth > element.clientWidth + 1).length",
  );
  assert.equal(overflowing, 0, 'nothing overflows its box');
  await shot(page, 'overview-2x');
});

test('no dead ends at the first step: without Ollama the wizard offers to install it, the download, a new check, or a cloud provider', async (t) => {
  const blank = appStateFixture({ firstRun: true, needsSetup: true });
  blank.config.provider = { value: 'ollama', source: 'default', pinned: false };
  blank.config.keys = { anthropic: null, openai: null };
  const missing = {
    phase: 'not-installed',
    reason: 'Ollama is not installed: no ollama binary on PATH or in the usual install locations',
    fix: 'Install it.',
  } as const;
  blank.ollama = { ...blank.ollama, server: missing, binary: null, serverVersion: null, pid: null, models: [] };
  const { page, core, problems } = await open(t, { state: withDerivedProblems(blank) });
  await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
  // The problem the Overview and the tray show, in the same words and with the same buttons, once.
  const problem = page.getByRole('list', { name: 'Problems' });
  await problem.getByText('Ollama is not installed.', { exact: true }).waitFor(DEADLINE);
  assert.equal(await page.getByText(/Ollama is not installed/).count(), 1, 'said once');
  assert.deepEqual(await page.locator('.wizard__body').locator('a, button').allInnerTexts(), [
    'Install Ollama',
    'Download Ollama',
    'Check again',
    'Use a cloud provider',
  ]);
  assert.equal(await problem.getByRole('link', { name: 'Download Ollama' }).getAttribute('href'), 'https://ollama.com/download');
  await problem.getByRole('button', { name: 'Check again' }).click();
  await page.getByText('answers at').waitFor(DEADLINE);
  assert.ok(
    core.calls.some((call) => call.command === 'ollama:start'),
    'Check again looks for Ollama again',
  );
  core.update((state) => Object.assign(state, withDerivedProblems({ ...state, ollama: blank.ollama })));
  // In setup, "Use a cloud provider" is the wizard's own provider step, not a link to the page it is on.
  await problem.getByRole('button', { name: 'Use a cloud provider' }).click();
  await page.getByRole('heading', { name: 'Choose a provider' }).waitFor(DEADLINE);
  assert.equal(await page.getByRole('radio', { name: /Anthropic/ }).isChecked(), true, 'a cloud provider is preselected');
  assert.deepEqual(problems, []);
});

test('a pinned provider is explained at the first choice, not discovered at the review', async (t) => {
  const pinned = appStateFixture({ firstRun: true, needsSetup: true });
  const { page } = await open(t, { state: pinned });
  await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('The provider is pinned to Ollama by LLM_PROVIDER, so this setup uses Ollama.').waitFor(DEADLINE);
  await page.getByText('To choose another provider here, unset LLM_PROVIDER and start Stigmer again.').waitFor(DEADLINE);
  assert.equal(await page.getByRole('radio', { name: /Ollama/ }).isChecked(), true);
  await shot(page, 'wizard-2-pinned');
});

test('a key saved while the provider cannot be reached says it is not verified yet, and the wizard goes on', async (t) => {
  const blank = appStateFixture({ firstRun: true, needsSetup: true });
  blank.config.keys = { anthropic: null, openai: null };
  blank.config.provider = { value: 'anthropic', source: 'settings', pinned: false };
  blank.config.model = { value: 'claude-sonnet-4-5', source: 'default', pinned: false };
  const { page } = await open(t, { state: blank });
  await page.getByRole('heading', { name: 'Detect Ollama' }).waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Add your Anthropic API key' }).waitFor(DEADLINE);
  await page.getByLabel('Anthropic API key', { exact: true }).fill('sk-ant-api03-offline-key-0000000000000000');
  await page.getByRole('button', { name: 'Validate & save' }).click();
  await page.getByText('Saved, not verified yet: Anthropic could not be reached to check this key.').waitFor(DEADLINE);
  await page.getByRole('button', { name: 'Continue', disabled: false }).click();
  await page.getByRole('heading', { name: 'Review' }).waitFor(DEADLINE);
});

test('each screen starts at its top, and a lost connection leaves nothing pressable', async (t) => {
  const { page, server } = await open(t, { route: '#/settings' });
  await page.setViewportSize({ width: 800, height: 600 });
  await page.getByRole('region', { name: 'Endpoints' }).waitFor(DEADLINE);
  await page.evaluate('document.getElementById("main").scrollTo(0, 400)');
  assert.ok(Number(await page.evaluate('document.getElementById("main").scrollTop')) > 0);
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor(DEADLINE);
  assert.equal(await page.evaluate('document.getElementById("main").scrollTop'), 0, 'the scroll position does not leak into the next screen');

  await server.close();
  await page.getByText('Connection to Stigmer lost; reconnecting…').waitFor(DEADLINE);
  assert.equal(await page.evaluate('document.querySelector(".main__content").inert'), true, 'stale buttons cannot be pressed');
  // An inert subtree takes no clicks and no focus.
  await page.locator('.main__content').getByRole('button').first().focus();
  assert.equal(
    await page.evaluate('document.querySelector(".main__content").contains(document.activeElement)'),
    false,
    'a stale button cannot even take focus',
  );
});

test('the sidebar status pills stay inside the sidebar with their longest words, at the Electron minimum width', async (t) => {
  const state = appStateFixture();
  state.runner = { ...state.runner, state: 'backoff', nextRestartAt: Date.now() + 30_000 };
  state.ollama = { ...state.ollama, server: { phase: 'running', owner: 'external' }, pid: null };
  const { page } = await open(t, { state, route: '#/logs' });
  await page.setViewportSize({ width: 760, height: 520 });
  await page.getByText('Running (external)').waitFor(DEADLINE);
  const overflow = await page.evaluate(`(() => {
    const sidebar = document.querySelector('.sidebar').getBoundingClientRect();
    return [...document.querySelectorAll('.sidebar__status .pill')].map((pill) => pill.getBoundingClientRect().right - sidebar.right);
  })()`);
  for (const excess of overflow as number[]) assert.ok(excess <= 0, `a pill sticks out of the sidebar by ${excess}px`);
  await shot(page, 'sidebar-long-status-760');
});

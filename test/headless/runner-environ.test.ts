/**
 * Issue 15 §2 through the real headless host: what a runner receives, read from
 * /proc/<pid>/environ of a real runner, and what the window shows of it. The setup is ADR 019's
 * advice for Ollama plus an Anthropic key, so the smart default picks Anthropic and nothing
 * meant for Ollama or OpenAI may reach the runner.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { FAKE_ANTHROPIC_KEY } from '../doubles/cloud/anthropic.ts';
import { FAKE_OPENAI_KEY } from '../doubles/cloud/openai.ts';
import { freePort } from '../ollama/support.ts';
import { SCREENSHOTS, useBrowser, watchPage } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, hostEnv, readPidFile, startHost, waitFor } from '../support/e2e-host.ts';
import { REPO_ROOT } from '../support/headless.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';
import { environOf } from '../support/proc.ts';

const ENV_DUMP = path.join(REPO_ROOT, 'test/runner/fixtures/env-dump.ts');
const DEADLINE = { timeout: 30_000 };
/** The Electron window's minimum width (src/main/electron/main-window.ts). */
const MIN_WIDTH = 760;

const browser = useBrowser();

const LLM_VARIABLES = /^(STIGMER_LLM_|LLM_|OLLAMA_HOST$|ANTHROPIC_|OPENAI_)/;

test('the runner gets the resolution under every contract name, nothing meant for another provider, and the window shows it masked', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  fs.writeFileSync(path.join(userDataDir, 'settings.json'), JSON.stringify({ ...defaultSettings(), firstRunCompleted: true }));
  const ollamaPort = await freePort();
  const dumpFile = path.join(scope.tempDir(), 'dump.json');
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${ollamaPort}`,
    extra: {
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
      LLM_BASE_URL: `http://127.0.0.1:${ollamaPort}/v1`,
      LLM_MODEL: 'claude-haiku-4-5',
      // Inherited by the app but meant for a provider that is not active.
      OPENAI_API_KEY: FAKE_OPENAI_KEY,
      OPENAI_BASE_URL: 'http://127.0.0.1:4000/v1',
    },
  });
  // The user wrote the key into the command as well: it must be masked wherever the command is shown.
  const command = `${process.execPath} ${ENV_DUMP} ${dumpFile} --api-key=${FAKE_ANTHROPIC_KEY}`;
  const host = startHost(scope, ['--ui', '--runner-command', command, '--user-data-dir', userDataDir], env);

  const line = await host.waitForLine('the UI to be ready', (text) => text.startsWith('UI ready: open '), 60_000);
  const url = line.slice('UI ready: open '.length);
  await waitFor('the runner to dump its environment', () => fs.existsSync(dumpFile), HOST_WAIT_MS);
  const pid = readPidFile(userDataDir, 'runner.pid');
  assert.ok(pid !== undefined);

  const received = Object.fromEntries(Object.entries(environOf(pid)).filter(([name]) => LLM_VARIABLES.test(name)));
  assert.deepEqual(received, {
    STIGMER_LLM_PROVIDER: 'anthropic',
    STIGMER_LLM_MODEL: 'claude-haiku-4-5',
    STIGMER_LLM_BASE_URL: 'https://api.anthropic.com',
    STIGMER_LLM_API_KEY: FAKE_ANTHROPIC_KEY,
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-haiku-4-5',
    LLM_BASE_URL: 'https://api.anthropic.com',
    ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: 'https://api.anthropic.com',
  });
  assert.ok(!host.stdout.includes(FAKE_ANTHROPIC_KEY), 'the key written into the command is masked in the log');
  assert.match(host.stdout, new RegExp(`Starting the runner .*--api-key=${escapeRegExp(maskSecret(FAKE_ANTHROPIC_KEY))}`));

  const pages: Page[] = [];
  const shots: [string, 'light' | 'dark', number][] = [
    ['light-800', 'light', 800],
    ['dark-800', 'dark', 800],
    ['light-min', 'light', MIN_WIDTH],
    ['dark-min', 'dark', MIN_WIDTH],
  ];
  for (const [name, colorScheme, width] of shots) {
    const context = await browser().newContext({ colorScheme, viewport: { width, height: 600 } });
    scope.defer(() => context.close());
    const page = await context.newPage();
    pages.push(page);
    const { frames, problems } = watchPage(page);
    await page.goto(url);
    // Folded in the runner card until the user asks for it.
    const runnerCard = page.getByRole('region', { name: 'Runner', exact: true });
    const summary = runnerCard.getByText('Environment it received (10 variables)');
    await summary.waitFor(DEADLINE);
    await page.screenshot({ path: path.join(SCREENSHOTS, `runner-env-${name}-top.png`) });
    await summary.click();
    const panel = runnerCard.locator('details');
    await page.getByLabel('Runner environment').getByText('STIGMER_LLM_PROVIDER').waitFor(DEADLINE);
    const text = await panel.innerText();
    for (const [variable, value] of Object.entries(received)) {
      const shown = variable.endsWith('_API_KEY') ? maskSecret(value) : value;
      assert.match(text, new RegExp(`${variable}\\s+${escapeRegExp(shown)}(\\s|$)`), `${variable} in:\n${text}`);
    }
    assert.match(text, /Not passed on from the app's environment: .*OLLAMA_HOST, OPENAI_API_KEY, OPENAI_BASE_URL/);
    const configuration = await page.getByRole('region', { name: 'Configuration' }).innerText();
    assert.ok(configuration.includes(`--api-key=${maskSecret(FAKE_ANTHROPIC_KEY)}`), configuration);
    // The warning is shown once, with the other problems, rather than repeated in the card.
    assert.match(await page.getByRole('list', { name: 'Problems' }).innerText(), /LLM_BASE_URL=.* is not used for Anthropic/);
    for (const secret of [FAKE_ANTHROPIC_KEY, FAKE_OPENAI_KEY]) {
      assert.ok(!frames.some((frame) => frame.includes(secret)), 'no key reaches the window');
      assert.ok(!(await page.content()).includes(secret));
    }
    assert.deepEqual(problems, []);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, `runner-env-${name}.png`) });
  }

  assert.deepEqual(await host.stop(), { code: 0, signal: null });
});

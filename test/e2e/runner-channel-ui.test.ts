/**
 * The control-channel checkbox in Settings → Runner command, in Chromium through the real
 * headless host (`--ui`): ticking it asks the runner command's confirmation, "Save and restart
 * now" restarts the Python worker with the channel and the Playground's prompt is answered by
 * the Ollama double; Cancel puts it back; pinned by STIGMER_RUNNER_CONTROL_CHANNEL it is locked
 * and says by what; with the built-in runner it is not there. Screenshots in light and dark, at
 * 800×600 and at the desktop window's minimum size.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { CONTROL_CHANNEL_LABEL } from '../../src/shared/runner-channel.ts';
import type { Settings } from '../../src/shared/settings.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { RUNNER_COMMAND } from '../python/support.ts';
import { useBrowser } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, hostEnv, setUpProfile, startHost, waitFor } from '../support/e2e-host.ts';
import { DEADLINE, SCREENSHOTS, explained, openPage, uiUrl, withRoute } from '../support/ui-e2e.ts';

/** 800×600, and the Electron window's minimum (src/main/electron/main-window.ts). */
const SIZES = [
  { width: 800, height: 600 },
  { width: 760, height: 520 },
] as const;
const OLLAMA_REPLY = 'Hello from the fake Ollama.';

const browser = useBrowser();

async function startWithUi(t: { after(fn: () => Promise<void>): void }, patch: (settings: Settings) => void, extra: Record<string, string> = {}) {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const userDataDir = setUpProfile(scope, patch);
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], hostEnv(scope, { ollamaHost: ollama.url, extra }));
  return { scope, host, userDataDir, url: await uiUrl(host) };
}

const runnerCard = (page: Page) => page.getByRole('region', { name: 'Runner command', exact: true });
const checkbox = (page: Page) => runnerCard(page).getByRole('checkbox', { name: CONTROL_CHANNEL_LABEL });

/** The Settings screen with the runner card in view, in light and dark at each size: a screenshot of each, no sideways scrolling, no console error. */
async function shots(scope: Scope, url: string, name: string, ready: (page: Page) => Promise<void>): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of SIZES) {
      const context = await browser().newContext({ viewport, colorScheme });
      scope.defer(() => context.close());
      const { page, problems } = await openPage(context, withRoute(url, '#/settings'));
      await ready(page);
      await runnerCard(page).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENSHOTS, `runner-channel-${name}-${colorScheme}-${viewport.width}x${viewport.height}.png`) });
      assert.equal(
        await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
        0,
        `no sideways scrolling at ${viewport.width} px`,
      );
      assert.deepEqual(problems, [], 'no console errors');
      await context.close();
    }
  }
}

test('ticking the checkbox confirms, restarts the worker with the channel, and the Playground gets its answer; Cancel puts it back; an empty command hides it', async (t) => {
  const { scope, host, userDataDir, url } = await startWithUi(t, (settings) => void (settings.runner.command = RUNNER_COMMAND));
  await host.waitForLine('the worker to run without a channel', (line) => line.includes(' [runner] ') && line.includes('no control channel'));
  await shots(scope, url, 'off', async (page) => {
    await checkbox(page).waitFor(DEADLINE);
    assert.equal(await checkbox(page).isChecked(), false);
  });

  const context = await browser().newContext({ viewport: SIZES[0] });
  scope.defer(() => context.close());
  const { page, problems } = await openPage(context, withRoute(url, '#/settings'));
  await explained(host, [page], async () => {
    const card = runnerCard(page);
    await checkbox(page).check(DEADLINE);
    const confirm = card.getByRole('group', { name: 'Confirm the runner command' });
    await confirm.getByText(`Run ${RUNNER_COMMAND} as the runner, with the control channel?`).waitFor(DEADLINE);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'runner-channel-confirm-light-800x600.png') });

    // Cancel: nothing is saved and the box shows the saved choice again.
    await confirm.getByRole('button', { name: 'Cancel' }).click(DEADLINE);
    assert.equal(await checkbox(page).isChecked(), false);
    assert.equal((JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as Settings).runner.controlChannel, undefined);

    await checkbox(page).check(DEADLINE);
    await confirm.getByRole('button', { name: 'Save and restart now' }).click(DEADLINE);
    await host.waitForLine('the worker to say ready on its channel', (line) => line.includes('Runner ready: ollama llama3.2'));
    await confirm.waitFor({ state: 'detached', ...DEADLINE });
    assert.equal(await checkbox(page).isChecked(), true);
    assert.deepEqual((JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as Settings).runner, {
      command: RUNNER_COMMAND,
      controlChannel: true,
    });

    // The Playground now goes through the worker.
    await page.goto(withRoute(url, '#/playground'));
    await page.getByRole('textbox', { name: 'Prompt' }).fill('Say hello');
    await page.getByRole('button', { name: 'Send' }).click(DEADLINE);
    await page.getByText(OLLAMA_REPLY).waitFor(DEADLINE);

    // The built-in runner has its own channel: an empty command hides the box, a command brings it back as saved.
    await page.goto(withRoute(url, '#/settings'));
    const input = card.getByRole('textbox', { name: 'Runner command' });
    await input.fill('');
    await waitFor('the checkbox to go', async () => (await checkbox(page).count()) === 0, HOST_WAIT_MS);
    await input.fill(RUNNER_COMMAND);
    assert.equal(await checkbox(page).isChecked(DEADLINE), true);
    assert.deepEqual(problems, []);
  });
  assert.deepEqual(await host.stop(), { code: 0, signal: null });
});

test('pinned by STIGMER_RUNNER_CONTROL_CHANNEL: checked, locked, and it says by what and that the saved choice is kept', async (t) => {
  const { scope, host, url } = await startWithUi(t, (settings) => void (settings.runner.command = RUNNER_COMMAND), { STIGMER_RUNNER_CONTROL_CHANNEL: '1' });
  await host.waitForLine('the worker to say ready', (line) => line.includes('Runner ready: ollama llama3.2'));
  await shots(scope, url, 'pinned', async (page) => {
    await checkbox(page).waitFor(DEADLINE);
    assert.equal(await checkbox(page).isChecked(), true);
    assert.equal(await checkbox(page).isDisabled(), true);
    const text = await runnerCard(page).innerText();
    assert.match(text, /pinned by STIGMER_RUNNER_CONTROL_CHANNEL/);
    assert.match(text, /Unset STIGMER_RUNNER_CONTROL_CHANNEL to choose here; your saved choice \(off\) is kept\./);
  });
  // The Overview says it too, next to the runner command.
  for (const colorScheme of ['light', 'dark'] as const) {
    const context = await browser().newContext({ viewport: SIZES[1], colorScheme });
    scope.defer(() => context.close());
    const { page, problems } = await openPage(context, url);
    const row = page.getByRole('region', { name: 'Configuration' }).locator('.row', { hasText: 'Control channel' });
    await row.waitFor(DEADLINE);
    assert.match(await row.innerText(), /on: the runner takes tasks on STIGMER_CONTROL_FD[\s\S]*pinned by STIGMER_RUNNER_CONTROL_CHANNEL/);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, `runner-channel-overview-${colorScheme}-760x520.png`) });
    assert.deepEqual(problems, []);
  }
});

test('with the built-in runner there is no checkbox, even with STIGMER_RUNNER_CONTROL_CHANNEL set', async (t) => {
  const { scope, url } = await startWithUi(t, () => {}, { STIGMER_RUNNER_CONTROL_CHANNEL: '1' });
  const context = await browser().newContext({ viewport: SIZES[0] });
  scope.defer(() => context.close());
  const { page, problems } = await openPage(context, withRoute(url, '#/settings'));
  await runnerCard(page).getByRole('textbox', { name: 'Runner command' }).waitFor(DEADLINE);
  assert.equal(await checkbox(page).count(), 0);
  assert.doesNotMatch(await runnerCard(page).innerText(), /control channel/);
  await page.goto(url);
  await page.getByRole('region', { name: 'Configuration' }).getByText('Runner command').waitFor(DEADLINE);
  assert.doesNotMatch(await page.getByRole('region', { name: 'Configuration' }).innerText(), /Control channel/);
  assert.deepEqual(problems, []);
});

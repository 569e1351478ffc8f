/**
 * The Playground as a conversation (issue 24 §6), in Chromium through the real headless host
 * (`--ui`), the built-in runner and the Ollama double: two turns where the second answer shows
 * the model got the first as history, Copy puts the answer on the clipboard, Stop ends an answer
 * mid-stream and keeps what came, each answer says its provider, model and latency, Save
 * transcript downloads the conversation, Clear starts a new one. Screenshots in light and dark at
 * 1280×800, the window's minimum and 200 % zoom, with axe-core clean and no sideways scrolling.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { seriousViolations } from '../support/axe.ts';
import { useBrowser } from '../support/chromium.ts';
import { Scope, hostEnv, setUpProfile, startHost } from '../support/e2e-host.ts';
import { DEADLINE, explained, openPage, shot, uiUrl, withRoute } from '../support/ui-e2e.ts';

/** 20 words at 150 ms: about 3 s an answer, long enough to press Stop in, short enough for two turns. */
const WORDS = 'is the turn the model saw, streamed to you a word at a time by the double so that Stop has something to stop.';
const REPLY = `Turn {turn} ${WORDS}`;
const answerFor = (turn: number) => `Turn ${turn} ${WORDS}`;
/** 200 % zoom is 640×400 CSS pixels: the layout that must reflow (this page keeps a scale of 1). */
const SIZES = [
  { name: '1280x800', viewport: { width: 1280, height: 800 } },
  { name: '760x520', viewport: { width: 760, height: 520 } },
  { name: 'zoom200', viewport: { width: 640, height: 400 } },
] as const;

const browser = useBrowser();

const exchange = (page: Page, n: number) => page.getByRole('listitem', { name: `Exchange ${n}` });

async function ask(page: Page, prompt: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click(DEADLINE);
}

/** Waits for exchange `n` to finish, and answers what its line under the answer says. */
async function finished(page: Page, n: number): Promise<string> {
  const meta = exchange(page, n).locator('.turn__stats');
  await meta.waitFor(DEADLINE);
  return meta.innerText();
}

test('two turns with history, Copy, Stop mid-stream, Save transcript and Clear; light and dark at three sizes, axe-core clean', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'], reply: REPLY, tokenIntervalMs: 150 });
  scope.defer(() => ollama.close());
  const userDataDir = setUpProfile(scope);
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], hostEnv(scope, { ollamaHost: ollama.url }));
  const url = await uiUrl(host);

  const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  scope.defer(() => context.close());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
  const { page, problems } = await openPage(context, withRoute(url, '#/playground'));

  await explained(host, [page], async () => {
    await page.getByText('The runner is not running.').waitFor({ state: 'detached', timeout: 60_000 });

    // Turn 1, then turn 2: the double counts the user messages it was sent, so "Turn 2" proves the history went along.
    await ask(page, 'Hello there');
    const first = await finished(page, 1);
    assert.match(first, /^Ollama · llama3\.2(:latest)? · [\d.]+ (ms|s) \(first token [\d.]+ (ms|s)\) · \d+ in, \d+ out tokens$/);
    assert.equal(await exchange(page, 1).getByTestId('answer').innerText(), answerFor(1));
    assert.equal(await page.getByRole('textbox', { name: 'Prompt' }).inputValue(), '', 'the box empties once the prompt is sent');
    await ask(page, 'And what did I just say?');
    await finished(page, 2);
    assert.equal(await exchange(page, 2).getByTestId('answer').innerText(), answerFor(2));

    // Copy puts exactly that answer on the clipboard.
    await exchange(page, 2).getByRole('button', { name: 'Copy answer 2' }).click(DEADLINE);
    await exchange(page, 2).getByRole('button', { name: 'Copied answer 2' }).waitFor(DEADLINE);
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), answerFor(2));

    // Stop mid-stream keeps the words that came and says Stopped; the next prompt can go at once.
    await ask(page, 'Tell me a long story');
    await exchange(page, 3).getByText('Turn 3 is').waitFor(DEADLINE);
    await page.getByRole('button', { name: 'Stop' }).click(DEADLINE);
    await exchange(page, 3).getByText('Stopped', { exact: true }).waitFor(DEADLINE);
    const partial = await exchange(page, 3).getByTestId('answer').innerText();
    assert.ok(partial.startsWith('Turn 3 is') && partial.length < answerFor(3).length, `a partial answer, got ${JSON.stringify(partial)}`);
    assert.equal(await exchange(page, 3).locator('.turn__stats').count(), 0, 'a stopped answer has no stats line');
    await page.getByRole('textbox', { name: 'Prompt' }).fill('Next');
    assert.equal(await page.getByRole('button', { name: 'Send' }).isEnabled(), true);

    for (const colorScheme of ['light', 'dark'] as const) {
      for (const size of SIZES) {
        // The conversation lives in this window's session only (another window starts empty), so the shots resize this one.
        await page.emulateMedia({ colorScheme });
        await page.setViewportSize(size.viewport);
        await shot(page, `playground-conversation-${colorScheme}-${size.name}`);
        assert.equal(
          await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
          0,
          `no sideways scrolling at ${size.name}`,
        );
        assert.deepEqual(await seriousViolations(page), [], `axe-core, ${colorScheme} ${size.name}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Save transcript downloads the conversation as Markdown.
    const [download] = await Promise.all([page.waitForEvent('download', DEADLINE), page.getByRole('button', { name: 'Save transcript' }).click()]);
    assert.match(download.suggestedFilename(), /^stigmer-playground-\d{4}-\d{2}-\d{2}-\d{4}\.md$/);
    const saved = path.join(scope.tempDir(), download.suggestedFilename());
    await download.saveAs(saved);
    const text = fs.readFileSync(saved, 'utf8');
    for (const expected of ['Hello there', answerFor(1), 'And what did I just say?', answerFor(2), 'Tell me a long story', '_Stopped._', first]) {
      assert.ok(text.includes(expected), `the transcript holds ${JSON.stringify(expected)}`);
    }

    // Clear starts a new conversation: nothing shown, and the next answer is the model's first turn again.
    await page.getByRole('button', { name: 'Clear' }).click(DEADLINE);
    await page.getByRole('list', { name: 'Conversation' }).waitFor({ state: 'detached', ...DEADLINE });
    await ask(page, 'A fresh start');
    await finished(page, 4);
    assert.equal(await exchange(page, 4).getByTestId('answer').innerText(), answerFor(1));
    assert.deepEqual(problems, [], 'no console errors');
  });
});

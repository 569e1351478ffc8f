/**
 * Issue 14 §5: the log view never silently loses a line. The real headless host (`--ui`) runs
 * a runner that writes a 50,000-line burst; in Chromium the window shows where sampling left
 * lines out, loads every one of them back from the files, keeps the app's own lines, loads
 * older lines when scrolled back past its buffer, and wraps long lines on request.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { floodLine } from '../../bench/lib/flood.ts';
import { OLDER_READ_LINES } from '../../src/renderer/log-history.ts';
import { useBrowser } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, waitFor } from '../support/e2e-host.ts';
import { openLogsPage, shootBothSchemes } from '../support/logs-page.ts';

const FLOOD = path.join(import.meta.dirname, 'fixtures', 'flood-on-signal.ts');
const LINES = 50_000;
const DEADLINE = { timeout: 60_000 };
/** Text every flood line has and nothing else does. */
const FLOOD_TEXT = ' INFO worker[';

const browser = useBrowser();

/** `M of N lines` from the status bar. */
async function lineCount(page: Page): Promise<{ shown: number; total: number }> {
  const text = (await page.getByTestId('log-count').innerText()).replaceAll(',', '');
  const [, shown, total] = /(\d+) of (\d+) lines/.exec(text) ?? [];
  return { shown: Number(shown), total: Number(total) };
}

const setFilter = (page: Page, text: string) => page.getByPlaceholder('Filter messages…').fill(text);
const rowsMatching = (page: Page, text: string) => page.locator('.log-row:not(.log-row--gap):not(.log-row--probe) .log-row__msg').filter({ hasText: text });

test('a 50,000-line burst: gap markers load every skipped line from the files, app lines survive, older lines load on scroll, long lines wrap', async (t) => {
  const scope = new Scope(t);
  const signal = path.join(scope.tempDir(), 'go');
  const { page, host, url, problems } = await openLogsPage(scope, browser(), `${process.execPath} ${FLOOD} ${signal} ${LINES}`);
  await page.getByText('flood: waiting for the signal').waitFor(DEADLINE);
  fs.writeFileSync(signal, '');
  await page.getByText('flood done').first().waitFor(DEADLINE);
  await host.waitForLine('the runner to be restarted after its exit', (line) => / \[app\] .*exited with code 3/.test(line), 60_000);

  // Sampled in transit, and said so: a marker where lines are missing.
  await page.getByTestId('log-skipped').waitFor(DEADLINE);
  await setFilter(page, 'matches-no-line-at-all');
  const markers = page.locator('.log-row--gap button');
  await markers.first().waitFor(DEADLINE);
  assert.match(await markers.first().innerText(), /^[\d,]+ lines? skipped here to keep up: show them$/);
  await shootBothSchemes(page, 'logs-gap-markers');

  // The app's own line about the runner's exit, written amid the burst, was never sampled away.
  await setFilter(page, 'exited with code 3');
  await rowsMatching(page, 'exited with code 3').first().waitFor(DEADLINE);

  await setFilter(page, FLOOD_TEXT);
  const before = await waitFor('the flood lines shown', async () => ((await lineCount(page)).shown > 1 ? lineCount(page) : undefined), HOST_WAIT_MS);
  assert.ok(before.shown < LINES, `the window was sent a sample (${before.shown} of ${LINES} flood lines)`);
  // Opening every marker: each loads its lines (and leaves a marker for the rest of a big gap).
  await setFilter(page, 'matches-no-line-at-all');
  await markers.first().waitFor(DEADLINE);
  for (let opened = 0; ; opened++) {
    assert.ok(opened < 500, 'the markers run out');
    // The list redraws as lines load: a marker may go between finding and clicking it.
    const label = await markers
      .first()
      .innerText({ timeout: 3000 })
      .catch(() => null);
    if (label === null) break;
    const total = (await lineCount(page)).total;
    if (
      !(await markers
        .first()
        .click({ timeout: 3000 })
        .then(
          () => true,
          () => false,
        ))
    )
      continue;
    await waitFor(
      'the gap to be loaded',
      async () =>
        (await lineCount(page)).total !== total ||
        (await markers
          .first()
          .innerText({ timeout: 500 })
          .catch(() => null)) !== label,
      HOST_WAIT_MS,
    );
  }
  await setFilter(page, FLOOD_TEXT);
  await waitFor('every flood line in the window', async () => (await lineCount(page)).shown === LINES, HOST_WAIT_MS).catch(async (error: unknown) => {
    throw new Error(`${String(error)}: ${JSON.stringify(await lineCount(page))}`);
  });
  for (const index of [0, 1, 12_345, 31_337, LINES - 1]) {
    await setFilter(page, floodLine(index));
    await waitFor(`flood line ${index} once`, async () => (await lineCount(page)).shown === 1, HOST_WAIT_MS);
  }

  // A second window starts with the newest lines only; scrolling to the top loads older ones.
  const second = await page.context().newPage();
  await second.goto(url);
  // Its first batch of the newest lines, settled: the restarted runner's lines and the host's
  // own keep coming, so no particular line is sure to be in view (under load it scrolled away).
  let previous = -1;
  const start = await waitFor(
    'the second window to load its newest lines',
    async () => {
      const count = await lineCount(second);
      const settled = count.total > 0 && count.total === previous;
      previous = count.total;
      if (!settled) await second.waitForTimeout(250);
      return settled ? count : undefined;
    },
    HOST_WAIT_MS,
  );
  assert.ok(start.total < LINES, `the new window holds only the newest lines (${start.total})`);
  await second.getByRole('button', { name: 'Following' }).click();
  const list = second.getByRole('region', { name: 'Log lines' });
  await list.evaluate((element) => element.scrollTo({ top: 0 }));
  // Loaded while the user reads at the top, the older lines go above: the list moves down by them, so the rows in view stay put.
  await waitFor(
    'older lines from the files, above the rows in view',
    async () => {
      // Older lines come a thousand at a time; the host's own live lines are a few every few seconds.
      const grown = (await lineCount(second)).total > start.total + OLDER_READ_LINES / 2;
      if (grown) return (await list.evaluate((element) => element.scrollTop)) > 0;
      // A scroll that came before the list was ready asked for nothing: the user scrolls down a
      // little and up again (at the top already, scrolling up makes no scroll event).
      await list.evaluate((element) => element.scrollTo({ top: 200 }));
      await second.waitForTimeout(50);
      await list.evaluate((element) => element.scrollTo({ top: 0 }));
      return false;
    },
    HOST_WAIT_MS,
  );
  // The flood lines in the second window are now exactly the newest ones, none twice: if it
  // shows S of them, line LINES - S is there and the one before it is not.
  await setFilter(second, FLOOD_TEXT);
  const { shown } = await waitFor(
    'the flood lines counted',
    async () => {
      const count = await lineCount(second);
      return count.shown > 0 && count.shown < count.total ? count : undefined;
    },
    HOST_WAIT_MS,
  );
  assert.ok(shown > start.total - 100 && shown < LINES, `older flood lines were added (${shown})`);
  await setFilter(second, floodLine(LINES - shown));
  await waitFor(`flood line ${LINES - shown}, the oldest loaded`, async () => (await lineCount(second)).shown === 1, HOST_WAIT_MS);
  await setFilter(second, floodLine(LINES - shown - 1));
  await waitFor(`flood line ${LINES - shown - 1} not yet loaded`, async () => (await lineCount(second)).shown === 0, HOST_WAIT_MS);

  // Long lines wrap on request: a flood line is wider than the window at 800 px.
  await page.setViewportSize({ width: 800, height: 600 });
  await setFilter(page, FLOOD_TEXT);
  const row = page.locator('.log-row').filter({ hasText: FLOOD_TEXT }).last();
  const oneLine = (await row.boundingBox())!.height;
  await page.getByRole('button', { name: 'Wrap lines' }).click();
  await waitFor(
    'the row to wrap',
    async () => ((await page.locator('.log-row').filter({ hasText: FLOOD_TEXT }).last().boundingBox())?.height ?? 0) > oneLine * 1.5,
    HOST_WAIT_MS,
  );
  await shootBothSchemes(page, 'logs-wrapped');
  assert.deepEqual(problems, [], 'no console errors');
});

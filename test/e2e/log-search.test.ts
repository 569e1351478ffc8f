/**
 * Issue 22 item 12: the Logs filter searches the whole history on disk. The real headless host
 * (`--ui`) serves the window; its logs folder also holds rotated files from earlier runs. A line
 * only in those files is found by the filter in Chromium, shown with its date and time, and its
 * context is loaded on demand; the window's own count says it counts the window's lines.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileLineTag } from '../../src/main/logs/line-format.ts';
import { formatClock } from '../../src/renderer/format.ts';
import { SCREENSHOTS, useBrowser } from '../support/chromium.ts';
import { Scope } from '../support/e2e-host.ts';
import { openLogsPage } from '../support/logs-page.ts';

const RUNNER = path.join(import.meta.dirname, 'fixtures', 'flood-on-signal.ts');
const DEADLINE = { timeout: 60_000 };
const browser = useBrowser();

const START = Date.UTC(2026, 0, 19, 7, 0, 0);
const NEEDLE_TS = new Date(START + 5_250).toISOString();

/** Lines as the app writes them (`ts LEVEL stream body`), one every 10 ms from `from`. */
function fileLines(from: number, bodies: readonly string[]): string {
  return bodies.map((body, index) => `${new Date(from + index * 10).toISOString()}${fileLineTag('info', 'stdout')}${body}\n`).join('');
}

test('a line that is only in a rotated log file is found by the filter, with its date and time, and opens with its context', async (t) => {
  const scope = new Scope(t);
  // The runner waits for a signal that never comes: it stays up, quiet, for the whole test.
  const never = path.join(scope.tempDir(), 'never');
  const { page, userDataDir, problems } = await openLogsPage(scope, browser(), `${process.execPath} ${RUNNER} ${never} 1`);
  await page.getByText('flood: waiting for the signal').waitFor(DEADLINE);

  // Two rotated generations from an earlier run; the needle is in the older one.
  const logsDir = path.join(userDataDir, 'logs');
  const filler = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix} request ${index} handled`);
  fs.writeFileSync(
    path.join(logsDir, 'runner.2.log'),
    fileLines(START, [
      ...filler('early', 524),
      'line before the payment',
      'Payment gateway answered 502 for order 7731',
      'line after the payment',
      ...filler('late', 300),
    ]),
  );
  fs.writeFileSync(path.join(logsDir, 'runner.1.log'), fileLines(START + 60_000, filler('later', 2_000)));

  await page.getByPlaceholder('Filter messages…').fill('payment GATEWAY answered');
  const status = page.getByTestId('log-file-search');
  await status.filter({ hasText: /^1 match in the files \(searched [\d.,]+ [kKMG]?B\)$/ }).waitFor(DEADLINE);
  assert.match(
    await page.getByTestId('log-count').innerText(),
    /^0 of [\d,]+ lines in the window$/,
    'the window itself holds no such line, and says it counts the window',
  );

  const matches = page.getByRole('region', { name: 'Matches in the log files' });
  const hit = matches.locator('.file-matches__hit');
  await hit.filter({ hasText: 'Payment gateway answered 502 for order 7731' }).waitFor(DEADLINE);
  const when = `${new Date(NEEDLE_TS).toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${formatClock(NEEDLE_TS)}`;
  assert.equal(await hit.locator('.file-match__when').innerText(), when, 'the match shows the date and time it was written');
  assert.equal(await hit.locator('.log-row__source').innerText(), 'runner');

  await hit.getByRole('button', { name: 'Context' }).click();
  await matches.getByText('line before the payment').waitFor(DEADLINE);
  await matches.getByText('line after the payment').waitFor(DEADLINE);
  await matches.getByText('early request 523 handled').waitFor(DEADLINE);

  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const size of [
      { width: 1280, height: 800 },
      { width: 760, height: 520 },
    ]) {
      await page.setViewportSize(size);
      // As a user who opened it at this size sees it: the page keeps the match in view when it opens.
      await hit.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(SCREENSHOTS, `logs-file-search-${colorScheme}-${size.width}x${size.height}.png`) });
    }
  }

  // A line the window holds is in the files too: the window shows it, and the file matches are a click away.
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByPlaceholder('Filter messages…').fill('waiting for the signal');
  await status.filter({ hasText: /^1 match in the files \(searched [\d.,]+ [kKMG]?B\) Show them$/ }).waitFor(DEADLINE);
  assert.match(await page.getByTestId('log-count').innerText(), /^1 of [\d,]+ lines in the window$/);
  await status.getByRole('button', { name: 'Show them' }).click();
  await matches.locator('.file-matches__hit').filter({ hasText: 'flood: waiting for the signal' }).waitFor(DEADLINE);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'logs-file-search-both-light-1280x800.png') });

  // A text in no file: the search ends and says so, window and files alike.
  await page.getByPlaceholder('Filter messages…').fill('no line has this text 0xdeadbeef');
  await status.filter({ hasText: /^0 matches in the files/ }).waitFor(DEADLINE);
  await page.getByText('No lines match the filter, in the window or in the files.').waitFor(DEADLINE);
  assert.deepEqual(problems, []);
});

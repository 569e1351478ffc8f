/**
 * Issue 15 §3: a real python3 worker's traceback is one folded error entry in the window (here
 * the real host's Logs page in Chromium), while runner.log keeps every line as written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { useBrowser } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, waitFor } from '../support/e2e-host.ts';
import { openLogsPage, shootBothSchemes } from '../support/logs-page.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'traceback-then-sleep.py');
const DEADLINE = { timeout: 30_000 };

const browser = useBrowser();

test('a chained Python traceback is one error row that unfolds to every line; runner.log keeps them all', async (t) => {
  const expected = spawnSync('python3', [FIXTURE, '--once'], { encoding: 'utf8' }).stderr.trimEnd().split('\n');
  const scope = new Scope(t);
  const { page, userDataDir, problems } = await openLogsPage(scope, browser(), `python3 ${FIXTURE}`);

  await page.getByText('worker: still waiting for work').waitFor(DEADLINE);
  const group = page.locator('.log-row--group');
  assert.equal(await group.count(), 1, 'the traceback is one row');
  assert.match(await group.innerText(), /ERROR\s+.*Traceback, 17 lines\s+RuntimeError: task 'forty-two' is not a number/s);
  assert.equal(await page.getByText('line 9, in parse').count(), 0, 'the frames are folded away');
  assert.equal(
    await page
      .locator('.log-row')
      .filter({ hasText: /^.*ValueError: invalid literal/ })
      .count(),
    0,
  );

  const fold = group.getByRole('button', { name: /Traceback, 17 lines/ });
  assert.equal(await fold.getAttribute('aria-expanded'), 'false');
  await shootBothSchemes(page, 'python-traceback-folded');
  await fold.click();
  await page.getByText('line 9, in parse').waitFor(DEADLINE);
  assert.equal(await fold.getAttribute('aria-expanded'), 'true');
  const shown = await page.locator('.log-row--member .log-row__msg').allInnerTexts();
  assert.deepEqual(shown, expected.slice(1, 17), 'unfolded, the frames and both exception lines follow the head in order');
  await shootBothSchemes(page, 'python-traceback-unfolded');

  const runnerLog = path.join(userDataDir, 'logs', 'runner.log');
  await waitFor('the traceback in runner.log', () => fs.readFileSync(runnerLog, 'utf8').includes('RuntimeError: task'), HOST_WAIT_MS);
  const logged = fs.readFileSync(runnerLog, 'utf8');
  for (const line of expected) assert.ok(logged.includes(`${line}\n`), `runner.log has ${JSON.stringify(line)}`);
  assert.deepEqual(problems, [], 'no console errors');
});

/**
 * Disk space and downloads that survive (issue 24 §3, §4), through the window over both
 * transports: the models folder on a 64 MB file system, a pull refused before it starts (the
 * catalog's size) and as soon as Ollama's stream gives the size, a warning when little would be
 * left, a stalled transfer reported with Resume, a pull cut short by quitting the app offered for
 * Resume when it comes back and continued from the bytes on disk, and Cancel discarding one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { defaultSettings } from '../../src/shared/settings.ts';
import { FAKE_OLLAMA_CONFIG_ENV, type FakeOllamaConfig } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { journey } from '../support/app-under-test.ts';
import { seriousViolations } from '../support/axe.ts';
import { HOST_WAIT_MS, hostEnv, waitFor, type Scope } from '../support/e2e-host.ts';
import { smallDisk } from '../support/small-disk.ts';
import { reviewShots } from '../support/truthful-shots.ts';
import { DEADLINE, withRoute } from '../support/ui-e2e.ts';

const MB = 1e6;
const DISK_BYTES = 64 * 1024 * 1024;
const REGISTRY = {
  'seed:latest': [1 * MB],
  'small:latest': [20 * MB, 500],
  'other:latest': [10 * MB, 300],
  'big:latest': [100 * MB, 700],
};
/** About 10 s a layer: time to see it stall, quit midway, and come back. */
const FAKE: FakeOllamaConfig = {
  models: ['seed'],
  registry: REGISTRY,
  pullIntervalMs: 50,
  pullStepsPerLayer: 200,
  blobsOnDisk: true,
  pullFaults: [
    { model: 'small', atPercent: 10, fault: 'stall' },
    { model: 'other', atPercent: 20, fault: 'stall' },
  ],
};
const PULL_DEADLINE = { timeout: 120_000 };

/** The bar's percent once Ollama gave the bytes (before that the bar has no value). */
const percentOf = (page: Page, model: string) =>
  waitFor(
    `a percent for ${model}`,
    async () => {
      const value = await page.getByRole('progressbar', { name: `Pulling ${model}` }).getAttribute('value', DEADLINE);
      return value === null ? undefined : Number(value);
    },
    HOST_WAIT_MS,
  );
const partialBytes = (dir: string) =>
  fs.existsSync(path.join(dir, 'blobs'))
    ? fs
        .readdirSync(path.join(dir, 'blobs'))
        .filter((name) => name.endsWith('-partial'))
        .reduce((sum, name) => sum + fs.statSync(path.join(dir, 'blobs', name)).size, 0)
    : 0;

/** A profile whose launched Ollama keeps its models on a 64 MiB file system, and the app's environment. */
async function setUp(scope: Scope, fake: FakeOllamaConfig) {
  const disk = smallDisk(scope, DISK_BYTES);
  // Which small file system this run had: a real tmpfs, or the injected statfs where mounting is refused.
  console.log(`# models folder: 64 MiB, ${disk.kind}, at ${disk.dir}`);
  const userDataDir = scope.tempDir();
  fs.writeFileSync(
    path.join(userDataDir, 'settings.json'),
    JSON.stringify({
      ...defaultSettings(),
      provider: 'ollama',
      firstRunCompleted: true,
      providers: { ...defaultSettings().providers, ollama: { model: 'seed' } },
      ollama: { ...defaultSettings().ollama, modelsDir: disk.dir },
    }),
  );
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: fake, extra: { STIGMER_DOWNLOAD_STALL_SECONDS: '3', ...disk.env } });
  return { disk, userDataDir, env };
}

const panelOf = (page: Page) => page.getByRole('complementary', { name: 'Downloads' });

journey(
  'a pull is refused when the models folder is too small, before it starts or as soon as the stream gives its size; little space left is a warning; a stalled transfer is reported with Resume',
  async ({ scope, start }) => {
    const { disk, userDataDir, env } = await setUp(scope, FAKE);
    const app = await start({ userDataDir, env });
    await app.explained(async () => {
      const { page } = app;
      await app.open('#/models');
      const usage = page.getByTestId('disk-usage');
      await usage.getByText(/^Models use 1\.0 MB; 6\d\.\d MB free of 67\.1 MB on /).waitFor(DEADLINE);
      assert.ok((await usage.innerText()).includes(disk.dir));

      // The catalog knows mistral's size: refused before Ollama is asked, with both numbers and a fix.
      await page.getByRole('region', { name: 'Suggested' }).getByRole('button', { name: 'Pull mistral' }).click();
      const panel = panelOf(page);
      await panel
        .getByText(/^Not enough space for mistral: it needs 4\.1 GB \(4\.5 GB with a 10 % margin\) but .* has 6\d\.\d MB free\. Free at least 4\.\d GB there/)
        .waitFor(DEADLINE);
      assert.deepEqual(await seriousViolations(page), [], 'axe: the refusal');
      await app.shot('downloads-refused');

      // A name the catalog does not know: refused as soon as Ollama's stream gives the layer's size.
      const pullForm = page.getByRole('region', { name: 'Pull a model' });
      await pullForm.getByLabel('Model name to pull').fill('big');
      await pullForm.getByRole('button', { name: 'Pull' }).click();
      await panel
        .getByText(/^Not enough space for big: it needs 9\d\.\d MB \(1\d\d\.\d MB with a 10 % margin\) but .* has 6\d\.\d MB free\./)
        .waitFor(DEADLINE);

      // It fits, but leaves less than 5 GB: it goes ahead with a warning; then it stalls.
      await pullForm.getByLabel('Model name to pull').fill('small');
      await pullForm.getByRole('button', { name: 'Pull' }).click();
      await panel.getByText(/^After this download .* will have about 4\d\.\d MB free, less than 5\.0 GB\.$/).waitFor(DEADLINE);
      await panel.getByRole('progressbar', { name: 'Pulling small' }).waitFor(DEADLINE);
      assert.deepEqual(await seriousViolations(page), [], 'axe: the warning');
      await app.shot('downloads-warning');
      await panel.getByText('The download of small stalled: no data arrived for 3 s. Check your network connection, then choose Resume').waitFor(PULL_DEADLINE);
      assert.match(await panel.getByRole('listitem').filter({ hasText: 'stalled' }).innerText(), /Stalled/);
      const stalledAt = partialBytes(disk.dir);
      assert.ok(stalledAt >= 0.1 * 20 * MB, `the stalled pull left ${stalledAt} bytes on disk`);
      assert.deepEqual(await seriousViolations(page), [], 'axe: the stall');
      await app.shot('downloads-stalled');

      // Resume continues from the bytes on disk.
      await panel.getByRole('button', { name: 'Resume download of small' }).click();
      const resumedAt = await percentOf(page, 'small');
      assert.ok(resumedAt >= 9, `resumed at ${resumedAt} %, not from 0`);
      assert.deepEqual(app.problems, [], 'no console errors');
    });
  },
);

journey(
  'a pull cut short by quitting the app is offered for Resume when it comes back and continues from the bytes Ollama kept; Cancel discards an interrupted one',
  async ({ scope, start }) => {
    const { disk, userDataDir, env } = await setUp(scope, { ...FAKE, pullFaults: FAKE.pullFaults?.filter((fault) => fault.model !== 'small') });
    let app = await start({ userDataDir, env });
    await app.explained(async () => {
      const { page } = app;
      await app.open('#/models');
      // The window has its first state before the pull, so the pull is news and opens Downloads.
      await page.getByTestId('disk-usage').waitFor(DEADLINE);
      const pullForm = page.getByRole('region', { name: 'Pull a model' });
      await pullForm.getByLabel('Model name to pull').fill('small');
      await pullForm.getByRole('button', { name: 'Pull' }).click();
      await waitFor('the pull to pass 30 %', async () => (await percentOf(page, 'small')) >= 30, HOST_WAIT_MS);
    });
    await app.quit();
    const queued = JSON.parse(fs.readFileSync(path.join(userDataDir, 'downloads.json'), 'utf8')) as { downloads: { model: string }[] };
    assert.deepEqual(
      queued.downloads.map((entry) => entry.model),
      ['small'],
    );
    const keptBytes = partialBytes(disk.dir);
    assert.ok(keptBytes >= 0.25 * 20 * MB, `Ollama kept ${keptBytes} bytes of small`);

    // The app comes back: the interrupted pull is offered, and Resume finishes it from there.
    const config = env[FAKE_OLLAMA_CONFIG_ENV]!;
    fs.writeFileSync(config, JSON.stringify({ ...JSON.parse(fs.readFileSync(config, 'utf8')), pullIntervalMs: 20 }));
    app = await start({ userDataDir, env });
    await app.explained(async () => {
      const { page } = app;
      await app.open('#/models');
      await page
        .getByRole('button', { name: /^Downloads/ })
        .getByLabel('1 interrupted')
        .waitFor(DEADLINE);
      await page.getByRole('button', { name: /^Downloads/ }).click();
      const panel = panelOf(page);
      await panel.getByText(/^The download of small stopped at [2-9]\d % when the app last closed\. Resume continues where it stopped/).waitFor(DEADLINE);
      assert.deepEqual(await seriousViolations(page), [], 'axe: a download to resume');
      await app.shot('downloads-resume-after-restart');
      // The review's sizes (light and dark at 1280×800, 760×520 and 200 %), in fresh tabs of the
      // headless host's UI at the address it printed with its access token; the desktop window has one page.
      const url = [...app.output().matchAll(/UI ready: open (\S+)/g)].at(-1)?.[1];
      if (url) {
        await reviewShots(page.context().browser()!, scope, withRoute(url, '#/models'), 'downloads-resume', async (shown) => {
          await shown.getByRole('button', { name: /^Downloads/ }).click();
          await panelOf(shown)
            .getByText(/^The download of small stopped at/)
            .waitFor(DEADLINE);
          // Light is checked on the app's own window above; dark once, at the full size.
          if (shown.viewportSize()?.width === 1280 && (await shown.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches))) {
            assert.deepEqual(await seriousViolations(shown), [], 'axe: a download to resume, dark');
          }
        });
      }
      await panel.getByRole('button', { name: 'Resume download of small' }).click();
      await panel.getByText('small is installed. Your current model is unchanged.').waitFor(PULL_DEADLINE);
      // Continued from the partial blob, not downloaded again on top of it: exactly the layer's size.
      const blobs = fs.readdirSync(path.join(disk.dir, 'blobs')).map((name) => fs.statSync(path.join(disk.dir, 'blobs', name)).size);
      assert.ok(blobs.includes(20 * MB), `a whole 20 MB layer among ${blobs.join(', ')}`);
      await page
        .getByRole('region', { name: 'Installed' })
        .getByRole('row', { name: /small:latest/ })
        .waitFor(DEADLINE);
      await page
        .getByTestId('disk-usage')
        .getByText(/^Models use 21\.0 MB; 4\d\.\d MB free/)
        .waitFor(DEADLINE);

      // Cancel discards an interrupted pull: it leaves the queue and says what stays on disk.
      const pullForm = page.getByRole('region', { name: 'Pull a model' });
      await pullForm.getByLabel('Model name to pull').fill('other');
      await pullForm.getByRole('button', { name: 'Pull' }).click();
      await panel.getByText(/^The download of other stalled/).waitFor(PULL_DEADLINE);
      await panel.getByRole('button', { name: 'Cancel download of other' }).click();
      await panel.getByText(/^Download of other cancelled\. Ollama's API has no request to delete a partial download/).waitFor(DEADLINE);
      const after = JSON.parse(fs.readFileSync(path.join(userDataDir, 'downloads.json'), 'utf8')) as { downloads: unknown[] };
      assert.deepEqual(after.downloads, []);
      assert.deepEqual(await seriousViolations(page), [], 'axe: cancelled');
      assert.deepEqual(app.problems, [], 'no console errors');
    });
  },
);

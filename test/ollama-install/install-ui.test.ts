/**
 * Chromium walk: on a machine without Ollama, the Overview's no-Ollama problem offers "Install
 * Ollama"; clicking it shows the download's progress with Cancel, and then Ollama runs (the
 * wizard says it answers, and asks for a model). The real headless host (`--ui`) and a loopback
 * release server serving a stand-in archive.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../ollama/support.ts';
import { useBrowser, watchPage } from '../support/chromium.ts';
import { Scope, hostEnv, setUpProfile, startHost } from '../support/e2e-host.ts';
import { DEADLINE, explained, shot, uiUrl } from '../support/ui-e2e.ts';
import { buildArchive, startReleaseServer } from './release-server.ts';

const browser = useBrowser();

test(
  'Install Ollama from the no-Ollama problem: progress with Cancel, then Ollama runs; Settings checks for an update, the Overview updates it',
  { skip: process.platform === 'win32' },
  async (t) => {
    const scope = new Scope(t);
    const releases = await startReleaseServer(t);
    const work = scope.tempDir('stigmer-ollama-ui-');
    // 1 MiB at 16 KiB per 50 ms: about 3 s of download, long enough to be seen.
    releases.publish('0.14.2', buildArchive(work, '0.14.2', { padBytes: 1024 * 1024 }), { bytesPerTick: 16 * 1024 });
    const userDataDir = setUpProfile(scope, (settings) => {
      settings.provider = 'ollama';
      settings.providers.ollama.model = 'llama3.2';
    });
    const env = hostEnv(scope, {
      ollamaHost: `127.0.0.1:${await freePort()}`,
      extra: { PATH: [path.dirname(process.execPath), '/usr/bin', '/bin'].join(':'), STIGMER_OLLAMA_RELEASES_URL: releases.url },
    });
    const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
    const url = await uiUrl(host);
    const context = await browser().newContext({ viewport: { width: 1280, height: 860 } });
    scope.defer(() => context.close());
    const page = await context.newPage();
    const { problems: consoleErrors } = watchPage(page);
    await explained(host, [page], async () => {
      await page.goto(url.replace(/#.*$/, '') + '#/overview');
      const list = page.getByRole('list', { name: 'Problems' });
      await list.getByText('Ollama is not installed.', { exact: true }).waitFor(DEADLINE);
      await list.getByRole('button', { name: 'Install Ollama' }).click(DEADLINE);

      await list.getByText(/^Installing Ollama 0\.14\.2: downloading \d+%\.$/).waitFor(DEADLINE);
      await list.getByText(/ of 1\.\d MB, .*\/s, \d+ s left\./).waitFor(DEADLINE);
      assert.equal(await list.getByRole('button', { name: 'Cancel' }).count(), 1, 'the download can be cancelled');
      assert.equal(await page.getByText('Ollama is not installed.', { exact: true }).count(), 0, 'the progress stands in for the problem');
      await shot(page, 'ollama-installing');

      // Ollama runs, and the model it lacks makes setup needed again: the window shows the wizard's Ollama step.
      await page.getByText(/^Ollama 0\.14\.2 answers at http:\/\/127\.0\.0\.1:\d+ with 0 models installed\.$/).waitFor({ timeout: 60_000 });
      // The install's progress leaves once its job has ended, which the host reports just after Ollama answers.
      await page
        .getByText(/Installing Ollama/)
        .first()
        .waitFor({ ...DEADLINE, state: 'detached' });
      assert.ok(host.lines().some((line) => /Ollama 0\.14\.2 installed at .*\/ollama\/0\.14\.2\/bin\/ollama and started/.test(line)));

      // A newer release: Settings checks on demand, and the Overview then offers Update Ollama.
      releases.publish('0.14.3', buildArchive(work, '0.14.3'));
      await page.getByRole('button', { name: 'Set up later' }).click(DEADLINE);
      await page.goto(url.replace(/#.*$/, '') + '#/settings');
      const binary = page.getByRole('region', { name: 'Ollama binary' });
      await binary.getByText(/\(installed by this app, version 0\.14\.2\)/).waitFor(DEADLINE);
      await binary.getByRole('button', { name: 'Check for Ollama updates' }).click(DEADLINE);
      await binary.getByText(/^This app's Ollama 0\.14\.2 \(.*\) can be updated to 0\.14\.3\.$/).waitFor(DEADLINE);
      await page.goto(url.replace(/#.*$/, '') + '#/overview');
      await list.getByText('Ollama 0.14.3 is available.', { exact: true }).waitFor(DEADLINE);
      await list.getByRole('button', { name: 'Update Ollama' }).click(DEADLINE);
      // The update's progress stands in for the offer, then neither is left.
      await host.waitForLine('the update to finish', (line) => /Ollama updated from 0\.14\.2 to 0\.14\.3 /.test(line), 60_000);
      await list
        .getByText(/Ollama 0\.14\.3 is available|Installing Ollama/)
        .first()
        .waitFor({ ...DEADLINE, state: 'detached' });
    });
    assert.deepEqual(consoleErrors, [], 'no console errors');
    await host.stop();
  },
);

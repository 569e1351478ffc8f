/**
 * "Move models folder" in Settings (issue 24 §5), in Chromium through the real headless host
 * (`--ui`) with the Ollama double's executable launched by the app: a missing folder is a clear
 * error, the move copies and verifies, switches OLLAMA_MODELS (saved), restarts Ollama on the new
 * folder and lists every model, then "Delete the old copy" empties the old one. With an Ollama
 * the app did not start, the card explains how that Ollama is configured instead. Screenshots in
 * light and dark at 1280×800, the window's minimum and 200 % zoom; axe-core clean.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { seriousViolations } from '../support/axe.ts';
import { useBrowser } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, hostEnv, setUpProfile, startHost } from '../support/e2e-host.ts';
import { DEADLINE, explained, openPage, shot, uiUrl, withRoute } from '../support/ui-e2e.ts';

const browser = useBrowser();
/** 200 % zoom is 640×400 CSS pixels: the layout that must reflow. */
const SIZES = [
  { name: '1280x800', viewport: { width: 1280, height: 800 } },
  { name: '760x520', viewport: { width: 760, height: 520 } },
  { name: 'zoom200', viewport: { width: 640, height: 400 } },
] as const;
const MODELS = ['llama3.2:latest', 'qwen2.5:0.5b'];

const card = (page: Page) => page.getByRole('region', { name: 'Models folder', exact: true });

/** A models folder with real blobs named by their digest, and the double's list of installed models (its stand-in for manifests). */
function writeModelsFolder(folder: string): void {
  fs.mkdirSync(path.join(folder, 'blobs'), { recursive: true });
  for (const size of [2 * 1024 * 1024, 4096]) {
    const content = randomBytes(size);
    fs.writeFileSync(path.join(folder, 'blobs', `sha256-${createHash('sha256').update(content).digest('hex')}`), content);
  }
  fs.mkdirSync(path.join(folder, 'manifests', 'registry.ollama.ai', 'library', 'llama3.2'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'manifests', 'registry.ollama.ai', 'library', 'llama3.2', 'latest'), '{"schemaVersion":2}');
  fs.writeFileSync(path.join(folder, 'fake-ollama-models.json'), JSON.stringify(MODELS));
}

async function shots(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const size of SIZES) {
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize(size.viewport);
      await card(page).scrollIntoViewIfNeeded();
      await shot(page, `models-folder-${name}-${colorScheme}-${size.name}`);
      assert.equal(
        await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
        0,
        `no sideways scrolling at ${size.name}`,
      );
      // Contrast and names do not change with the size; once per scheme keeps the test quick on a busy machine.
      if (size.name === '1280x800') assert.deepEqual(await seriousViolations(page), [], `axe-core, ${colorScheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('moving the managed Ollama’s folder: a missing folder is refused, the move lists every model from the new folder, the old copy goes when asked', async (t) => {
  const scope = new Scope(t);
  const dir = scope.tempDir();
  const source = path.join(dir, 'old-models');
  const target = path.join(dir, 'new-disk');
  writeModelsFolder(source);
  fs.mkdirSync(target);
  const userDataDir = setUpProfile(scope, (settings) => void (settings.ollama.modelsDir = source));
  const ollamaUrl = `http://127.0.0.1:${await freePort()}`;
  const env = hostEnv(scope, { ollamaHost: ollamaUrl, fakeOllama: { models: [] } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
  scope.defer(() => context.close());
  const { page, problems } = await openPage(context, withRoute(url, '#/settings'));

  await explained(host, [page], async () => {
    await host.waitForLine('the app to launch Ollama', (line) => line.includes('launched by this app'), HOST_WAIT_MS);
    const input = card(page).getByRole('textbox', { name: 'Move to (an existing folder)' });
    const moveButton = card(page).getByRole('button', { name: 'Move models folder' });

    await input.fill(path.join(dir, 'not-there'));
    await moveButton.click(DEADLINE);
    await card(page)
      .getByText(`The folder ${path.join(dir, 'not-there')} does not exist.`)
      .waitFor(DEADLINE);
    assert.equal(fs.existsSync(path.join(dir, 'not-there')), false, 'no folder is made up in its place');
    await shots(page, 'missing');

    await input.fill(target);
    await moveButton.click(DEADLINE);
    const moved = card(page).getByText(/^Moved 4 files \(2\.\d MB\) to .*new-disk; Ollama lists every model there \(2 models\)\.$/);
    await moved.waitFor({ timeout: 60_000 });
    await card(page).getByText(`In use: ${target}`).waitFor(DEADLINE);
    const serverCard = page.getByRole('region', { name: 'Ollama server', exact: true });
    assert.equal(
      await serverCard.getByRole('textbox', { name: 'Models folder' }).inputValue(),
      target,
      'the server options show the new folder, so saving them keeps it',
    );
    assert.equal(await input.inputValue(), '', 'the move box empties once the move is done');
    const saved = JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { ollama: { modelsDir?: string } };
    assert.equal(saved.ollama.modelsDir, target, 'OLLAMA_MODELS is saved');
    assert.ok(fs.existsSync(path.join(source, 'fake-ollama-models.json')), 'the old copy stays until deleted');
    await shots(page, 'moved');

    await card(page).getByRole('button', { name: 'Delete the old copy' }).click(DEADLINE);
    await card(page)
      .getByText(/^Old copy deleted, 2\.\d MB freed\.$/)
      .waitFor(DEADLINE);
    assert.deepEqual(fs.readdirSync(source), []);
    assert.deepEqual(fs.readdirSync(target).sort(), ['blobs', 'fake-ollama-models.json', 'manifests']);
    // With the old folder empty, the relaunched Ollama still lists every model: it reads the new one.
    const tags = (await (await fetch(`${ollamaUrl}/api/tags`)).json()) as { models: { name: string }[] };
    assert.deepEqual(tags.models.map((model) => model.name).sort(), MODELS);
    assert.deepEqual(problems, [], 'no console errors');
  });
});

test('with an Ollama the app did not start, the card explains how that Ollama is configured and offers no move', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const userDataDir = setUpProfile(scope);
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], hostEnv(scope, { ollamaHost: ollama.url }));
  const url = await uiUrl(host);
  const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
  scope.defer(() => context.close());
  const { page, problems } = await openPage(context, withRoute(url, '#/settings'));
  await explained(host, [page], async () => {
    await card(page).getByText('This Ollama was not started by this app, so the app does not move its models folder.').waitFor({ timeout: 60_000 });
    await card(page)
      .getByText(/sudo systemctl edit ollama/)
      .waitFor(DEADLINE);
    assert.equal(await card(page).getByRole('button', { name: 'Move models folder' }).count(), 0);
    await shots(page, 'external');
    assert.deepEqual(problems, [], 'no console errors');
  });
});

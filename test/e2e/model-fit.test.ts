/**
 * GPU-aware fit on the Models screen (issue 24 §1, §2), through the real headless host (`--ui`)
 * with the Ollama double and a stand-in `nvidia-smi` (an 8 GiB card, or one that hangs), in
 * Chromium: the hardware with its sources; each verdict (fits on the GPU, partly on the GPU, does
 * not fit, CPU only) with its numbers; the loaded split from `/api/ps` against the estimate; a
 * model's context length changed on its card, estimated before saving. Each state is saved light and dark at 1280×800, 760×520 and 200 %,
 * checked with axe-core and for sideways scrolling.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { writeNvidiaSmi } from '../doubles/hardware.ts';
import { FAKE_OLLAMA_BIN_DIR } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { seriousViolations } from '../support/axe.ts';
import { useBrowser } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, hostEnv, setUpProfile, startHost, waitFor } from '../support/e2e-host.ts';
import { DEADLINE, SCREENSHOTS, explained, openPage, uiUrl, withRoute } from '../support/ui-e2e.ts';

/** One model per verdict on an 8 GiB GPU: 3.0 GB, 9.7 GB and 400.7 GB needed at 4,096 tokens. */
const REGISTRY = {
  'llama3.2:latest': [2_019_377_376, 1_429],
  'spill:9b': [9_000_000_000],
  'huge:400b': [400_000_000_000],
};
const MODELS = Object.keys(REGISTRY);

const browser = useBrowser();

const SIZES = [
  { name: '1280x800', viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
  { name: '760x520', viewport: { width: 760, height: 520 }, deviceScaleFactor: 1 },
  { name: 'zoom200', viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
] as const;

/** A host past setup with llama3.2 in use, a stand-in nvidia-smi first on PATH: an 8 GiB card, or one that never answers. */
async function startHostWith(t: TestContext, nvidiaSmi: 'gpu' | 'hung') {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const port = await freePort();
  const bin = scope.tempDir('stigmer-e2e-gpu-');
  writeNvidiaSmi(bin, nvidiaSmi === 'gpu' ? { lines: ['NVIDIA GeForce RTX 4060, 8188, 612'] } : { hang: true });
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${port}`,
    // Ollama puts 62 % of llama3.2 on the GPU: far from the estimate.
    fakeOllama: { models: MODELS, registry: REGISTRY, gpuShare: { 'llama3.2:latest': 0.62 } },
    extra: { PATH: [bin, FAKE_OLLAMA_BIN_DIR, path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter) },
  });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  return { scope, host, url: await uiUrl(host), port, userDataDir };
}

/** Loads a model as a first prompt would (the double keeps it in /api/ps for 5 minutes). */
async function load(port: number, model: string): Promise<void> {
  const answer = await fetch(`http://127.0.0.1:${port}/api/generate`, { method: 'POST', body: JSON.stringify({ model, prompt: 'hi', stream: false }) });
  assert.equal(answer.status, 200);
}

const regionOf = (page: Page, name: string) => page.getByRole('region', { name });

/**
 * Opens the Models screen at each size, lets `prepare` bring it to the state under test, then in
 * light and dark: a screenshot of the whole screen, axe-core, and no sideways scrolling.
 */
async function walkSizes(scope: Scope, url: string, name: string, prepare: (page: Page) => Promise<void>): Promise<void> {
  const found: Record<string, unknown> = {};
  for (const size of SIZES) {
    const context = await browser().newContext({ viewport: size.viewport, deviceScaleFactor: size.deviceScaleFactor });
    scope.defer(() => context.close());
    const { page, problems } = await openPage(context, withRoute(url, '#/models'));
    await prepare(page);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const height = Number(await page.evaluate('document.querySelector("main")?.scrollHeight ?? 0'));
      await page.setViewportSize({ width: size.viewport.width, height: Math.max(size.viewport.height, height) });
      await page.screenshot({ path: path.join(SCREENSHOTS, `fit-${name}-${size.name}-${colorScheme}.png`) });
      await page.setViewportSize(size.viewport);
      const where = `${name} at ${size.name} (${colorScheme})`;
      assert.equal(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 0, `no sideways scrolling: ${where}`);
      const violations = await seriousViolations(page);
      if (violations.length > 0) found[where] = violations;
    }
    assert.deepEqual(problems, [], `no console errors at ${size.name}`);
  }
  assert.deepEqual(found, {}, 'no serious or critical axe violations');
}

test('with an 8 GiB NVIDIA GPU: the hardware and its source, each verdict with its numbers, the loaded split, and a context length estimated before it is saved', async (t) => {
  const { scope, host, url, port, userDataDir } = await startHostWith(t, 'gpu');
  await load(port, 'llama3.2');
  const pages: Page[] = [];
  await explained(host, pages, async () => {
    const atRest = async (page: Page) => {
      pages.push(page);
      await regionOf(page, 'Fit and context length').getByText('huge:400b', { exact: true }).waitFor(DEADLINE);
    };
    await walkSizes(scope, url, 'gpu', atRest);

    const { page } = await openPage(await browser().newContext({ viewport: { width: 1280, height: 800 } }), withRoute(url, '#/models'));
    scope.defer(() => page.context().close());
    pages.push(page);
    await atRest(page);

    // The machine: the GPU from nvidia-smi, with the query it came from.
    const machine = regionOf(page, 'This machine');
    await machine.getByText('NVIDIA GeForce RTX 4060: 8.6 GB VRAM, 641.7 MB in use').waitFor(DEADLINE);
    assert.match(await machine.innerText(), /nvidia-smi --query-gpu=name,memory\.total,memory\.used --format=csv,noheader,nounits/);
    assert.match(await machine.innerText(), /GPU budget\s+8\.6 GB/);

    // Each verdict with its numbers, on the model's card and in the table.
    const card = (name: string) => regionOf(page, 'Fit and context length').getByRole('listitem').filter({ hasText: name });
    assert.match(await card('llama3.2:latest').innerText(), /Fits on the GPU\s+Fits on the GPU: needs 3\.0 GB at 4,096 tokens of 8\.6 GB\./);
    assert.match(await card('llama3.2:latest').innerText(), /2\.0 GB weights \+ 469\.8 MB KV cache \(f16\) \+ 536\.9 MB overhead = 3\.0 GB/);
    assert.match(
      await card('spill:9b').innerText(),
      /Partly on the GPU \(~88 %\)\s+Partly on the GPU \(about 88 %\): needs 9\.7 GB at 4,096 tokens, the GPU holds 8\.6 GB/,
    );
    assert.match(
      await card('huge:400b').innerText(),
      /Does not fit\s+Does not fit: needs 400\.7 GB at 4,096 tokens; this machine has 8\.6 GB GPU \+ [\d.]+ GB usable RAM\./,
    );
    const row = (name: string) => regionOf(page, 'Installed').getByRole('row', { name: new RegExp(name) });
    assert.match(await row('llama3\\.2:latest').innerText(), /\bGPU\b/);
    assert.match(await row('spill:9b').innerText(), /~88 % GPU/);
    assert.match(await row('huge:400b').innerText(), /Does not fit/);

    // Loaded: the real split next to the estimate, and the difference as a problem with its fix.
    const loaded = regionOf(page, 'Loaded in memory');
    await loaded.getByText('62 % GPU').waitFor(DEADLINE);
    assert.match(await loaded.innerText(), /62 % GPU · estimated 100 %/);
    assert.match(await loaded.innerText(), /Ollama put 62 % of it on the GPU; the estimate was 100 %\./);
    assert.match(await loaded.innerText(), /Pull a smaller quantisation of this model .* or shorten its context \(now 4,096 tokens\)/);

    // Suggestions use the same verdicts; the recommendation fits the GPU.
    const suggested = regionOf(page, 'Suggested');
    assert.match(await suggested.getByRole('listitem').filter({ hasText: 'Recommended' }).innerText(), /Fits on the GPU/);
    assert.match(await suggested.getByRole('listitem').filter({ hasText: 'gemma3:12b' }).innerText(), /Partly on the GPU \(~\d+ %\)/);

    // A longer context, estimated as it is typed, before anything is saved.
    const context = card('llama3.2:latest').getByLabel('Context length');
    await context.fill('131072');
    await card('llama3.2:latest').getByText('At 131,072 tokens, not saved yet:').waitFor(DEADLINE);
    assert.match(await card('llama3.2:latest').innerText(), /Partly on the GPU \(about 48 %\): needs 17\.6 GB at 131,072 tokens/);
    const saved = () => JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { ollama: { modelContext?: Record<string, number> } };
    assert.equal(saved().ollama.modelContext, undefined, 'nothing saved while typing');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'fit-context-preview-1280x800-light.png') });

    await card('llama3.2:latest').getByRole('button', { name: 'Save the context length of llama3.2:latest' }).click();
    await waitFor('the context length to be saved', () => saved().ollama.modelContext?.['llama3.2:latest'] === 131_072, HOST_WAIT_MS);
    await row('llama3\\.2:latest').getByText('~48 % GPU').waitFor(DEADLINE);
    assert.match(await loaded.innerText(), /62 % GPU · estimated 48 %/);
    assert.match(await card('llama3.2:latest').innerText(), /Set for this model\. The model handles up to 131,072 tokens\./);

    // Back to the default: the card and the setting follow.
    await card('llama3.2:latest').getByRole('button', { name: 'Use the default for llama3.2:latest' }).click();
    await waitFor('the context length to be cleared', () => saved().ollama.modelContext === undefined, HOST_WAIT_MS);
    await row('llama3\\.2:latest').getByText(/^GPU$/).waitFor(DEADLINE);

    // The preview, at every size and in both schemes.
    await walkSizes(scope, url, 'context-preview', async (other) => {
      pages.push(other);
      await atRest(other);
      const field = regionOf(other, 'Fit and context length').getByRole('listitem').filter({ hasText: 'llama3.2:latest' }).getByLabel('Context length');
      await field.fill('131072');
      await other.getByText('At 131,072 tokens, not saved yet:').waitFor(DEADLINE);
      await field.scrollIntoViewIfNeeded();
    });
  });
});

test('with an nvidia-smi that never answers: it is stopped after 3 s, the screen says so, and every model is judged CPU only', async (t) => {
  const { scope, host, url } = await startHostWith(t, 'hung');
  const pages: Page[] = [];
  await explained(host, pages, async () => {
    await walkSizes(scope, url, 'cpu', async (page) => {
      pages.push(page);
      const machine = regionOf(page, 'This machine');
      await machine.getByText('None found: models run on the CPU only, and slowly.').waitFor(DEADLINE);
      assert.match(await machine.innerText(), /nvidia-smi did not answer within 3 s, so NVIDIA GPUs are not counted\.\s+Check the GPU driver/);
      const card = regionOf(page, 'Fit and context length').getByRole('listitem').filter({ hasText: 'llama3.2:latest' });
      assert.match(await card.innerText(), /CPU only\s+CPU only: needs 3\.0 GB at 4,096 tokens of [\d.]+ GB usable RAM; no GPU, so it runs slowly\./);
      assert.match(
        await regionOf(page, 'Installed')
          .getByRole('row', { name: /spill:9b/ })
          .innerText(),
        /CPU only|Does not fit/,
      );
      assert.match(await regionOf(page, 'Aliases').innerText(), /the largest of the 2 installed models that run here \(CPU only\)/);
    });
  });
});

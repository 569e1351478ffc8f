/**
 * The Models screen over both transports (see app-under-test.ts): the Ollama the app launched,
 * pulls with progress that outlive navigation and a reload, cancel, unload and delete.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { estimateMemory, judgeFit } from '../../src/shared/fit.ts';
import { budgetOf } from '../../src/shared/hardware.ts';
import { SUGGESTED_ARCHITECTURES } from '../../src/shared/suggested-architectures.ts';
import { detectHardware } from '../../src/main/hardware/detect.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { freePort } from '../ollama/support.ts';
import { journey } from '../support/app-under-test.ts';
import { HOST_WAIT_MS, hostEnv, waitFor } from '../support/e2e-host.ts';
import { DEADLINE } from '../support/ui-e2e.ts';

/**
 * Pulled slowly: a pull lasts about 30 s, long enough to navigate, reload and cancel on a busy
 * machine, where a reload of the desktop window alone may take seconds.
 */
const REGISTRY = {
  'qwen2.5:0.5b': [397_807_936, 6_929],
  'llama3.2:latest': [2_019_377_376, 1_429],
  'mistral:7b': [4_113_301_824, 7_711],
  'mistral:latest': [4_113_301_824, 7_711],
};

/** A whole pull, on a busy machine. */
const PULL_DEADLINE = { timeout: 90_000 };

const settingsFile = (dir: string) => path.join(dir, 'settings.json');
const readSettings = (dir: string) => JSON.parse(fs.readFileSync(settingsFile(dir), 'utf8')) as ReturnType<typeof defaultSettings>;

async function installedModels(port: number): Promise<string[]> {
  const answer = (await (await fetch(`http://127.0.0.1:${port}/api/tags`)).json()) as { models: { name: string }[] };
  return answer.models.map((model) => model.name);
}

journey(
  'the Models screen lists, pulls with progress, cancels, deletes and unloads; downloads survive navigation and reload and never change the model',
  async ({ scope, start }) => {
    const userDataDir = scope.tempDir();
    fs.writeFileSync(settingsFile(userDataDir), JSON.stringify({ ...defaultSettings(), provider: 'ollama', firstRunCompleted: true }));
    const port = await freePort();
    const env = hostEnv(scope, {
      ollamaHost: `127.0.0.1:${port}`,
      fakeOllama: { models: ['qwen2.5:0.5b'], registry: REGISTRY, pullIntervalMs: 50, pullStepsPerLayer: 300 },
    });
    const app = await start({ userDataDir, env });
    const { page } = app;
    await app.explained(async () => {
      await app.open('#/models');
      // Installed first, with what /api/tags says about it; the model in use is marked.
      const installed = page.getByRole('region', { name: 'Installed' });
      const row = installed.getByRole('row', { name: /qwen2\.5:0\.5b/ });
      await row.waitFor(DEADLINE);
      assert.match(await row.innerText(), /qwen2\.5:0\.5b\s+qwen family\s+In use\s+397\.8 MB\s+0\.5B\s+Q4_K_M\s+(GPU|~\d+ % GPU|CPU only)\s+Delete/);
      assert.equal(await page.title(), 'Models · Stigmer');

      // Suggestions: the rule is on screen, verdicts follow it, exactly one is recommended.
      const suggested = page.getByRole('region', { name: 'Suggested' });
      await suggested.getByText('Needed memory = weights + KV cache').waitFor(DEADLINE);
      // The host detects the same machine with the same PATH.
      const estimate = estimateMemory({
        weightsBytes: 8_100_000_000,
        architecture: SUGGESTED_ARCHITECTURES['gemma3:12b']!,
        contextLength: 4096,
        kvCacheType: 'f16',
      });
      const { summary } = judgeFit(estimate, budgetOf(await detectHardware({ env })));
      assert.match(await suggested.getByRole('listitem').filter({ hasText: 'gemma3:12b' }).innerText(), new RegExp(summary.slice(0, 20)));
      assert.equal(await suggested.getByText('Recommended').count(), 1);
      await suggested.getByRole('button', { name: 'Pull mistral' }).waitFor(DEADLINE);
      await app.shot('models');

      // A name the registry cannot hold is refused with the rule, and never sent.
      const pullForm = page.getByRole('region', { name: 'Pull a model' });
      await pullForm.getByLabel('Model name to pull').fill('llama 3!');
      await pullForm.getByRole('button', { name: 'Pull' }).click();
      await pullForm.getByText('"llama 3!" is not a valid model name. A model name is name[:tag]').waitFor(DEADLINE);

      // A pull by name: the panel opens by itself with bytes, speed and time left, and no digest.
      await pullForm.getByLabel('Model name to pull').fill('mistral:7b');
      await pullForm.getByRole('button', { name: 'Pull' }).click();
      const panel = page.getByRole('complementary', { name: 'Downloads' });
      const bar = panel.getByRole('progressbar', { name: 'Pulling mistral:7b' });
      await bar.waitFor(DEADLINE);
      await panel.getByText(/of 4\.1 GB · [\d.]+ [KMG]?B\/s · \d+s left/).waitFor(DEADLINE);
      assert.doesNotMatch(await panel.innerText(), /[0-9a-f]{12}/, 'no layer digest');
      await app.shot('models-downloading');

      // It survives navigation and a reload: the list lives in main.
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor(DEADLINE);
      await bar.waitFor(DEADLINE);
      await app.open('#/settings');
      await page.getByRole('button', { name: 'Downloads' }).click();
      const before = Number(await bar.getAttribute('value', DEADLINE));
      await waitFor('the download to go on after the reload', async () => Number(await bar.getAttribute('value')) > before, HOST_WAIT_MS);

      // Cancelling says so, and installs nothing.
      await panel.getByRole('button', { name: 'Cancel download of mistral:7b' }).click();
      await panel.getByText('Download of mistral:7b cancelled.').waitFor(DEADLINE);
      assert.ok(!(await installedModels(port)).includes('mistral:7b'));

      // A pull the user did not ask to use leaves the model alone, even the default's own model.
      await page.getByRole('link', { name: 'Models' }).click();
      await pullForm.getByLabel('Model name to pull').fill('llama3.2');
      await pullForm.getByRole('button', { name: 'Pull' }).click();
      await panel.getByText('llama3.2 is installed. Your current model is unchanged.').waitFor(PULL_DEADLINE);
      await installed.getByRole('row', { name: /llama3\.2:latest/ }).waitFor(DEADLINE);
      assert.match(await row.innerText(), /In use/, 'qwen2.5:0.5b stays in use');
      assert.equal(readSettings(userDataDir).providers.ollama.model, 'qwen2.5:0.5b', 'the default model is kept as it was');
      await panel.getByRole('button', { name: 'Dismiss llama3.2' }).click();
      await panel.getByText('llama3.2 is installed').waitFor({ state: 'detached', ...DEADLINE });

      // Loaded models with their memory, and Unload.
      await fetch(`http://127.0.0.1:${port}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'llama3.2:latest', prompt: '', keep_alive: '10m' }),
      });
      await app.open('#/models');
      const loaded = page.getByRole('region', { name: 'Loaded in memory' });
      await loaded.getByText('2.0 GB in memory').waitFor(DEADLINE);
      await loaded.getByRole('button', { name: 'Unload llama3.2:latest' }).click();
      await loaded.getByText('No model is loaded in memory').waitFor(DEADLINE);

      // Delete asks first, then says how much space it freed.
      await installed.getByRole('button', { name: 'Delete llama3.2:latest' }).click();
      await installed.getByText('Delete and free 2.0 GB?').waitFor(DEADLINE);
      await app.shot('models-delete-confirm');
      await installed.getByRole('group', { name: 'Confirm deleting llama3.2:latest' }).getByRole('button', { name: 'Delete' }).click();
      await installed.getByText('Deleted llama3.2:latest; 2.0 GB freed.').waitFor(DEADLINE);
      await installed.getByRole('row', { name: /llama3\.2:latest/ }).waitFor({ state: 'detached', ...DEADLINE });
      assert.deepEqual(await installedModels(port), ['qwen2.5:0.5b']);
      assert.deepEqual(app.problems, [], 'no console errors');
    });
  },
);

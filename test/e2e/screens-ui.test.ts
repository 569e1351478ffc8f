/**
 * Screenshots of the Models, Settings, Overview and Logs screens in light and dark, at 800×600 and
 * at the Electron window's minimum size: the real headless host (`--ui`) with the Ollama double,
 * in Debian's Chromium. The journeys through these screens, over both transports, are in
 * test/journeys-ui.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../ollama/support.ts';
import { useBrowser } from '../support/chromium.ts';
import { Scope, setUpProfile, hostEnv, startHost } from '../support/e2e-host.ts';
import { DEADLINE, SCREENSHOTS, explained, newContext, openPage, uiUrl, withRoute } from '../support/ui-e2e.ts';

/** Small layers pulled slowly: the pull is still under way when the screenshots are taken. */
const REGISTRY = {
  'qwen2.5:0.5b': [397_807_936, 6_929],
  'llama3.2:latest': [2_019_377_376, 1_429],
  'mistral:7b': [4_113_301_824, 7_711],
  'mistral:latest': [4_113_301_824, 7_711],
};

const browser = useBrowser();

test('screenshots of the new screens: light and dark, 800×600 and the Electron minimum width', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const port = await freePort();
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${port}`,
    fakeOllama: { models: ['llama3.2', 'qwen2.5:0.5b'], registry: REGISTRY, pullIntervalMs: 200, pullStepsPerLayer: 200 },
  });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of [
      { width: 800, height: 600 },
      { width: 760, height: 520 },
    ]) {
      const { page, problems } = await openPage(await newContext(browser(), scope, { colorScheme, viewport }), withRoute(url, '#/models'));
      await explained(host, [page], async () => {
        await page
          .getByRole('region', { name: 'Installed' })
          .getByRole('row', { name: /llama3\.2:latest/ })
          .waitFor(DEADLINE);
        if (colorScheme === 'light' && viewport.width === 800) await page.getByRole('button', { name: 'Pull mistral' }).click();
        const panel = page.getByRole('complementary', { name: 'Downloads' });
        if (colorScheme === 'light' && viewport.width === 800) await panel.getByRole('progressbar').waitFor(DEADLINE);
        else await page.getByRole('button', { name: 'Downloads' }).click();
        await panel.waitFor(DEADLINE);
        await page.evaluate('document.querySelector("main").scrollTo(0, 0)');
        const name = `${colorScheme}-${viewport.width}x${viewport.height}`;
        await page.screenshot({ path: path.join(SCREENSHOTS, `e2e-models-${name}.png`) });
        assert.equal(await page.evaluate('document.querySelector(".sidebar").getBoundingClientRect().height'), viewport.height, 'the sidebar fills the window');
        // Nothing sticks out sideways at this size.
        assert.equal(
          await page.evaluate('document.querySelector("main").scrollWidth <= document.querySelector("main").clientWidth'),
          true,
          `no horizontal overflow at ${name}`,
        );
        await page.goto(withRoute(url, '#/settings'));
        await page.getByRole('region', { name: 'Endpoints' }).waitFor(DEADLINE);
        await page.screenshot({ path: path.join(SCREENSHOTS, `e2e-settings-${name}.png`) });
        for (const route of ['overview', 'logs'] as const) {
          await page.goto(withRoute(url, `#/${route}`));
          await page.getByRole('heading', { level: 1 }).waitFor(DEADLINE);
          await page.screenshot({ path: path.join(SCREENSHOTS, `e2e-${route}-${name}.png`) });
        }
        assert.deepEqual(problems, []);
      });
    }
  }
});

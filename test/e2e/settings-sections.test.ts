/**
 * Settings as sections the user can scan, with one save behaviour (issue 22 §19), in Chromium
 * through the real headless host (`--ui`) with the Ollama double: the section list goes to each
 * section, a typed value is checked before Save is enabled, Save is never enabled on an empty or
 * unchanged field, and a save says "Saved." and lands in the settings file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { freePort } from '../ollama/support.ts';
import { seriousViolations } from '../support/axe.ts';
import { useBrowser } from '../support/chromium.ts';
import { HOST_WAIT_MS, Scope, hostEnv, setUpProfile, startHost, waitFor } from '../support/e2e-host.ts';
import { reviewShots } from '../support/truthful-shots.ts';
import { DEADLINE, explained, uiUrl, withRoute } from '../support/ui-e2e.ts';

const browser = useBrowser();

const SECTIONS = [
  'Provider',
  'Model',
  'API keys',
  'Endpoints',
  'OpenAI-compatible servers',
  'Ollama server',
  'Models folder',
  'Ollama binary',
  'Runner command',
];

const readSettings = (userDataDir: string) => JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8'));

/** Zero serious or critical axe-core violations on what the page shows now. */
async function accessible(page: Page, where: string): Promise<void> {
  assert.deepEqual(await seriousViolations(page), [], `axe-core on ${where}`);
}

test('Settings: a section list that goes to each section; typed values are checked before Save is enabled, the same way in every section', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = withRoute(await uiUrl(host), '#/settings');
  const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
  scope.defer(() => context.close());
  const page = await context.newPage();
  await explained(host, [page], async () => {
    await page.goto(url);
    const nav = page.getByRole('navigation', { name: 'Settings sections' });
    await nav.getByRole('button').first().waitFor(DEADLINE);
    assert.deepEqual(
      await nav.getByRole('button').allInnerTexts(),
      SECTIONS,
      'every section listed, in page order (no Updates nor login item in a headless host)',
    );
    for (const title of SECTIONS) assert.equal(await page.getByRole('region', { name: title, exact: true }).count(), 1, `a region named ${title}`);

    // The list goes to a section: its heading takes focus, so the keyboard goes on from there.
    await nav.getByRole('button', { name: 'Runner command' }).click();
    await waitFor(
      'the Runner command heading to take focus',
      () => page.evaluate(() => document.activeElement?.textContent === 'Runner command'),
      HOST_WAIT_MS,
    );
    assert.ok(await page.getByRole('heading', { name: 'Runner command' }).isVisible());

    // An endpoint: empty or unchanged, nothing to save.
    const openai = page.getByRole('form', { name: 'OpenAI endpoint' });
    const save = openai.getByRole('button', { name: 'Save' });
    assert.equal(await save.isDisabled(), true, 'Save is off on an empty field');
    // A wrong value is told before anything is sent, and Save stays off.
    await openai.getByRole('textbox', { name: 'OpenAI base URL' }).fill('ftp://localhost:1234');
    await openai.getByText('ftp:// is not served: type http(s)://host[:port][/path].').waitFor(DEADLINE);
    assert.equal(await save.isDisabled(), true, 'Save is off while the value is wrong');
    assert.equal(await openai.getByRole('textbox', { name: 'OpenAI base URL' }).getAttribute('aria-invalid'), 'true');
    await accessible(page, 'Settings with an invalid endpoint');
    await openai.getByRole('textbox', { name: 'OpenAI base URL' }).fill('http://127.0.0.1:1234/v1');
    assert.equal(await save.isEnabled(), true, 'a valid change can be saved');
    await save.click();
    await openai.getByRole('status').getByText('Saved.').waitFor(DEADLINE);
    await waitFor('the base URL saved', () => readSettings(userDataDir).providers.openai.baseUrl === 'http://127.0.0.1:1234/v1', HOST_WAIT_MS);
    await waitFor('saved: nothing left to save', () => save.isDisabled(), HOST_WAIT_MS);
    // Emptied, it is not saved as "": Reset is how the default comes back.
    await openai.getByRole('textbox', { name: 'OpenAI base URL' }).fill('');
    await openai.getByText('Type a URL, or use Reset for the default.').waitFor(DEADLINE);
    assert.equal(await save.isDisabled(), true);
    await openai.getByRole('button', { name: 'Reset the OpenAI base URL' }).click();
    await openai.getByText('Default restored.').waitFor(DEADLINE);
    await waitFor('the default restored', () => readSettings(userDataDir).providers.openai.baseUrl === undefined, HOST_WAIT_MS);

    // The Ollama server: the same rule for a form of several fields.
    const server = page.getByRole('form', { name: 'Ollama server options' });
    const saveServer = server.getByRole('button', { name: 'Save server options' });
    assert.equal(await saveServer.isDisabled(), true, 'nothing changed yet');
    await server.getByLabel('Context length').fill('100');
    await server.getByText('Context length: a whole number from 256 to 1048576, or empty for the default.').waitFor(DEADLINE);
    assert.equal(await saveServer.isDisabled(), true);
    await server.getByLabel('Context length').fill('8192');
    await saveServer.click();
    await server.getByText('Saved.').waitFor(DEADLINE);
    await waitFor('the context length saved', () => readSettings(userDataDir).ollama.contextLength === 8192, HOST_WAIT_MS);

    // The binary and the runner command: no Save on an empty field either.
    assert.equal(await page.getByRole('form', { name: 'Ollama binary path' }).getByRole('button', { name: 'Save' }).isDisabled(), true);
    assert.equal(await page.getByRole('region', { name: 'Runner command' }).getByRole('button', { name: 'Save…' }).isDisabled(), true);
    await accessible(page, 'Settings');
  });
  const showInvalid = async (shown: Page) => {
    const openai = shown.getByRole('form', { name: 'OpenAI endpoint' });
    await openai.getByRole('textbox', { name: 'OpenAI base URL' }).fill('ftp://localhost:1234', DEADLINE);
    await openai.getByText(/is not served/).waitFor(DEADLINE);
    await openai.evaluate((form) => form.scrollIntoView({ block: 'center' }));
    await accessible(shown, 'Settings, invalid endpoint');
  };
  await reviewShots(browser(), scope, url, 'settings-top', async (shown) => {
    await shown.getByRole('navigation', { name: 'Settings sections' }).getByRole('button').first().waitFor(DEADLINE);
    await accessible(shown, 'Settings');
  });
  await reviewShots(browser(), scope, url, 'settings-endpoint-invalid', showInvalid);
  await host.stop();
});

/**
 * An OpenAI-compatible endpoint added in Settings, over both transports: the typed key is only
 * ever shown masked, never written to the settings file, and choosing the endpoint restarts the
 * built-in runner on it (the OpenAI double at a loopback base URL); Check asks the server, and
 * another of its models can be chosen while it is in use.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { startFakeOpenAI } from '../doubles/cloud/openai.ts';
import { freePort } from '../ollama/support.ts';
import { journey } from '../support/app-under-test.ts';
import { hostEnv, setUpProfile } from '../support/e2e-host.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';
import { DEADLINE } from '../support/ui-e2e.ts';

const TYPED_KEY = 'gsk_E2eENDPOINTtyped0123456789abcdefXYZ';
const MODEL = 'llama-3.3-70b-versatile';
const SMALL_MODEL = 'llama-3.1-8b-instant';

journey(
  'an endpoint added in Settings keeps its key masked and out of the settings file, and choosing it restarts the runner on it',
  async ({ scope, start }) => {
    const groq = await startFakeOpenAI({ validKeys: [TYPED_KEY], models: [MODEL, SMALL_MODEL] });
    scope.defer(() => groq.close());
    const userDataDir = setUpProfile(scope, (settings) => {
      settings.provider = 'ollama';
      settings.providers.ollama.model = 'llama3.2';
    });
    const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
    const app = await start({ userDataDir, env });
    const { page } = app;
    await app.explained(async () => {
      await app.waitForLog('the Ollama runner to be ready', 'app', /^Runner ready: ollama llama3\.2/);
      await app.open('#/settings');
      const card = page.getByRole('region', { name: 'OpenAI-compatible servers' });
      await card.waitFor(DEADLINE);
      await card.getByLabel('Id').fill('my-groq');
      await card.getByLabel('Name').fill('Groq');
      await card.getByLabel('Base URL').fill(groq.url);
      await card.getByLabel(/^Models/).fill(`${MODEL}, ${SMALL_MODEL}`);
      await card.getByLabel(/^API key/).fill(TYPED_KEY);
      assert.equal(await card.getByLabel(/^API key/).getAttribute('type'), 'password', 'the key is not echoed while typed');
      await card.getByRole('button', { name: 'Add endpoint' }).click();

      const row = page.getByTestId('endpoint-my-groq');
      await row.getByText(maskSecret(TYPED_KEY)).waitFor(DEADLINE);
      await row.getByText(`${groq.url}/v1`).waitFor(DEADLINE);
      assert.equal(await card.getByLabel(/^API key/).inputValue(), '', 'the field is emptied after the save');
      assert.ok(!(await page.content()).includes(TYPED_KEY), 'the window never holds the key after the save');
      assert.ok(!fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8').includes(TYPED_KEY), 'nor does the settings file');

      await row.getByRole('button', { name: 'Use Groq' }).click();
      await app.waitForLog('the runner on the endpoint', 'app', new RegExp(`^Runner ready: openai ${escapeRegExp(MODEL)} at ${escapeRegExp(groq.url)}/v1`));
      await row.getByText('In use').waitFor(DEADLINE);
      // It speaks OpenAI's API but is not OpenAI: the Provider section checks none of the built-in providers and names it.
      const providers = page.getByRole('group', { name: 'Provider', exact: true });
      await page.getByText('In use: the OpenAI-compatible server').waitFor(DEADLINE);
      assert.equal(await providers.getByRole('radio').count(), 3, 'the three built-in providers are offered');
      assert.equal(await providers.getByRole('radio', { checked: true }).count(), 0, 'no built-in provider checked while an endpoint is in use');
      assert.equal((JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { provider: string }).provider, 'my-groq');

      // Check asks the server itself with the key; then another of its models is chosen while it is in use.
      await row.getByRole('button', { name: 'Check Groq' }).click();
      await row.getByText('Groq answered and accepted the key: 2 models offered.').waitFor(DEADLINE);
      await app.shots('settings-endpoint-checked');
      // The Model section offers the endpoint's own models, not OpenAI's list or suggestions.
      const modelChoice = page.getByLabel('Model for Groq');
      assert.equal(await modelChoice.inputValue(), MODEL);
      assert.equal(await page.getByText(/Models offered by OpenAI|No OpenAI key yet/).count(), 0, "OpenAI's models are not offered for Groq");
      await modelChoice.selectOption(SMALL_MODEL);
      await app.waitForLog('the runner on the other model', 'app', new RegExp(`^Runner ready: openai ${escapeRegExp(SMALL_MODEL)} at `));
      assert.equal(await modelChoice.inputValue(), SMALL_MODEL);
    });
  },
);

/**
 * The app core asks the one endpoint resolver where each provider lives: the Ollama manager is
 * never pointed at a cloud provider's URL, and follows the provider choice when a generic URL
 * binds to Ollama.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { defaultSettings } from '../../src/shared/settings.ts';
import { FAKE_OPENAI_KEY } from '../doubles/cloud/openai.ts';
import { createApp } from '../faults/support.ts';
import { freePort } from '../ollama/support.ts';
import { Scope } from '../support/e2e-host.ts';
import { cleanEnv } from '../support/headless.ts';

test("--llm-base-url for an explicit cloud provider leaves Ollama's manager at OLLAMA_HOST", async (t) => {
  // A scope undoes in reverse: the app is closed before its folder is removed.
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const ollamaPort = await freePort();
  const app = createApp({
    userDataDir,
    argv: ['--llm-provider=openai', '--llm-base-url=https://openai-gw.example.com/v1'],
    env: cleanEnv({ OPENAI_API_KEY: FAKE_OPENAI_KEY, OLLAMA_HOST: `127.0.0.1:${ollamaPort}` }),
    runnerAutoStart: 'after-setup',
  });
  scope.defer(() => app.close());
  await app.core.prepare();
  const state = app.core.getState();
  assert.equal(state.config.baseUrl.value, 'https://openai-gw.example.com/v1');
  assert.equal(state.ollama.url, `http://127.0.0.1:${ollamaPort}`);
});

test('switching the saved provider moves a generic base URL, and the Ollama manager with it', async (t) => {
  // A scope undoes in reverse: the app is closed before its folder is removed.
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const [generic, ollamaHost] = [await freePort(), await freePort()];
  fs.writeFileSync(path.join(userDataDir, 'settings.json'), JSON.stringify({ ...defaultSettings(), provider: 'openai' }));
  const app = createApp({
    userDataDir,
    env: cleanEnv({ OPENAI_API_KEY: FAKE_OPENAI_KEY, LLM_BASE_URL: `http://127.0.0.1:${generic}/v1`, OLLAMA_HOST: `127.0.0.1:${ollamaHost}` }),
    runnerAutoStart: 'after-setup',
    ollamaOptions: { readyTimeoutMs: 500, probeTimeoutMs: 200 },
  });
  scope.defer(() => app.close());
  await app.core.prepare();
  assert.equal(app.core.getState().config.baseUrl.value, `http://127.0.0.1:${generic}/v1`, 'the saved choice is explicit: OpenAI takes the generic URL');
  assert.equal(app.core.getState().ollama.url, `http://127.0.0.1:${ollamaHost}`);

  await app.core.execute('config:set-provider', { provider: 'ollama' });
  const state = app.core.getState();
  assert.deepEqual(state.config.baseUrl, { value: `http://127.0.0.1:${generic}`, source: 'env:LLM_BASE_URL', pinned: true });
  assert.equal(state.ollama.url, `http://127.0.0.1:${generic}`, 'the manager follows the endpoint the runner gets');
});

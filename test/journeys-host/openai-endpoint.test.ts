/**
 * Journey: an OpenAI-compatible endpoint added over the control socket (as `stigmer endpoints add`
 * and the window do) becomes the provider; the built-in runner reaches it through the `openai` SDK
 * at its loopback base URL with its own key, and the key stays out of the settings file, the logs
 * and the runner's argv.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ControlClient } from '../../src/main/control-socket/client.ts';
import { controlSocketPath } from '../../src/main/control-socket/socket-path.ts';
import { startFakeOpenAI } from '../doubles/cloud/openai.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { HOST_WAIT_MS, Scope, commandLineOf, hostEnv, readPidFile, startHost, waitFor } from '../support/e2e-host.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';

const GROQ_KEY = 'gsk_endpointKey0123456789abcdefghijklmnop';
const MODEL = 'llama-3.3-70b-versatile';

const environOf = (pid: number): Record<string, string> =>
  Object.fromEntries(
    fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );

test('an endpoint added and chosen: the built-in runner answers through it with its key, which is kept out of settings, logs and argv', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const groq = await startFakeOpenAI({ validKeys: [GROQ_KEY], models: [MODEL], reply: 'hello from the endpoint' });
  scope.defer(() => groq.close());
  const userDataDir = scope.tempDir();
  const host = startHost(scope, ['--user-data-dir', userDataDir], hostEnv(scope, { ollamaHost: ollama.url }));
  const client = await waitFor(
    'the host to answer on its socket',
    () => ControlClient.connect(controlSocketPath(userDataDir)).catch(() => undefined),
    HOST_WAIT_MS,
  );
  scope.defer(() => client.close());
  await host.waitForLine('the first runner', (line) => /Runner ready: ollama/.test(line), HOST_WAIT_MS);
  const firstPid = readPidFile(userDataDir, 'runner.pid');

  await client.request('endpoints:add', { id: 'my-groq', name: 'Groq', baseUrl: groq.url, models: [MODEL], key: GROQ_KEY });
  const added = await client.request('state:get', {});
  assert.deepEqual(
    added.config.endpoints.map(({ id, name, baseUrl, models, key }) => [id, name, baseUrl, models, key !== null]),
    [['my-groq', 'Groq', `${groq.url}/v1`, [MODEL], true]],
  );
  assert.equal(added.config.endpoint, null, 'adding does not switch');

  await client.request('endpoints:use', { id: 'my-groq' });
  await host.waitForLine(
    'the runner on the endpoint',
    (line) => new RegExp(`Runner ready: openai ${MODEL} at ${escapeRegExp(groq.url)}/v1`).test(line),
    HOST_WAIT_MS,
  );
  const state = await client.request('state:get', {});
  assert.deepEqual([state.config.provider.value, state.config.endpoint?.id, state.config.model.value], ['openai', 'my-groq', MODEL]);

  const pid = await waitFor(
    'the new runner',
    () => {
      const current = readPidFile(userDataDir, 'runner.pid');
      return current !== undefined && current !== firstPid ? current : undefined;
    },
    HOST_WAIT_MS,
  );
  const env = environOf(pid);
  assert.deepEqual(
    [env.LLM_PROVIDER, env.STIGMER_LLM_ENDPOINT, env.LLM_BASE_URL, env.OPENAI_BASE_URL, env.OPENAI_API_KEY, env.STIGMER_LLM_API_KEY],
    ['openai', 'my-groq', `${groq.url}/v1`, `${groq.url}/v1`, GROQ_KEY, GROQ_KEY],
    'a Python worker sees an OpenAI provider at the endpoint, and which endpoint it is',
  );
  assert.ok(!commandLineOf(pid).join(' ').includes(GROQ_KEY), 'the key is not in argv');

  const { taskId } = await client.request('playground:run', { prompt: 'say hello' });
  assert.ok(taskId);
  const chat = await waitFor(
    'the endpoint to receive the chat request',
    () => groq.requests.find((request) => request.path.endsWith('/chat/completions')),
    HOST_WAIT_MS,
  );
  assert.equal(chat.headers.authorization, `Bearer ${GROQ_KEY}`, 'the endpoint got its own key');
  assert.equal((chat.body as { model: string }).model, MODEL);

  const settings = fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8');
  assert.ok(!settings.includes(GROQ_KEY), 'the key is not in the settings file');
  assert.equal(JSON.parse(settings).provider, 'my-groq');
  const logs = fs.readdirSync(path.join(userDataDir, 'logs'), { recursive: true, encoding: 'utf8' });
  for (const name of logs) {
    const file = path.join(userDataDir, 'logs', name);
    if (fs.statSync(file).isFile()) assert.ok(!fs.readFileSync(file, 'utf8').includes(GROQ_KEY), `${name} does not hold the key`);
  }
  assert.ok(!host.stdout.includes(GROQ_KEY), 'nor does the host output');

  await client.request('endpoints:remove', { id: 'my-groq' });
  const after = (await client.request('state:get', {})).config;
  assert.deepEqual(
    [after.endpoints, after.endpoint, after.provider.value],
    [[], null, 'ollama'],
    'removing the endpoint in use falls back to the smart default',
  );
  assert.equal(JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')).provider, undefined);
});

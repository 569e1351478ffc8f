/** The test double itself: it must answer as Ollama's published API does, or the other tests prove nothing. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { listenTcp } from './support.ts';

test('the native API: root, version, tags, ps, show, chat, delete', async (t) => {
  const fake = await startFakeOllama({ version: '0.9.0', models: ['llama3.2'], reply: 'Hi there.' });
  t.after(() => fake.close());
  const root = await fetch(fake.url);
  assert.equal(await root.text(), 'Ollama is running');
  const client = new Ollama({ host: fake.url });
  assert.deepEqual(await client.version(), { version: '0.9.0' });
  const tags = await client.list();
  assert.equal(tags.models[0]?.name, 'llama3.2:latest');
  assert.match(tags.models[0]?.digest ?? '', /^[0-9a-f]{64}$/);
  assert.equal((await client.ps()).models.length, 0);
  assert.equal((await client.show({ model: 'llama3.2' })).details.format, 'gguf');

  let text = '';
  for await (const part of await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hello' }], stream: true })) text += part.message.content;
  assert.equal(text, 'Hi there.');
  assert.equal((await client.ps()).models[0]?.name, 'llama3.2:latest');

  await assert.rejects(client.chat({ model: 'nope', messages: [] }), { status_code: 404, message: 'model "nope" not found, try pulling it first' });
  const missing = await fetch(`${fake.url}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: 'x' }) });
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: "model 'x' not found" });
  await client.delete({ model: 'llama3.2' });
  assert.deepEqual((await client.list()).models, []);
  assert.equal((await fetch(`${fake.url}/api/unknown`)).status, 404);
});

test('pull streams NDJSON progress, and an unknown model fails inside a 200 stream', async (t) => {
  const fake = await startFakeOllama({ pullIntervalMs: 1, registry: { 'tiny:1b': [1000, 10] } });
  t.after(() => fake.close());
  const response = await fetch(`${fake.url}/api/pull`, { method: 'POST', body: JSON.stringify({ model: 'tiny:1b' }) });
  assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
  const lines = (await response.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(lines[0], { status: 'pulling manifest' });
  const layer = lines[1] ?? {};
  assert.match(String(layer.status), /^pulling [0-9a-f]{12}$/);
  assert.equal(String(layer.digest).slice(7, 19), String(layer.status).slice(8));
  assert.equal(layer.total, 1000);
  assert.deepEqual(lines.slice(-3), [{ status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' }]);
  assert.deepEqual(fake.installedModels(), ['tiny:1b']);

  const unknown = await fetch(`${fake.url}/api/pull`, { method: 'POST', body: JSON.stringify({ model: 'nope' }) });
  assert.equal(unknown.status, 200);
  assert.deepEqual(
    (await unknown.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
    [{ status: 'pulling manifest' }, { error: 'pull model manifest: file does not exist' }],
  );
});

test('the OpenAI-compatible API: models, JSON and SSE chat ending with [DONE], errors', async (t) => {
  const fake = await startFakeOllama({ models: ['llama3.2'], reply: 'One two.' });
  t.after(() => fake.close());
  const openai = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'ollama' });
  assert.deepEqual(
    (await openai.models.list()).data.map((model) => model.id),
    ['llama3.2:latest'],
  );
  const completion = await openai.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(completion.choices[0]?.message.content, 'One two.');
  assert.equal(completion.choices[0]?.finish_reason, 'stop');

  const raw = await fetch(`${fake.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: true }),
  });
  assert.equal(raw.headers.get('content-type'), 'text/event-stream');
  const body = await raw.text();
  assert.ok(body.endsWith('data: [DONE]\n\n'));
  let streamed = '';
  for await (const chunk of await openai.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
    streamed += chunk.choices[0]?.delta.content ?? '';
  }
  assert.equal(streamed, 'One two.');
  await assert.rejects(openai.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }), (error: unknown) => {
    assert.ok(error instanceof OpenAI.NotFoundError);
    assert.match(error.message, /model "nope" not found, try pulling it first/);
    return true;
  });
});

test('the executable fails as Ollama does when its port is taken', async (t) => {
  const port = await listenTcp(t, (socket) => socket.destroy());
  const child = spawn(path.join(FAKE_OLLAMA_BIN_DIR, 'ollama'), ['serve'], {
    env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, OLLAMA_HOST: `127.0.0.1:${port}`, HOME: '/nonexistent' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`^Error: listen tcp 127\\.0\\.0\\.1:${port}: bind: address already in use$`, 'm'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseBaseUrl, toOllamaNativeUrl, toOpenAiCompatibleUrl } from '../../src/lib/base-url.ts';

test('Ollama URLs normalise to the native form, whichever spelling is given', () => {
  const cases: [string, string][] = [
    ['http://127.0.0.1:11434', 'http://127.0.0.1:11434'],
    ['http://127.0.0.1:11434/', 'http://127.0.0.1:11434'],
    ['http://127.0.0.1:11434/v1', 'http://127.0.0.1:11434'],
    ['http://localhost:11434/v1/', 'http://localhost:11434'],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['[::1]:11434', 'http://[::1]:11434'],
    ['https://ollama.example.com/proxy/v1', 'https://ollama.example.com:443/proxy'],
  ];
  for (const [input, expected] of cases) assert.deepEqual(toOllamaNativeUrl(input), { ok: true, url: expected }, input);
});

test('the OpenAI-compatible form of an Ollama URL adds /v1', () => {
  assert.equal(toOpenAiCompatibleUrl('http://127.0.0.1:11434'), 'http://127.0.0.1:11434/v1');
  assert.equal(toOpenAiCompatibleUrl('http://127.0.0.1:11434/'), 'http://127.0.0.1:11434/v1');
});

test('cloud URLs follow their SDK conventions', () => {
  assert.deepEqual(normaliseBaseUrl('openai', 'http://127.0.0.1:4000'), { ok: true, url: 'http://127.0.0.1:4000/v1' });
  assert.deepEqual(normaliseBaseUrl('openai', 'https://proxy.example.com/openai/v1/'), { ok: true, url: 'https://proxy.example.com/openai/v1' });
  assert.deepEqual(normaliseBaseUrl('anthropic', 'https://api.anthropic.com/v1'), { ok: true, url: 'https://api.anthropic.com' });
});

test('malformed URLs are rejected with a reason', () => {
  for (const bad of ['htp:/x', 'ftp://host', 'http://', 'not a url', 'http://host:notaport']) {
    const result = normaliseBaseUrl('openai', bad);
    assert.equal(result.ok, false, bad);
  }
  assert.equal(toOllamaNativeUrl('ftp://host:1').ok, false);
  assert.equal(toOllamaNativeUrl('http://host:70000').ok, false);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRunnerEnv } from '../../src/builtin-runner/env.ts';
import { retryAfterSeconds } from '../../src/shared/provider-errors.ts';

test('Ollama: the native base URL comes from STIGMER_LLM_BASE_URL (either spelling), else OLLAMA_HOST, else the default', () => {
  const parse = (env: Record<string, string>) => {
    const result = parseRunnerEnv({ STIGMER_LLM_PROVIDER: 'ollama', ...env });
    assert.ok(result.ok, JSON.stringify(result));
    return result.config;
  };
  assert.equal(parse({ STIGMER_LLM_BASE_URL: 'http://127.0.0.1:11500/v1' }).baseUrl, 'http://127.0.0.1:11500');
  assert.equal(parse({ OLLAMA_HOST: '0.0.0.0:11600' }).baseUrl, 'http://127.0.0.1:11600');
  const defaults = parse({});
  assert.deepEqual(defaults, { provider: 'ollama', model: 'llama3.2', baseUrl: 'http://127.0.0.1:11434', apiKey: undefined, maxRetries: 2 });
});

test("a cloud key comes from STIGMER_LLM_API_KEY, else the provider's own variable; never the other provider's", () => {
  const both = parseRunnerEnv({ STIGMER_LLM_PROVIDER: 'openai', STIGMER_LLM_API_KEY: 'sk-runner-key', OPENAI_API_KEY: 'sk-openai-key' });
  assert.ok(both.ok && both.config.apiKey === 'sk-runner-key');
  const usual = parseRunnerEnv({ STIGMER_LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-openai-key' });
  assert.ok(usual.ok && usual.config.apiKey === 'sk-openai-key');
  const other = parseRunnerEnv({ STIGMER_LLM_PROVIDER: 'openai', ANTHROPIC_API_KEY: 'sk-ant-key' });
  assert.equal(other.ok, false);
});

test('several problems are reported together on one line', () => {
  const result = parseRunnerEnv({ STIGMER_LLM_PROVIDER: 'anthropic', STIGMER_LLM_BASE_URL: 'not a url' });
  assert.ok(!result.ok);
  assert.ok(!result.message.includes('\n'));
  assert.match(result.message, /STIGMER_LLM_BASE_URL="not a url"/);
  assert.match(result.message, /STIGMER_LLM_API_KEY is not set/);
});

test('retry-after is read in seconds, milliseconds or as an HTTP date', () => {
  assert.equal(retryAfterSeconds(new Headers({ 'retry-after': '12' })), 12);
  assert.equal(retryAfterSeconds(new Headers({ 'retry-after-ms': '1500' })), 2);
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(retryAfterSeconds(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now), 30);
  assert.equal(retryAfterSeconds(new Headers({})), undefined);
});

/**
 * The provider table (src/shared/providers.ts) drives every schema and contract: each entry shows
 * up in the settings, the public state, the command line, the cascade and the runner's
 * environment without code of its own; a `Record<Provider, …>` without an entry does not compile;
 * a user's endpoint is data that resolves through the `openai` family.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRunnerEnv } from '../../src/builtin-runner/env.ts';
import { parseCommandLine } from '../../src/main/config/cli-options.ts';
import { resolveConfig, type CascadeInput } from '../../src/main/config/resolve.ts';
import { buildRunnerEnv, ENDPOINT_VARIABLE } from '../../src/main/runner/runner-env.ts';
import { PublicConfigSchema } from '../../src/shared/config.ts';
import { endpointSecret } from '../../src/shared/endpoints.ts';
import { CLOUD_PROVIDERS, PROVIDERS, PROVIDER_SPECS, isCloudProvider, keySpec, type Provider } from '../../src/shared/providers.ts';
import { defaultSettings, SettingsSchema } from '../../src/shared/settings.ts';

// A table entry missing from a per-provider record fails to compile (`npm run typecheck`).
// @ts-expect-error -- no entry for ollama
export const incomplete: Record<Provider, string> = { anthropic: 'a', openai: 'b' };

const input = (overrides: Partial<CascadeInput> = {}): CascadeInput => ({
  flags: {},
  env: {},
  settings: defaultSettings(),
  storedKeys: {},
  facts: {},
  ...overrides,
});
const keyOf = (provider: Provider) => `${isCloudProvider(provider) ? keySpec(provider).prefix : ''}TABLEkey0123456789abcdefghij`;

describe('every entry of the provider table', () => {
  test('has its own settings, a masked key in the public state when it takes one, and a key flag', () => {
    assert.deepEqual(Object.keys(defaultSettings().providers), PROVIDERS);
    assert.deepEqual(Object.keys(PublicConfigSchema.shape.keys.shape), CLOUD_PROVIDERS);
    for (const provider of PROVIDERS) {
      const settings = defaultSettings();
      delete (settings.providers as Partial<typeof settings.providers>)[provider];
      assert.equal(SettingsSchema.safeParse(settings).success, false, `settings without providers.${provider} are refused`);
    }
    for (const provider of CLOUD_PROVIDERS) {
      const parsed = parseCommandLine([`${keySpec(provider).flag}=${keyOf(provider)}`]);
      assert.ok(parsed.ok);
      assert.equal(parsed.commandLine.config.keys?.[provider], keyOf(provider), `${keySpec(provider).flag} reaches the cascade`);
    }
  });

  for (const provider of PROVIDERS) {
    test(`${provider}: the cascade, the runner's environment and the built-in runner agree, all from the table`, () => {
      const { key, baseUrl, defaultModel } = PROVIDER_SPECS[provider];
      const config = resolveConfig(input({ flags: { llmProvider: provider }, env: key ? { [key.env]: keyOf(provider) } : {} }));
      assert.deepEqual(config.errors, []);
      assert.deepEqual([config.provider.value, config.model.value, config.baseUrl.value], [provider, defaultModel, baseUrl.default]);
      const env = buildRunnerEnv(config, {});
      assert.equal(env.LLM_PROVIDER, provider);
      assert.equal(env[baseUrl.env], baseUrl.default, `the runner gets ${baseUrl.env}`);
      if (key) assert.equal(env[key.env], keyOf(provider), `and ${key.env}`);
      const runner = parseRunnerEnv(env);
      assert.ok(runner.ok, runner.ok ? '' : runner.message);
      assert.deepEqual(
        [runner.config.provider, runner.config.model, runner.config.baseUrl, runner.config.apiKey],
        [provider, defaultModel, baseUrl.default, key ? keyOf(provider) : undefined],
      );
    });
  }
});

describe("a user's endpoint: data, no code", () => {
  const endpoint = { id: 'my-groq', name: 'Groq', baseUrl: 'https://api.groq.com/openai/v1', models: ['llama-3.3-70b'] };
  const KEY = 'gsk_endpoint0123456789abcdefghijklmn';
  const withEndpoint = (overrides: Partial<CascadeInput> = {}) =>
    input({
      settings: { ...defaultSettings(), endpoints: [endpoint] },
      storedKeys: { [endpointSecret('my-groq')]: { value: KEY, source: 'keychain' } },
      ...overrides,
    });

  test('is a provider in every layer of the cascade: flag, environment, saved setting', () => {
    const layers: [Partial<CascadeInput>, string][] = [
      [{ flags: { llmProvider: 'my-groq' } }, 'flag:--llm-provider'],
      [{ env: { LLM_PROVIDER: 'my-groq' } }, 'env:LLM_PROVIDER'],
      [{ settings: { ...defaultSettings(), endpoints: [endpoint], provider: 'my-groq' } }, 'settings'],
    ];
    for (const [overrides, source] of layers) {
      const config = resolveConfig(withEndpoint(overrides));
      assert.deepEqual(config.errors, [], source);
      assert.deepEqual([config.provider.value, config.provider.source, config.endpoint], ['openai', source, { id: 'my-groq', name: 'Groq' }]);
      assert.deepEqual([config.model.value, config.baseUrl.value, config.apiKey.value], ['llama-3.3-70b', endpoint.baseUrl, KEY]);
    }
  });

  test("the runner sees LLM_PROVIDER=openai at the endpoint's URL with its key, and which endpoint it is", () => {
    const config = resolveConfig(withEndpoint({ flags: { llmProvider: 'my-groq' }, env: { OPENAI_API_KEY: 'sk-proj-the-real-openai-key-0000000000' } }));
    const env = buildRunnerEnv(config, {});
    assert.deepEqual(
      [env.LLM_PROVIDER, env.LLM_BASE_URL, env.OPENAI_BASE_URL, env.OPENAI_API_KEY, env.STIGMER_LLM_API_KEY, env[ENDPOINT_VARIABLE]],
      ['openai', endpoint.baseUrl, endpoint.baseUrl, KEY, KEY, 'my-groq'],
      "the endpoint's key, never OpenAI's",
    );
    const runner = parseRunnerEnv(env);
    assert.ok(runner.ok);
    assert.deepEqual([runner.config.baseUrl, runner.config.apiKey, runner.config.endpoint], [endpoint.baseUrl, KEY, 'my-groq']);
  });

  test("a generic base URL is not used for it (its key only goes to its own URL), and OpenAI's endpoint is not moved by it", () => {
    const config = resolveConfig(withEndpoint({ flags: { llmProvider: 'my-groq', llmBaseUrl: 'https://elsewhere.example/v1' } }));
    assert.equal(config.baseUrl.value, endpoint.baseUrl);
    assert.equal(config.endpoints.openai.value, PROVIDER_SPECS.openai.baseUrl.default);
    assert.match(
      config.warnings.map((warning) => warning.message).join('\n'),
      /--llm-base-url="https:\/\/elsewhere.example\/v1" is not used: the endpoint "Groq"/,
    );
  });

  test('an id that names no endpoint is an error that lists the endpoints', () => {
    const config = resolveConfig(withEndpoint({ flags: { llmProvider: 'my-grok' } }));
    assert.match(config.errors[0]?.message ?? '', /--llm-provider="my-grok" is not one of anthropic, openai, ollama, my-groq/);
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, type CascadeInput } from '../../src/main/config/resolve.ts';
import { defaultSettings } from '../../src/shared/settings.ts';

const ANTHROPIC_KEY = 'sk-ant-api03-ENV-KEY-0000000000000000abcd';
const OPENAI_KEY = 'sk-proj-OPENAI-KEY-00000000000000000wxyz';

function input(overrides: Partial<CascadeInput> = {}): CascadeInput {
  return { flags: {}, env: {}, settings: defaultSettings(), storedKeys: {}, facts: {}, ...overrides };
}

const messages = (issues: { message: string }[]) => issues.map((issue) => issue.message).join('\n');

describe("the seed notes' five manual test cases", () => {
  test('1. no configuration at all falls back to Ollama', () => {
    const config = resolveConfig(input());
    assert.deepEqual(config.provider, { value: 'ollama', source: 'default', pinned: false });
    assert.equal(config.baseUrl.value, 'http://127.0.0.1:11434');
    assert.equal(config.apiKey.value, null);
    assert.deepEqual(config.errors, []);
  });

  test('2. ANTHROPIC_API_KEY in the environment selects Anthropic with its default model', () => {
    const config = resolveConfig(input({ env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY } }));
    assert.equal(config.provider.value, 'anthropic');
    assert.equal(config.provider.source, 'default');
    assert.deepEqual(config.model, { value: 'claude-sonnet-5-5', source: 'default', pinned: false });
    assert.deepEqual(config.apiKey, { value: ANTHROPIC_KEY, source: 'env:ANTHROPIC_API_KEY', pinned: true });
    assert.deepEqual(config.errors, []);
  });

  test('3. --anthropic-key selects Anthropic without any environment variable', () => {
    const config = resolveConfig(input({ flags: { keys: { anthropic: ANTHROPIC_KEY } } }));
    assert.equal(config.provider.value, 'anthropic');
    assert.equal(config.apiKey.source, 'flag:--anthropic-key');
    assert.match(messages(config.warnings), /--anthropic-key puts the key on the command line/);
    assert.ok(!messages(config.warnings).includes(ANTHROPIC_KEY), 'the warning must not quote the key');
  });

  test('4. --llm-provider=ollama wins over an Anthropic key in the environment', () => {
    const config = resolveConfig(input({ flags: { llmProvider: 'ollama' }, env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY } }));
    assert.deepEqual(config.provider, { value: 'ollama', source: 'flag:--llm-provider', pinned: true });
    assert.equal(config.apiKey.value, null, 'Ollama gets no cloud key');
    assert.deepEqual(config.errors, []);
  });

  test('5. --llm-model=llama3:70b is used as given', () => {
    const config = resolveConfig(input({ flags: { llmModel: 'llama3:70b' } }));
    assert.deepEqual(config.model, { value: 'llama3:70b', source: 'flag:--llm-model', pinned: true });
    assert.equal(config.provider.value, 'ollama');
    assert.deepEqual(config.warnings, []);
  });
});

describe('precedence', () => {
  test('STIGMER_LLM_* wins over LLM_* for provider, model and base URL', () => {
    const config = resolveConfig(
      input({
        env: {
          STIGMER_LLM_PROVIDER: 'ollama',
          LLM_PROVIDER: 'anthropic',
          STIGMER_LLM_MODEL: 'qwen2.5:7b',
          LLM_MODEL: 'llama3',
          STIGMER_LLM_BASE_URL: 'http://127.0.0.1:9999',
          LLM_BASE_URL: 'http://127.0.0.1:8888',
        },
      }),
    );
    assert.equal(config.provider.source, 'env:STIGMER_LLM_PROVIDER');
    assert.equal(config.model.source, 'env:STIGMER_LLM_MODEL');
    assert.deepEqual(config.baseUrl, { value: 'http://127.0.0.1:9999', source: 'env:STIGMER_LLM_BASE_URL', pinned: true });
  });

  test('a flag wins over the environment, which wins over saved settings', () => {
    const settings = defaultSettings();
    settings.provider = 'openai';
    settings.providers.ollama.model = 'saved-model';
    const fromSettings = resolveConfig(input({ settings }));
    assert.deepEqual(fromSettings.provider, { value: 'openai', source: 'settings', pinned: false });
    const fromEnv = resolveConfig(input({ settings, env: { LLM_PROVIDER: 'ollama' } }));
    assert.equal(fromEnv.provider.source, 'env:LLM_PROVIDER');
    assert.deepEqual(fromEnv.model, { value: 'saved-model', source: 'settings', pinned: false });
    const fromFlag = resolveConfig(
      input({ settings, env: { LLM_PROVIDER: 'ollama' }, flags: { llmProvider: 'anthropic', keys: { anthropic: ANTHROPIC_KEY } } }),
    );
    assert.equal(fromFlag.provider.source, 'flag:--llm-provider');
  });

  test('the model is remembered per provider', () => {
    const settings = defaultSettings();
    settings.providers.anthropic.model = 'claude-opus-4-1';
    settings.providers.ollama.model = 'qwen2.5-coder:7b';
    const anthropic = resolveConfig(input({ settings, flags: { llmProvider: 'anthropic' }, env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY } }));
    const ollama = resolveConfig(input({ settings, flags: { llmProvider: 'ollama' } }));
    assert.equal(anthropic.model.value, 'claude-opus-4-1');
    assert.equal(ollama.model.value, 'qwen2.5-coder:7b');
  });

  test('empty and whitespace-only values count as unset at every layer', () => {
    const config = resolveConfig(
      input({
        flags: { llmProvider: '  ', llmModel: '' },
        env: { STIGMER_LLM_PROVIDER: '', LLM_PROVIDER: ' \t', ANTHROPIC_API_KEY: '   ', LLM_BASE_URL: ' ' },
      }),
    );
    assert.deepEqual(config.provider, { value: 'ollama', source: 'default', pinned: false });
    assert.equal(config.keys.anthropic, null);
    assert.equal(config.baseUrl.source, 'default');
    assert.deepEqual(config.errors, []);
  });

  test('surrounding whitespace is trimmed from values', () => {
    const config = resolveConfig(input({ env: { LLM_PROVIDER: ' Ollama ', LLM_MODEL: ' llama3.2:1b ' } }));
    assert.equal(config.provider.value, 'ollama');
    assert.equal(config.model.value, 'llama3.2:1b');
  });
});

describe('smart default', () => {
  test('an OpenAI key alone selects OpenAI; both keys select Anthropic', () => {
    assert.equal(resolveConfig(input({ env: { OPENAI_API_KEY: OPENAI_KEY } })).provider.value, 'openai');
    assert.equal(resolveConfig(input({ env: { OPENAI_API_KEY: OPENAI_KEY, ANTHROPIC_API_KEY: ANTHROPIC_KEY } })).provider.value, 'anthropic');
  });

  test('a key in the keychain counts as an available key', () => {
    const config = resolveConfig(input({ storedKeys: { openai: { value: OPENAI_KEY, source: 'keychain' } } }));
    assert.equal(config.provider.value, 'openai');
    assert.deepEqual(config.apiKey, { value: OPENAI_KEY, source: 'keychain', pinned: false });
  });

  test('Ollama prefers its default model when installed, else the first installed one', () => {
    assert.equal(resolveConfig(input({ facts: { ollamaModels: ['qwen2.5:0.5b', 'llama3.2:latest'] } })).model.value, 'llama3.2');
    const firstInstalled = resolveConfig(input({ facts: { ollamaModels: ['qwen2.5:0.5b', 'phi3:mini'] } }));
    assert.deepEqual(firstInstalled.model, {
      value: 'qwen2.5:0.5b',
      source: 'default',
      pinned: false,
      why: 'llama3.2 is not installed, using the first installed model',
    });
    assert.deepEqual(firstInstalled.warnings, []);
  });

  test('a configured Ollama model that is not installed is a warning with the pull command', () => {
    const config = resolveConfig(input({ flags: { llmModel: 'llama3:70b' }, facts: { ollamaModels: ['qwen2.5:0.5b'] } }));
    assert.equal(config.model.value, 'llama3:70b');
    assert.match(messages(config.warnings), /"llama3:70b" is not installed.*ollama pull llama3:70b/);
  });
});

describe('errors and warnings name their source', () => {
  test('an unknown provider names the variable and the allowed values', () => {
    const config = resolveConfig(input({ env: { LLM_PROVIDER: 'olama' } }));
    assert.equal(config.errors.length, 1);
    assert.equal(config.errors[0]?.source, 'env:LLM_PROVIDER');
    assert.match(config.errors[0]?.message ?? '', /^LLM_PROVIDER="olama" is not one of anthropic, openai, ollama/);
  });

  test('an unknown provider from a flag names the flag', () => {
    const config = resolveConfig(input({ flags: { llmProvider: 'gemini' } }));
    assert.match(messages(config.errors), /--llm-provider="gemini" is not one of anthropic, openai, ollama/);
  });

  test('an invalid URL names its variable and shows the expected shape', () => {
    const config = resolveConfig(input({ env: { LLM_BASE_URL: 'htp:/nowhere' } }));
    assert.equal(config.errors[0]?.source, 'env:LLM_BASE_URL');
    assert.match(messages(config.errors), /LLM_BASE_URL="htp:\/nowhere" .*use http\(s\):\/\/host\[:port\]/);
    assert.equal(config.baseUrl.source, 'default', 'the rest of the configuration still resolves');
  });

  test('a cloud provider without a key is an error that says where to put one', () => {
    const config = resolveConfig(input({ env: { LLM_PROVIDER: 'anthropic' } }));
    assert.match(messages(config.errors), /Anthropic needs an API key: set ANTHROPIC_API_KEY, pass --anthropic-key/);
  });

  test('a model that looks wrong for its provider is a warning, not an error', () => {
    const config = resolveConfig(input({ env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY, LLM_MODEL: 'gpt-4o' } }));
    assert.deepEqual(config.errors, []);
    assert.match(messages(config.warnings), /"gpt-4o" from LLM_MODEL looks wrong for anthropic/);
  });

  test("a key that does not look like its provider's is a warning that does not quote it", () => {
    const config = resolveConfig(input({ env: { ANTHROPIC_API_KEY: 'not-a-real-anthropic-key-123456' } }));
    assert.match(messages(config.warnings), /key from ANTHROPIC_API_KEY does not start with "sk-ant-"/);
    assert.ok(!messages(config.warnings).includes('not-a-real-anthropic-key-123456'));
  });
});

describe('base URLs', () => {
  test('Ollama accepts the OpenAI-compatible spelling and stores the native form', () => {
    const config = resolveConfig(input({ env: { LLM_BASE_URL: 'http://localhost:11434/v1/' } }));
    assert.equal(config.baseUrl.value, 'http://localhost:11434');
  });

  test('OLLAMA_HOST is read as Ollama reads it, after the LLM_* variables', () => {
    assert.deepEqual(resolveConfig(input({ env: { OLLAMA_HOST: '0.0.0.0:5050' } })).baseUrl, {
      value: 'http://127.0.0.1:5050',
      source: 'env:OLLAMA_HOST',
      pinned: true,
    });
    assert.equal(resolveConfig(input({ env: { OLLAMA_HOST: '0.0.0.0:5050', LLM_BASE_URL: 'http://127.0.0.1:7000' } })).baseUrl.source, 'env:LLM_BASE_URL');
  });

  test('OLLAMA_HOST does not apply to cloud providers', () => {
    const config = resolveConfig(input({ env: { OLLAMA_HOST: '127.0.0.1:5050', OPENAI_API_KEY: OPENAI_KEY } }));
    assert.deepEqual(config.baseUrl, { value: 'https://api.openai.com/v1', source: 'default', pinned: false });
  });

  test("an OLLAMA_HOST with an invalid port is a warning, and Ollama's default port is used", () => {
    const config = resolveConfig(input({ env: { OLLAMA_HOST: '127.0.0.1:99999' } }));
    assert.equal(config.baseUrl.value, 'http://127.0.0.1:11434');
    assert.match(messages(config.warnings), /OLLAMA_HOST port "99999" is invalid/);
    assert.deepEqual(config.errors, []);
  });

  test('a saved base URL is used per provider', () => {
    const settings = defaultSettings();
    settings.providers.openai.baseUrl = 'http://127.0.0.1:4000';
    const config = resolveConfig(input({ settings, env: { OPENAI_API_KEY: OPENAI_KEY } }));
    assert.deepEqual(config.baseUrl, { value: 'http://127.0.0.1:4000/v1', source: 'settings', pinned: false });
  });
});

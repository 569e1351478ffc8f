import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModelCatalog } from '../../src/main/app/model-catalog.ts';
import { resolveConfig, type CascadeInput } from '../../src/main/config/resolve.ts';
import { ollamaNameProblem } from '../../src/shared/model-catalog.ts';
import { catalogInput } from '../support/fit-fixtures.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { FIXTURE_MODELS } from '../support/app-state-fixture.ts';

const GB = 1024 ** 3;
const input = (overrides: Partial<CascadeInput> = {}): CascadeInput => ({
  flags: {},
  env: {},
  settings: defaultSettings(),
  storedKeys: {},
  facts: {},
  ...overrides,
});
const INSTALLED = [
  { name: 'llama3.2:1b', sizeBytes: 1.3e9 },
  { name: 'llama3.2:latest', sizeBytes: 2.0e9 },
  { name: 'qwen2.5:7b', sizeBytes: 4.7e9 },
  { name: 'gemma3:27b', sizeBytes: 17e9 },
  { name: 'all-minilm:latest', sizeBytes: 4.6e7 },
];

describe('model aliases resolve per provider through the cascade', () => {
  test('--llm-model fast for Anthropic is the fast tier of the table, with the alias and its source kept', () => {
    const config = resolveConfig(input({ flags: { llmModel: 'fast' }, env: { ANTHROPIC_API_KEY: 'sk-ant-api03-x' } }));
    assert.equal(config.model.value, 'claude-haiku-5-5');
    assert.equal(config.model.source, 'flag:--llm-model');
    assert.equal(config.model.alias?.alias, 'fast');
    assert.match(config.model.alias?.basis ?? '', /Anthropic's fast tier/);
  });

  test('STIGMER_LLM_MODEL=balanced for Ollama picks among installed models that fit, never an embedding model', () => {
    const facts = { ollamaModels: INSTALLED.map((model) => model.name), ollamaModelSizes: INSTALLED, totalMemoryBytes: 16 * GB };
    const resolve = (alias: string) => resolveConfig(input({ env: { STIGMER_LLM_MODEL: alias }, facts })).model;
    // 16 GB fits the three chat models of 1.3, 2.0 and 4.7 GB; gemma3:27b (17 GB) does not.
    assert.equal(resolve('fast').value, 'llama3.2:1b');
    assert.equal(resolve('balanced').value, 'llama3.2:latest');
    assert.equal(resolve('POWERFUL').value, 'qwen2.5:7b', 'aliases are case-insensitive');
    assert.equal(resolve('balanced').source, 'env:STIGMER_LLM_MODEL');
    assert.deepEqual(resolveConfig(input({ env: { STIGMER_LLM_MODEL: 'balanced' }, facts })).warnings, [], 'the resolved model is installed');
  });

  test('an Ollama alias with nothing installed that fits names a suggested model to pull, and says so', () => {
    const facts = { ollamaModels: ['gemma3:27b'], ollamaModelSizes: [{ name: 'gemma3:27b', sizeBytes: 17e9 }], totalMemoryBytes: 8 * GB };
    const config = resolveConfig(input({ flags: { llmModel: 'powerful' }, facts }));
    assert.equal(config.model.value, 'qwen2.5:7b');
    assert.match(config.model.alias?.basis ?? '', /no installed model fits this machine, pull it first/);
    assert.match(config.warnings.map((issue) => issue.message).join('\n'), /"qwen2.5:7b" is not installed in Ollama/);
  });

  test('a plain model name is not an alias', () => {
    const config = resolveConfig(input({ flags: { llmModel: 'fastchat-t5' } }));
    assert.equal(config.model.value, 'fastchat-t5');
    assert.equal(config.model.alias, undefined);
  });
});

describe('the Ollama catalog', () => {
  test('installed models come first; suggestions leave out what is installed and recommend the most capable general model that runs (CPU only here)', () => {
    const catalog = buildModelCatalog(catalogInput({ installed: FIXTURE_MODELS, ramBytes: 8 * GB }));
    assert.deepEqual(
      catalog.installed.map((model) => [model.name, model.fit.verdict]),
      [
        ['llama3.2:latest', 'cpu'],
        ['qwen2.5-coder:7b', 'cpu'],
      ],
    );
    assert.ok(!catalog.suggested.some((model) => model.name === 'llama3.2' || model.name === 'qwen2.5-coder:7b'), 'installed models are not suggested');
    assert.deepEqual(
      catalog.suggested.filter((model) => model.recommended).map((model) => model.name),
      ['qwen2.5:7b'],
    );
    assert.equal(catalog.suggested.find((model) => model.name === 'gemma3:12b')?.fit.verdict, 'too-large');
    assert.deepEqual(
      catalog.aliases.map((alias) => [alias.alias, alias.model]),
      [
        ['fast', 'llama3.2:latest'],
        ['balanced', 'qwen2.5-coder:7b'],
        ['powerful', 'qwen2.5-coder:7b'],
      ],
    );
  });

  test('a name that cannot be pulled is refused with the rule', () => {
    assert.equal(ollamaNameProblem('mistral:7b'), null);
    assert.equal(ollamaNameProblem('library/llama3.2'), null);
    assert.match(ollamaNameProblem('llama 3') ?? '', /"llama 3" is not a valid model name\. A model name is name\[:tag\]/);
    assert.match(ollamaNameProblem('  ') ?? '', /^Type a model name/);
    assert.match(ollamaNameProblem('mistral:') ?? '', /not a valid model name/);
  });
});

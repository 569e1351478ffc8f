/**
 * The models the app names by itself (each provider's default, its suggestions and its aliases) must not
 * be on the bundled SDK's deprecation list, so that an SDK update that deprecates one fails
 * here instead of warning on every call of every user.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { PROVIDER_SPECS, type CloudProvider } from '../../src/shared/providers.ts';

const packageDir = (name: string): string => {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
};

/** @anthropic-ai/sdk keeps `DEPRECATED_MODELS` (model → end-of-life date) in an internal module it warns from. */
async function anthropicDeprecated(): Promise<Map<string, string>> {
  const file = path.join(packageDir('@anthropic-ai/sdk'), 'internal/data/deprecated-models.mjs');
  const module = (await import(file)) as { DEPRECATED_MODELS: Record<string, string> };
  return new Map(Object.entries(module.DEPRECATED_MODELS));
}

/** openai documents deprecated chat models in the "Deprecated values" block of `ChatModel`'s comment. */
function openaiDeprecated(): Map<string, string> {
  const text = fs.readFileSync(path.join(packageDir('openai'), 'resources/shared.d.ts'), 'utf8');
  const start = text.indexOf('Deprecated values:');
  const block = text.slice(start, text.indexOf('*/', start));
  const found = new Map<string, string>();
  for (const entry of block.split(/\n\s*\*\s*- /).slice(1)) {
    const when = /shutdown date:\s*([\d-]+)/.exec(entry.replace(/\s*\*\s*/g, ' '))?.[1] ?? 'not supported';
    for (const [, name] of entry.matchAll(/"([^"]+)"/g)) found.set(name!, when);
  }
  return found;
}

const namedByTheApp = (provider: CloudProvider): string[] => [
  PROVIDER_SPECS[provider].defaultModel,
  ...PROVIDER_SPECS[provider].suggestedModels,
  ...Object.values(PROVIDER_SPECS[provider].aliases),
];

test('no Anthropic model the app names is on the SDK deprecation list', async () => {
  const deprecated = await anthropicDeprecated();
  assert.ok(deprecated.has('claude-sonnet-4-5'), 'the list is read (it names the model retired on 30 November 2026)');
  for (const model of namedByTheApp('anthropic')) {
    assert.equal(deprecated.get(model), undefined, `${model} reaches end of life on ${deprecated.get(model)}: pick a current model in src/shared/providers.ts`);
  }
});

test('no OpenAI model the app names is on the SDK deprecation list', () => {
  const deprecated = openaiDeprecated();
  assert.ok(deprecated.has('gpt-4.1-mini') && deprecated.size > 20, `the list is read (${deprecated.size} names)`);
  for (const model of namedByTheApp('openai')) {
    assert.equal(
      deprecated.get(model),
      undefined,
      `${model} is deprecated (shutdown ${deprecated.get(model)}): pick a current model in src/shared/providers.ts`,
    );
  }
});

/**
 * The fit estimate and its verdicts (issue 24 §2): weights + KV cache at the chosen context from
 * `model_info` + overhead; GPU, partial, CPU only, does not fit; the loaded split checked against
 * the estimate; suggestions and aliases by the same verdicts, GPU fit first.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildModelCatalog } from '../../src/main/app/model-catalog.ts';
import { resolveModelAlias } from '../../src/main/config/model-aliases.ts';
import { listModels } from '../../src/main/ollama/models.ts';
import { ModelInfoCache } from '../../src/main/ollama/model-info.ts';
import { estimateMemory, judgeFit, kvCacheBytes, kvCacheTypeOf, splitProblem, type ModelArchitecture } from '../../src/shared/fit.ts';
import type { OllamaModel } from '../../src/shared/ollama.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { GIB, catalogInput, hardwareFixture } from '../support/fit-fixtures.ts';

/** llama3.2 (3B) as its model_info states it. */
const LLAMA_3B: ModelArchitecture = {
  blockCount: 28,
  headCount: 24,
  headCountKv: 8,
  embeddingLength: 3072,
  keyLength: null,
  valueLength: null,
  contextLength: 131_072,
};

const model = (name: string, sizeBytes: number): OllamaModel => ({
  name,
  sizeBytes,
  digest: `digest-${name}`,
  modifiedAt: '2026-12-01T00:00:00Z',
  family: 'llama',
  parameterSize: null,
  quantization: 'Q4_K_M',
});

describe('the estimate', () => {
  test('the KV cache is layers × context × KV heads × (key + value width) × bytes per value, and follows OLLAMA_KV_CACHE_TYPE', () => {
    // 28 × 4096 × 8 × 256 × 2 bytes: the 448 MiB Ollama logs for llama3.2 at 4096 tokens.
    assert.equal(kvCacheBytes(LLAMA_3B, 4096, 'f16'), 448 * 1024 ** 2);
    assert.equal(kvCacheBytes(LLAMA_3B, 8192, 'f16'), 896 * 1024 ** 2, 'twice the context, twice the cache');
    assert.equal(kvCacheBytes(LLAMA_3B, 4096, 'q8_0'), (448 * 1024 ** 2 * 17) / 32);
    assert.equal(kvCacheBytes(LLAMA_3B, 4096, 'q4_0'), (448 * 1024 ** 2 * 9) / 32);
    assert.equal(kvCacheTypeOf(' Q8_0 '), 'q8_0');
    assert.equal(kvCacheTypeOf('bf16'), 'f16', 'what Ollama does not know is f16');
    assert.equal(kvCacheTypeOf(undefined), 'f16');
  });

  test('weights + KV cache + 0.5 GiB; without model_info the cache is assumed at 20 % of the weights and marked so', () => {
    const known = estimateMemory({ weightsBytes: 2e9, architecture: LLAMA_3B, contextLength: 4096, kvCacheType: 'f16' });
    assert.equal(known.totalBytes, 2e9 + 448 * 1024 ** 2 + 512 * 1024 ** 2);
    assert.equal(known.kvCacheKnown, true);
    const assumed = estimateMemory({ weightsBytes: 2e9, architecture: null, contextLength: 4096, kvCacheType: 'f16' });
    assert.equal(assumed.kvCacheBytes, 4e8);
    assert.equal(assumed.kvCacheKnown, false);
  });

  test('model_info from /api/show (the double), read once per digest', async (t) => {
    const shows: string[] = [];
    const fake = await startFakeOllama({ models: ['llama3.2', 'qwen2.5:0.5b'], onRequest: (method, path) => path === '/api/show' && shows.push(method) });
    t.after(() => fake.close());
    const installed = await listModels(fake.url);
    const cache = new ModelInfoCache();
    const first = await cache.architectures(fake.url, installed);
    assert.deepEqual(first['llama3.2:latest'], LLAMA_3B);
    assert.deepEqual(first['qwen2.5:0.5b'], {
      blockCount: 24,
      headCount: 14,
      headCountKv: 2,
      embeddingLength: 896,
      keyLength: null,
      valueLength: null,
      contextLength: 32_768,
    });
    await cache.architectures(fake.url, installed);
    assert.equal(shows.length, 2, 'the second catalog asks nothing');
    assert.deepEqual(cache.cached(installed[0]!.digest), first[installed[0]!.name]);
  });
});

describe('the verdicts, each with its numbers', () => {
  const estimate = (weightsBytes: number, contextLength = 4096) => estimateMemory({ weightsBytes, architecture: LLAMA_3B, contextLength, kvCacheType: 'f16' });
  const discrete = { ramBytes: 16 * GIB, gpuBytes: 8 * GIB, unified: false };

  test('fits on the GPU', () => {
    const fit = judgeFit(estimate(2e9), discrete);
    assert.equal(fit.verdict, 'gpu');
    assert.equal(fit.gpuPercent, 100);
    assert.equal(fit.summary, 'Fits on the GPU: needs 3.0 GB at 4,096 tokens of 8.6 GB.');
  });

  test('partly on the GPU, about N %', () => {
    const fit = judgeFit(estimate(12e9), discrete);
    assert.equal(fit.verdict, 'partial');
    assert.equal(fit.gpuPercent, Math.floor(((8 * GIB) / fit.estimate.totalBytes) * 100));
    assert.match(fit.summary, /^Partly on the GPU \(about 66 %\): needs 13\.0 GB at 4,096 tokens, the GPU holds 8\.6 GB/);
  });

  test('a longer context turns a GPU fit into a partial one', () => {
    assert.equal(judgeFit(estimate(6e9, 4096), discrete).verdict, 'gpu');
    assert.equal(judgeFit(estimate(6e9, 32_768), discrete).verdict, 'partial');
  });

  test('CPU only without a GPU; does not fit beyond GPU + RAM less 2 GiB', () => {
    const cpu = judgeFit(estimate(4e9), { ramBytes: 16 * GIB, gpuBytes: 0, unified: false });
    assert.equal(cpu.verdict, 'cpu');
    assert.match(cpu.summary, /^CPU only: needs 5\.0 GB at 4,096 tokens of 15\.0 GB usable RAM; no GPU, so it runs slowly\.$/);
    const none = judgeFit(estimate(30e9), discrete);
    assert.equal(none.verdict, 'too-large');
    assert.equal(none.summary, 'Does not fit: needs 31.0 GB at 4,096 tokens; this machine has 8.6 GB GPU + 15.0 GB usable RAM.');
  });

  test('unified memory: the GPU share is part of RAM, so a model over Metal’s share runs partly on the GPU, within RAM', () => {
    const mac = { ramBytes: 16 * GIB, gpuBytes: Math.floor((16 * GIB * 2) / 3), unified: true };
    assert.equal(judgeFit(estimate(8e9), mac).verdict, 'gpu');
    assert.equal(judgeFit(estimate(12e9), mac).verdict, 'partial');
    assert.equal(judgeFit(estimate(16e9), mac).verdict, 'too-large', 'not GPU + RAM: they are the same memory');
  });
});

describe('the loaded split against the estimate', () => {
  test('a difference above 10 points is a problem with a fix; within 10 it is not', () => {
    const fit = judgeFit(estimateMemory({ weightsBytes: 2e9, architecture: LLAMA_3B, contextLength: 8192, kvCacheType: 'f16' }), {
      ramBytes: 16 * GIB,
      gpuBytes: 8 * GIB,
      unified: false,
    });
    assert.equal(splitProblem(fit, 90), null);
    const problem = splitProblem(fit, 62);
    assert.equal(problem?.reason, 'Ollama put 62 % of it on the GPU; the estimate was 100 %.');
    assert.match(problem?.fix ?? '', /smaller quantisation .* or shorten its context \(now 8,192 tokens\)/);
  });

  test('the catalog shows each loaded model’s split from size and size_vram, with the problem', () => {
    const installed = [model('llama3.2:latest', 2_019_393_189)];
    const catalog = buildModelCatalog(
      catalogInput({
        installed,
        architectures: { 'llama3.2:latest': LLAMA_3B },
        loaded: [{ name: 'llama3.2:latest', sizeBytes: 3_000_000_000, vramBytes: 1_860_000_000, expiresAt: '' }],
        vramBytes: 8 * GIB,
      }),
    );
    const [loaded] = catalog.loaded;
    assert.equal(loaded?.gpuPercent, 62);
    assert.equal(loaded?.fit?.gpuPercent, 100);
    assert.match(loaded?.problem?.message ?? '', /62 %.*100 %/);
  });
});

describe('the context length on a model’s card', () => {
  test('a saved context length is the one its verdict counts; other models keep the default', () => {
    const installed = [model('llama3.2:latest', 2_019_393_189), model('llama3.2:1b', 1_321_098_329)];
    const catalog = buildModelCatalog(
      catalogInput({
        installed,
        architectures: { 'llama3.2:latest': LLAMA_3B, 'llama3.2:1b': null },
        modelContext: { 'llama3.2:latest': 131_072 },
        vramBytes: 8 * GIB,
      }),
    );
    const [long, short] = catalog.installed;
    assert.equal(long?.contextLength, 131_072);
    assert.equal(long?.fit.estimate.contextLength, 131_072);
    assert.equal(long?.fit.verdict, 'partial');
    assert.equal(short?.contextLength, null);
    assert.equal(short?.fit.estimate.contextLength, 4096);
    assert.equal(short?.fit.verdict, 'gpu');
  });
});

describe('suggestions and aliases by the same verdicts, GPU fit first', () => {
  const installed = [
    model('llama3.2:1b', 1.3e9),
    model('llama3.2:latest', 2.0e9),
    model('qwen2.5:7b', 4.7e9),
    model('gemma3:12b', 8.1e9),
    model('all-minilm', 4.6e7),
  ];

  test('with an 8 GiB GPU, powerful is the largest model that fits the GPU, not one that spills to the CPU', () => {
    const resolve = (alias: string) => resolveModelAlias('ollama', alias, { installed, budget: { ramBytes: 32 * GIB, gpuBytes: 8 * GIB, unified: false } });
    assert.equal(resolve('powerful')?.model, 'qwen2.5:7b');
    assert.match(resolve('powerful')?.basis ?? '', /the largest of the 3 installed models that fit the GPU/);
    assert.equal(resolve('fast')?.model, 'llama3.2:1b');
  });

  test('when nothing fits the GPU, the aliases choose among what runs, and say so', () => {
    const resolve = (alias: string) => resolveModelAlias('ollama', alias, { installed, budget: { ramBytes: 32 * GIB, gpuBytes: 1 * GIB, unified: false } });
    assert.equal(resolve('powerful')?.model, 'gemma3:12b');
    assert.match(resolve('powerful')?.basis ?? '', /the largest of the 4 installed models that run here \(none fits the GPU\)/);
  });

  test('a card’s longer context counts: a model that no longer fits the GPU leaves the GPU pool', () => {
    const withLongContext = installed.map((entry) =>
      entry.name === 'qwen2.5:7b' ? { ...entry, architecture: { ...LLAMA_3B, blockCount: 28, headCountKv: 4 }, contextLength: 131_072 } : entry,
    );
    const resolved = resolveModelAlias('ollama', 'powerful', { installed: withLongContext, budget: { ramBytes: 32 * GIB, gpuBytes: 8 * GIB, unified: false } });
    assert.equal(resolved?.model, 'llama3.2:latest');
  });

  test('the recommended suggestion is the most capable general model that fits the GPU', () => {
    const small = buildModelCatalog(catalogInput({ hardware: hardwareFixture({ ramBytes: 32 * GIB, vramBytes: 4 * GIB }) }));
    assert.deepEqual(
      small.suggested.filter((entry) => entry.recommended).map((entry) => entry.name),
      ['llama3.2'],
    );
    assert.equal(small.suggested.find((entry) => entry.name === 'gemma3:12b')?.fit.verdict, 'partial');
    const large = buildModelCatalog(catalogInput({ hardware: hardwareFixture({ ramBytes: 32 * GIB, vramBytes: 16 * GIB }) }));
    assert.deepEqual(
      large.suggested.filter((entry) => entry.recommended).map((entry) => entry.name),
      ['gemma3:12b'],
    );
  });
});

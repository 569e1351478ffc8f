import { OLLAMA_DEFAULT_CONTEXT, estimateMemory, judgeFit, type KvCacheType, type ModelArchitecture } from '../../shared/fit.ts';
import type { MemoryBudget } from '../../shared/hardware.ts';
import { isModelAlias, type ModelAlias } from '../../shared/model-catalog.ts';
import { PROVIDER_SPECS, type Provider } from '../../shared/providers.ts';

/** An installed Ollama model as the alias resolver needs it. */
export interface InstalledSize {
  name: string;
  sizeBytes: number;
  /** From `/api/show`, for the KV cache; without it the cache is an assumed share of the weights. */
  architecture?: ModelArchitecture | null | undefined;
  /** The model's own context length (its card), else `FitFacts.contextLength`. */
  contextLength?: number | undefined;
}

/** What the fit verdicts need beyond the models: the machine, and the cache's context and type. */
export interface FitFacts {
  /** This machine's RAM and GPU budget; RAM only (no GPU) while the hardware is not known. */
  budget?: MemoryBudget | undefined;
  /** The context length models run at by default (`OLLAMA_CONTEXT_LENGTH`). */
  contextLength?: number | undefined;
  kvCacheType?: KvCacheType | undefined;
}

export interface AliasResolution {
  alias: ModelAlias;
  model: string;
  /** How the model was chosen, for the user: "the largest installed model that fits the GPU". */
  basis: string;
}

/** Embedding models answer no prompts, so an alias never picks one. */
const EMBEDDING = /(embed|minilm|bge-|nomic-bert)/i;

const ORDINAL: Record<ModelAlias, string> = { fast: 'smallest', balanced: 'middle-sized', powerful: 'largest' };

/** Which models the alias chose among, for one model and for several. */
const WHERE = {
  gpu: { one: 'fits the GPU', many: 'fit the GPU' },
  spills: { one: 'runs here (none fits the GPU)', many: 'run here (none fits the GPU)' },
  cpu: { one: 'runs here (CPU only)', many: 'run here (CPU only)' },
};

/**
 * Resolves `fast`, `balanced` or `powerful` to a concrete model. Cloud providers use the table
 * in `providers.ts`. Ollama uses the installed models with the same verdicts as the Models
 * screen, GPU fit first: among the models that fit on the GPU when any does, else among those
 * that run at all (partly on the GPU, or on the CPU), the smallest, middle or largest by size on
 * disk; when nothing installed runs here, the table names one to pull.
 * Undefined when `value` is not an alias.
 */
export function resolveModelAlias(
  provider: Provider,
  value: string,
  facts: { installed?: readonly InstalledSize[] | undefined; totalMemoryBytes?: number | undefined } & FitFacts,
): AliasResolution | undefined {
  if (!isModelAlias(value)) return undefined;
  const alias = value.trim().toLowerCase() as ModelAlias;
  const fromTable = (why: string): AliasResolution => ({ alias, model: PROVIDER_SPECS[provider].aliases[alias], basis: why });
  if (provider !== 'ollama') return fromTable(`${PROVIDER_SPECS[provider].label}'s ${alias} tier in the app's model table`);

  const { installed, totalMemoryBytes } = facts;
  const budget = facts.budget ?? (totalMemoryBytes === undefined ? undefined : { ramBytes: totalMemoryBytes, gpuBytes: 0, unified: false });
  if (!installed || budget === undefined) return fromTable(`the suggested ${alias} Ollama model (installed models not known yet)`);
  const judged = installed
    .filter((model) => !EMBEDDING.test(model.name))
    .map((model) => {
      const estimate = estimateMemory({
        weightsBytes: model.sizeBytes,
        architecture: model.architecture ?? null,
        contextLength: model.contextLength ?? facts.contextLength ?? OLLAMA_DEFAULT_CONTEXT,
        kvCacheType: facts.kvCacheType ?? 'f16',
      });
      return { ...model, verdict: judgeFit(estimate, budget).verdict };
    })
    .sort((a, b) => a.sizeBytes - b.sizeBytes || a.name.localeCompare(b.name));
  const onGpu = judged.filter((model) => model.verdict === 'gpu');
  const runs = judged.filter((model) => model.verdict !== 'too-large');
  const [pool, where] = onGpu.length > 0 ? [onGpu, WHERE.gpu] : [runs, budget.gpuBytes > 0 ? WHERE.spills : WHERE.cpu];
  if (pool.length === 0) return fromTable(`the suggested ${alias} Ollama model: no installed model fits this machine, pull it first`);
  const index = alias === 'fast' ? 0 : alias === 'powerful' ? pool.length - 1 : Math.floor(pool.length / 2);
  const chosen = pool[index]!;
  const basis =
    pool.length === 1 ? `the only installed model that ${where.one}` : `the ${ORDINAL[alias]} of the ${pool.length} installed models that ${where.many}`;
  return { alias, model: chosen.name, basis };
}

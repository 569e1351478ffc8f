import type { ModelCatalog } from '../../shared/ipc.ts';
import type { UserError } from '../../shared/state-schema.ts';
import { FIT_RULE, estimateMemory, gpuShare, judgeFit, splitProblem, type KvCacheType, type ModelArchitecture } from '../../shared/fit.ts';
import { budgetOf, type Hardware } from '../../shared/hardware.ts';
import { MODEL_ALIASES, SUGGESTED_OLLAMA_MODELS, canonicalOllamaModel } from '../../shared/model-catalog.ts';
import type { OllamaLoadedModel, OllamaModel } from '../../shared/ollama.ts';
import { SUGGESTED_ARCHITECTURES } from '../../shared/suggested-architectures.ts';
import { resolveModelAlias } from '../config/model-aliases.ts';
import { isOllamaModelInstalled } from '../../lib/model-names.ts';

export interface CatalogInput {
  installed: readonly OllamaModel[];
  loaded: readonly OllamaLoadedModel[];
  hardware: Hardware;
  /** From `/api/show`, by installed model name. */
  architectures: Readonly<Record<string, ModelArchitecture | null>>;
  /** Context lengths set on models' cards, by `name:tag`. */
  modelContext: Readonly<Record<string, number>>;
  defaultContext: ModelCatalog['defaultContext'];
  kvCache: ModelCatalog['kvCache'];
  error?: UserError | undefined;
}

/**
 * The Models screen's content, a pure function of what Ollama reports and this machine: installed
 * models first, then the suggestions not installed yet, each with a fit verdict at its context
 * length; loaded models with their real GPU split checked against the estimate. The recommended
 * pick is the most capable general model that fits on the GPU (on a machine without one, in RAM).
 */
export function buildModelCatalog(input: CatalogInput): ModelCatalog {
  const { installed, loaded, hardware, architectures, modelContext, defaultContext, kvCache, error } = input;
  const budget = budgetOf(hardware);
  const contextOf = (name: string): number | null => modelContext[canonicalOllamaModel(name)] ?? null;
  const fitOf = (weightsBytes: number, architecture: ModelArchitecture | null, contextLength: number, type: KvCacheType = kvCache.type) =>
    judgeFit(estimateMemory({ weightsBytes, architecture, contextLength, kvCacheType: type }), budget);

  const installedRows = installed.map((model) => {
    const architecture = architectures[model.name] ?? null;
    const contextLength = contextOf(model.name);
    return { ...model, architecture, contextLength, fit: fitOf(model.sizeBytes, architecture, contextLength ?? defaultContext.tokens) };
  });
  const names = installed.map((model) => model.name);
  const candidates = SUGGESTED_OLLAMA_MODELS.filter((model) => !isOllamaModelInstalled(model.name, names)).map((model) => ({
    ...model,
    fit: fitOf(model.downloadBytes, SUGGESTED_ARCHITECTURES[model.name] ?? null, contextOf(model.name) ?? defaultContext.tokens),
  }));
  const best = budget.gpuBytes > 0 ? 'gpu' : 'cpu';
  const recommended = candidates.filter((model) => model.general && model.fit.verdict === best).at(-1)?.name;
  const sizes = installedRows.map(({ name, sizeBytes, architecture, contextLength }) => ({
    name,
    sizeBytes,
    architecture,
    contextLength: contextLength ?? undefined,
  }));
  return {
    hardware,
    fitRule: FIT_RULE,
    defaultContext,
    kvCache,
    installed: installedRows,
    loaded: loaded.map((model) => {
      const fit = installedRows.find((row) => isOllamaModelInstalled(model.name, [row.name]))?.fit ?? null;
      const gpuPercent = gpuShare(model.sizeBytes, model.vramBytes);
      const problem = fit ? splitProblem(fit, gpuPercent) : null;
      return { ...model, gpuPercent, fit, problem: problem ? { message: problem.reason, fix: problem.fix } : null };
    }),
    suggested: candidates.map(({ general: _general, ...model }) => ({ ...model, recommended: model.name === recommended })),
    aliases: MODEL_ALIASES.map((alias) => {
      const resolved = resolveModelAlias('ollama', alias, {
        installed: sizes,
        budget,
        contextLength: defaultContext.tokens,
        kvCacheType: kvCache.type,
      })!;
      return { alias, model: resolved.model, basis: resolved.basis };
    }),
    ...(error ? { error } : {}),
  };
}

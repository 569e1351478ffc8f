import type { ModelCatalog } from '../../shared/ipc.ts';
import type { UserError } from '../../shared/state-schema.ts';
import { FIT_RULE, MODEL_ALIASES, SUGGESTED_OLLAMA_MODELS, fitVerdict } from '../../shared/model-catalog.ts';
import type { OllamaLoadedModel, OllamaModel } from '../../shared/ollama.ts';
import { resolveModelAlias } from '../config/model-aliases.ts';
import { isOllamaModelInstalled } from '../../lib/model-names.ts';

export interface CatalogInput {
  installed: readonly OllamaModel[];
  loaded: readonly OllamaLoadedModel[];
  totalMemoryBytes: number;
  error?: UserError | undefined;
}

/**
 * The Models screen's content, a pure function of what Ollama reports and this machine's
 * memory: installed models first, then the suggestions not installed yet, each with a fit
 * verdict. The recommended pick is the most capable general model that fits with headroom.
 */
export function buildModelCatalog({ installed, loaded, totalMemoryBytes, error }: CatalogInput): ModelCatalog {
  const names = installed.map((model) => model.name);
  const candidates = SUGGESTED_OLLAMA_MODELS.filter((model) => !isOllamaModelInstalled(model.name, names)).map((model) => ({
    ...model,
    fit: fitVerdict(model.downloadBytes, totalMemoryBytes),
  }));
  const recommended = candidates.filter((model) => model.general && model.fit === 'fits').at(-1)?.name;
  const sizes = installed.map((model) => ({ name: model.name, sizeBytes: model.sizeBytes }));
  return {
    totalMemoryBytes,
    fitRule: FIT_RULE,
    installed: installed.map((model) => ({ ...model, fit: fitVerdict(model.sizeBytes, totalMemoryBytes) })),
    loaded: [...loaded],
    suggested: candidates.map(({ general: _general, ...model }) => ({ ...model, recommended: model.name === recommended })),
    aliases: MODEL_ALIASES.map((alias) => {
      const resolved = resolveModelAlias('ollama', alias, { installed: sizes, totalMemoryBytes })!;
      return { alias, model: resolved.model, basis: resolved.basis };
    }),
    ...(error ? { error } : {}),
  };
}

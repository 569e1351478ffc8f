import { fitVerdict, isModelAlias, type ModelAlias } from '../../shared/model-catalog.ts';
import { PROVIDER_SPECS, type Provider } from '../../shared/providers.ts';

/** An installed Ollama model as the alias resolver needs it. */
export interface InstalledSize {
  name: string;
  sizeBytes: number;
}

export interface AliasResolution {
  alias: ModelAlias;
  model: string;
  /** How the model was chosen, for the user: "the largest installed model that fits this machine". */
  basis: string;
}

/** Embedding models answer no prompts, so an alias never picks one. */
const EMBEDDING = /(embed|minilm|bge-|nomic-bert)/i;

const ORDINAL: Record<ModelAlias, string> = { fast: 'smallest', balanced: 'middle-sized', powerful: 'largest' };

/**
 * Resolves `fast`, `balanced` or `powerful` to a concrete model. Cloud providers use the table
 * in `providers.ts`. Ollama uses what is installed and fits this machine's memory (smallest,
 * middle, largest by size on disk); when nothing installed fits, the table names one to pull.
 * Undefined when `value` is not an alias.
 */
export function resolveModelAlias(
  provider: Provider,
  value: string,
  facts: { installed?: readonly InstalledSize[] | undefined; totalMemoryBytes?: number | undefined },
): AliasResolution | undefined {
  if (!isModelAlias(value)) return undefined;
  const alias = value.trim().toLowerCase() as ModelAlias;
  const fromTable = (why: string): AliasResolution => ({ alias, model: PROVIDER_SPECS[provider].aliases[alias], basis: why });
  if (provider !== 'ollama') return fromTable(`${PROVIDER_SPECS[provider].label}'s ${alias} tier in the app's model table`);

  const { installed, totalMemoryBytes } = facts;
  if (!installed || totalMemoryBytes === undefined) return fromTable(`the suggested ${alias} Ollama model (installed models not known yet)`);
  const fitting = installed
    .filter((model) => !EMBEDDING.test(model.name) && fitVerdict(model.sizeBytes, totalMemoryBytes) === 'fits')
    .sort((a, b) => a.sizeBytes - b.sizeBytes || a.name.localeCompare(b.name));
  if (fitting.length === 0) return fromTable(`the suggested ${alias} Ollama model: no installed model fits this machine, pull it first`);
  const index = alias === 'fast' ? 0 : alias === 'powerful' ? fitting.length - 1 : Math.floor(fitting.length / 2);
  const chosen = fitting[index]!;
  return { alias, model: chosen.name, basis: `the ${ORDINAL[alias]} installed model that fits this machine (${fitting.length} fit)` };
}

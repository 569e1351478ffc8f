/**
 * The architecture of installed models, from `/api/show`'s `model_info`, which the KV cache of
 * the fit estimate needs. A model's architecture does not change while its digest stays the
 * same, so answers are kept by digest and each model is asked about once.
 */
import { architectureFromModelInfo, type ModelArchitecture } from '../../shared/fit.ts';
import type { OllamaModel } from '../../shared/ollama.ts';
import { createOllamaClient } from './models.ts';

export class ModelInfoCache {
  readonly #byDigest = new Map<string, ModelArchitecture | null>();

  /** The architecture read for a digest, without asking Ollama; null when not read (yet). */
  cached(digest: string): ModelArchitecture | null {
    return this.#byDigest.get(digest) ?? null;
  }

  /** Architectures by model name; null for a model whose `model_info` is missing or could not be read. */
  async architectures(url: string, models: readonly OllamaModel[]): Promise<Record<string, ModelArchitecture | null>> {
    const client = await createOllamaClient(url);
    const entries = await Promise.all(
      models.map(async (model): Promise<[string, ModelArchitecture | null]> => {
        const known = this.#byDigest.get(model.digest);
        if (known !== undefined) return [model.name, known];
        try {
          const shown = await client.show({ model: model.name });
          // The client types it as a Map, but it arrives as the parsed JSON object.
          const info = shown.model_info instanceof Map ? Object.fromEntries(shown.model_info) : (shown.model_info as Record<string, unknown> | undefined);
          const architecture = architectureFromModelInfo(info);
          this.#byDigest.set(model.digest, architecture);
          return [model.name, architecture];
        } catch {
          // Not cached: Ollama may answer next time.
          return [model.name, null];
        }
      }),
    );
    return Object.fromEntries(entries);
  }
}

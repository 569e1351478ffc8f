/**
 * What the one-shot reports (`--print-config`, `--doctor`) learn from Ollama before they resolve
 * the model: the installed models decide the default (llama3.2, or the first installed model) and
 * the `fast`/`balanced`/`powerful` aliases, exactly as the running app resolves them.
 */
import os from 'node:os';
import { connectableOllamaUrl, parseOllamaHost } from '../../lib/ollama-host.ts';
import { resolveCurrentConfig, type ConfigSources } from '../config/current-config.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { probeOllama, type ProbeResult } from '../ollama/detect.ts';
import { listModels } from '../ollama/models.ts';
import type { OllamaModel } from '../../shared/ollama.ts';
import { budgetOf, type Hardware } from '../../shared/hardware.ts';
import { detectHardware } from '../hardware/detect.ts';
import { cardContext, defaultContext, kvCache } from '../hardware/fit-inputs.ts';

export function describeProbe(probe: Exclude<ProbeResult, { kind: 'running' }>): string {
  if (probe.kind === 'refused') return 'connection refused, nothing listens there';
  if (probe.kind === 'timeout') return `no answer within ${probe.afterMs / 1000} s`;
  return probe.detail;
}

export interface OllamaSnapshot {
  url: string;
  probe: ProbeResult;
  /** The installed models, when the server answered and listed them. */
  models?: OllamaModel[];
  /** Why the models could not be listed although the server answered. */
  modelsProblem?: string;
}

/** Probes Ollama at `url` and lists its models; never throws. */
export async function readOllama(url: string): Promise<OllamaSnapshot> {
  const probe = await probeOllama(url);
  if (probe.kind !== 'running') return { url, probe };
  try {
    return { url, probe, models: await listModels(url) };
  } catch (error) {
    return { url, probe, modelsProblem: error instanceof Error ? error.message : String(error) };
  }
}

/** The Ollama URL the app would connect to for this configuration. */
export const ollamaUrlOf = (config: ResolvedConfig): string => connectableOllamaUrl(parseOllamaHost(config.endpoints.ollama.value));

/**
 * The configuration with the model the runner gets. With Ollama as the provider, the installed
 * models are read first; when Ollama does not answer, a model that depends on them (the default,
 * an alias) says so in `why`, since it may change once Ollama answers.
 */
export async function resolveWithOllama(
  sources: ConfigSources,
  snapshot?: OllamaSnapshot,
  hardware?: Hardware,
): Promise<{ config: ResolvedConfig; ollama: OllamaSnapshot | undefined }> {
  const first = await resolveCurrentConfig(sources);
  if (first.provider.value !== 'ollama') return { config: first, ollama: snapshot };
  const ollama = snapshot ?? (await readOllama(ollamaUrlOf(first)));
  if (ollama.models) {
    // The aliases judge models as the running app does: GPU fit first, at each model's context.
    const machine = hardware ?? (await detectHardware({ env: { ...sources.env } }));
    const facts = {
      ollamaModels: ollama.models.map((model) => model.name),
      ollamaModelSizes: ollama.models.map(({ name, sizeBytes }) => ({ name, sizeBytes, contextLength: cardContext(sources.settings, name) })),
      totalMemoryBytes: os.totalmem(),
      fit: {
        budget: budgetOf(machine),
        contextLength: defaultContext(sources.settings, sources.env).tokens,
        kvCacheType: kvCache(sources.env).type,
      },
    };
    return { config: await resolveCurrentConfig({ ...sources, facts }), ollama };
  }
  const dependsOnInstalled = first.model.source === 'default' || first.model.alias !== undefined;
  if (!dependsOnInstalled) return { config: first, ollama };
  const why = `Ollama does not answer at ${ollama.url} (${ollama.probe.kind === 'running' ? ollama.modelsProblem : describeProbe(ollama.probe)}), so the installed models are not known; the app chooses among them once Ollama answers`;
  return { config: { ...first, model: { ...first.model, why } }, ollama };
}

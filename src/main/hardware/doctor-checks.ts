/**
 * `--doctor`'s lines about this machine: the accelerators and their memory with where each number
 * came from, and how the configured Ollama model fits at the default context length.
 */
import type { DoctorCheck } from '../../shared/doctor.ts';
import { formatBytes } from '../../shared/format-bytes.ts';
import { estimateMemory, judgeFit, type ModelArchitecture } from '../../shared/fit.ts';
import { budgetOf, type Hardware } from '../../shared/hardware.ts';
import type { Settings } from '../../shared/settings.ts';
import { contextOf, kvCache } from './fit-inputs.ts';

export function hardwareCheck(hardware: Hardware): DoctorCheck {
  const memory = `${formatBytes(hardware.memory.totalBytes)} RAM (${hardware.memory.source})`;
  const gpus = hardware.gpus.map(
    (gpu) => `${gpu.name}: ${formatBytes(gpu.totalBytes)}${gpu.usedBytes !== null ? `, ${formatBytes(gpu.usedBytes)} in use` : ''} (${gpu.source})`,
  );
  const detail = [memory, ...(gpus.length > 0 ? gpus : ['no GPU found: CPU only']), ...hardware.notes, ...hardware.problems].join('; ');
  // Only a tool that failed or hung is worth a warning; no GPU at all is simply this machine.
  return hardware.problems.length > 0
    ? {
        name: 'hardware',
        status: 'warn',
        detail,
        fix: 'check the GPU driver (nvidia-smi should answer within seconds); until then models are judged as CPU only',
      }
    : { name: 'hardware', status: 'ok', detail, fix: null };
}

/** The configured model's verdict at the context Ollama runs it with (the same rule as the Models screen). */
export function fitCheck(
  model: { name: string; sizeBytes: number; architecture: ModelArchitecture | null },
  hardware: Hardware,
  env: Readonly<Record<string, string | undefined>>,
  settings: Settings,
): DoctorCheck {
  const contextLength = contextOf(settings, env, model.name);
  const estimate = estimateMemory({ weightsBytes: model.sizeBytes, architecture: model.architecture, contextLength, kvCacheType: kvCache(env).type });
  const fit = judgeFit(estimate, budgetOf(hardware));
  const detail = `${model.name}: ${fit.summary}`;
  if (fit.verdict === 'gpu') return { name: 'ollama-fit', status: 'ok', detail, fix: null };
  if (fit.verdict === 'cpu' && hardware.gpus.length === 0) return { name: 'ollama-fit', status: 'ok', detail, fix: null };
  return {
    name: 'ollama-fit',
    status: 'warn',
    detail,
    fix: 'choose a smaller model or quantisation (the Models screen shows what fits the GPU), or a shorter context length',
  };
}

/** Hardware and catalog inputs for the fit tests: a machine with so much RAM and, optionally, one GPU. */
import type { CatalogInput } from '../../src/main/app/model-catalog.ts';
import type { Hardware } from '../../src/shared/hardware.ts';

export const GIB = 1024 ** 3;

export function hardwareFixture({ ramBytes = 16 * GIB, vramBytes = 0 }: { ramBytes?: number; vramBytes?: number } = {}): Hardware {
  const source = 'nvidia-smi --query-gpu=name,memory.total,memory.used --format=csv,noheader,nounits';
  return {
    memory: { totalBytes: ramBytes, source: 'the operating system (os.totalmem)' },
    gpus: vramBytes > 0 ? [{ vendor: 'nvidia', name: 'NVIDIA GeForce RTX 4060', totalBytes: vramBytes, usedBytes: 0, source }] : [],
    unified: false,
    gpuBudget: vramBytes > 0 ? { bytes: vramBytes, rule: "the GPU's memory (VRAM)" } : { bytes: 0, rule: 'no GPU found: CPU only' },
    notes: [],
    problems: [],
    detectedAt: '2026-12-07T06:00:00.000Z',
  };
}

export function catalogInput(overrides: Partial<CatalogInput> & { ramBytes?: number; vramBytes?: number } = {}): CatalogInput {
  const { ramBytes, vramBytes, ...rest } = overrides;
  return {
    installed: [],
    loaded: [],
    hardware: hardwareFixture({ ...(ramBytes ? { ramBytes } : {}), ...(vramBytes ? { vramBytes } : {}) }),
    architectures: {},
    modelContext: {},
    defaultContext: { tokens: 4096, source: "Ollama's default" },
    kvCache: { type: 'f16', source: "Ollama's default (f16)" },
    ...rest,
  };
}

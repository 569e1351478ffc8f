/**
 * AMD GPUs on Linux, from the amdgpu driver's sysfs files: `class/drm/cardN/device/mem_info_vram_total`
 * and `mem_info_vram_used`, in bytes. The root is a parameter so tests can give a fake tree.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Gpu } from '../../shared/hardware.ts';
import type { ToolReading } from './nvidia.ts';

async function readBytes(file: string): Promise<number | null> {
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  const value = text === null ? NaN : Number(text.trim());
  return Number.isFinite(value) && value >= 0 ? value : null;
}

export async function readAmdGpus(sysfsRoot: string): Promise<ToolReading> {
  const drm = path.join(sysfsRoot, 'class', 'drm');
  const entries = await fs.readdir(drm).catch(() => null);
  if (entries === null) return { gpus: [], absent: `${drm} cannot be read, so no AMD GPU was looked for` };
  const cards = entries.filter((entry) => /^card\d+$/.test(entry)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const gpus: Gpu[] = [];
  for (const card of cards) {
    const device = path.join(drm, card, 'device');
    const total = await readBytes(path.join(device, 'mem_info_vram_total'));
    if (total === null || total === 0) continue;
    const product = (await fs.readFile(path.join(device, 'product_name'), 'utf8').catch(() => '')).trim();
    gpus.push({
      vendor: 'amd',
      name: product || `AMD GPU (${card})`,
      totalBytes: total,
      usedBytes: await readBytes(path.join(device, 'mem_info_vram_used')),
      source: `${path.join(device, 'mem_info_vram_total')} and mem_info_vram_used`,
    });
  }
  return gpus.length > 0 ? { gpus } : { gpus, absent: `no AMD GPU in ${drm}` };
}

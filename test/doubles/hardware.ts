/**
 * Stand-ins for what hardware detection reads: an `nvidia-smi` executable that answers the
 * app's query (or hangs, or fails) and a sysfs tree with amdgpu's VRAM files.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface NvidiaSmiBehaviour {
  /** Its CSV lines: `name, total MiB, used MiB`. */
  lines?: readonly string[];
  /** Never answers (for the timeout). */
  hang?: boolean;
  /** Exits with this code and a message on stderr. */
  failWith?: number;
}

const EXPECTED_ARGS = '--query-gpu=name,memory.total,memory.used --format=csv,noheader,nounits';

/** Writes `dir/nvidia-smi`; put `dir` first on PATH. It refuses any other query, as a check on what the app asks. */
export function writeNvidiaSmi(dir: string, behaviour: NvidiaSmiBehaviour): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'nvidia-smi');
  const body = behaviour.hang
    ? // exec: the timeout's signal reaches the sleeping process itself, so nothing outlives the test.
      'exec sleep 60'
    : behaviour.failWith !== undefined
      ? `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." >&2\nexit ${behaviour.failWith}`
      : (behaviour.lines ?? []).map((line) => `printf '%s\\n' '${line.replaceAll("'", '')}'`).join('\n');
  fs.writeFileSync(file, `#!/bin/sh\nif [ "$*" != "${EXPECTED_ARGS}" ]; then echo "unexpected arguments: $*" >&2; exit 2; fi\n${body}\n`, { mode: 0o755 });
  return file;
}

export interface FakeCard {
  card: string;
  /** Absent: a card without VRAM files (an integrated GPU of another vendor). */
  vramTotal?: number;
  vramUsed?: number;
  productName?: string;
}

/** A sysfs root with `class/drm/<card>/device/mem_info_vram_*`; pass it as `sysfsRoot`. */
export function writeFakeSysfs(root: string, cards: readonly FakeCard[]): string {
  for (const card of cards) {
    const device = path.join(root, 'class', 'drm', card.card, 'device');
    fs.mkdirSync(device, { recursive: true });
    if (card.vramTotal !== undefined) fs.writeFileSync(path.join(device, 'mem_info_vram_total'), `${card.vramTotal}\n`);
    if (card.vramUsed !== undefined) fs.writeFileSync(path.join(device, 'mem_info_vram_used'), `${card.vramUsed}\n`);
    if (card.productName) fs.writeFileSync(path.join(device, 'product_name'), `${card.productName}\n`);
  }
  // The connectors beside the cards, as on a real machine.
  fs.mkdirSync(path.join(root, 'class', 'drm', 'card0-HDMI-A-1'), { recursive: true });
  return root;
}

/**
 * NVIDIA GPUs through `nvidia-smi`, which ships with the driver: one CSV line per GPU with its
 * name and memory in MiB. Run with a timeout, since a wedged driver can hang it for minutes.
 */
import { execa } from 'execa';
import type { Gpu } from '../../shared/hardware.ts';

export const NVIDIA_SMI_ARGS = ['--query-gpu=name,memory.total,memory.used', '--format=csv,noheader,nounits'] as const;
const SOURCE = `nvidia-smi ${NVIDIA_SMI_ARGS.join(' ')}`;
const MIB = 1024 ** 2;

/** `NVIDIA GeForce RTX 4070, 12282, 1034` per line → GPUs; lines that do not parse are left out. */
export function parseNvidiaSmi(stdout: string): Gpu[] {
  return stdout.split(/\r?\n/).flatMap((line): Gpu[] => {
    // The name may hold commas; the two numbers are always the last fields.
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length < 3) return [];
    const [total, used] = fields.slice(-2).map(Number) as [number, number];
    const name = fields.slice(0, -2).join(', ');
    if (!name || !Number.isFinite(total) || total <= 0) return [];
    return [{ vendor: 'nvidia', name, totalBytes: total * MIB, usedBytes: Number.isFinite(used) ? used * MIB : null, source: SOURCE }];
  });
}

export interface ToolReading {
  gpus: Gpu[];
  /** Why the tool gave nothing, when that is worth saying (not installed is said only when no GPU was found at all). */
  note?: string;
  missing?: boolean;
}

export async function readNvidiaGpus(command: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<ToolReading> {
  const result = await execa(command, NVIDIA_SMI_ARGS, { timeout: timeoutMs, reject: false, env, extendEnv: false, stdin: 'ignore', windowsHide: true });
  if (result.timedOut) return { gpus: [], note: `${command} did not answer within ${timeoutMs / 1000} s, so NVIDIA GPUs are not counted` };
  if (result.code === 'ENOENT') return { gpus: [], note: `${command} was not found, so no NVIDIA GPU was looked for`, missing: true };
  if (result.failed) {
    const why = String(result.stderr || result.stdout || result.shortMessage || 'no output').split('\n')[0]?.trim();
    return { gpus: [], note: `${command} failed (${why}), so NVIDIA GPUs are not counted` };
  }
  const gpus = parseNvidiaSmi(result.stdout);
  return gpus.length > 0 ? { gpus } : { gpus, note: `${command} listed no GPU` };
}

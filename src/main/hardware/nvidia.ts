/**
 * NVIDIA GPUs through `nvidia-smi`, which ships with the driver: one CSV line per GPU with its
 * name and memory in MiB. Run through the process toolkit's launcher with a timeout, since a
 * wedged driver can hang it for minutes; at the timeout its whole tree is ended.
 */
import { childProcessLauncher, type Launcher } from '../process/launcher.ts';
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
  /** Nothing to read here (no such tool, no such card): worth saying only when no GPU was found at all. */
  absent?: string;
  /** The tool is there but failed or hung: always worth saying, the GPU may be missed. */
  problem?: string;
}

/** Collects a stream's text; the pipes end when the process and its descendants let go of them. */
function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve) => {
    stream.once('end', () => resolve(out));
    stream.once('close', () => resolve(out));
    stream.once('error', () => resolve(out));
  });
}

/** What a launched tool printed, or why it did not answer; its whole tree is ended at the timeout. */
async function run(launcher: Launcher, argv: [string, ...string[]], env: NodeJS.ProcessEnv, timeoutMs: number) {
  const child = launcher.launch({ argv, env: definedEnv(env), controlChannel: false });
  const [stdout, stderr] = [text(child.stdout), text(child.stderr)];
  try {
    await child.started;
  } catch (error) {
    return { kind: 'unstartable' as const, code: (error as NodeJS.ErrnoException).code };
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([child.exited.then(() => false), new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)))]);
  clearTimeout(timer);
  if (timedOut) {
    await child.terminate(500).catch(() => undefined);
    child.release();
    return { kind: 'timeout' as const };
  }
  const { code } = await child.exited;
  await child.closed;
  return { kind: 'exited' as const, code, stdout: await stdout, stderr: await stderr };
}

const definedEnv = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));

export async function readNvidiaGpus(
  command: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
  launcher: Launcher = childProcessLauncher,
): Promise<ToolReading> {
  const result = await run(launcher, [command, ...NVIDIA_SMI_ARGS], env, timeoutMs);
  if (result.kind === 'timeout') return { gpus: [], problem: `${command} did not answer within ${timeoutMs / 1000} s, so NVIDIA GPUs are not counted` };
  if (result.kind === 'unstartable') {
    return result.code === 'ENOENT'
      ? { gpus: [], absent: `${command} was not found, so no NVIDIA GPU was looked for` }
      : { gpus: [], problem: `${command} could not be started (${result.code ?? 'unknown error'}), so NVIDIA GPUs are not counted` };
  }
  if (result.code !== 0) {
    const why = (result.stderr || result.stdout).split('\n')[0]?.trim() || `exit code ${result.code}`;
    return { gpus: [], problem: `${command} failed (${why}), so NVIDIA GPUs are not counted` };
  }
  const gpus = parseNvidiaSmi(result.stdout);
  return gpus.length > 0 ? { gpus } : { gpus, absent: `${command} listed no GPU` };
}

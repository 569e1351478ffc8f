import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { HEADLESS_BUNDLE, ensureHeadlessBuilt } from '../test/support/headless.ts';
import { startFakeOllama } from '../test/doubles/ollama/server.ts';
import { readCpuSeconds, readMemory } from '../test/support/proc.ts';
import { startBlackhole } from './lib/blackhole.ts';
import { emptySection, type Section } from './lib/report.ts';
import { formatMb, formatMs, formatNumber, formatRatio, median, repeat } from './lib/stats.ts';

/** The built-in runner as the hosts start it: this Node running the bundled runner.js with an IPC channel. */
const RUNNER_BUNDLE = path.join(path.dirname(HEADLESS_BUNDLE), 'runner.js');
/** The floor: Node with an IPC channel running a script that says ready and stops on SIGTERM with 0, as the runner does. */
const EMPTY_SCRIPT = "process.send('ready'); setInterval(() => {}, 60_000); process.once('SIGTERM', () => process.exit(0));";
/** How long a started process is left alone before its memory is read or it is stopped: its start-up check is over (or hanging). */
const SETTLE_MS = 1500;

interface Lifecycle {
  /** Spawn → the `ready` control message, ms. */
  readyMs: number;
  /** CPU time (user + system) used up to `ready`, ms; 10 ms steps. */
  readyCpuMs: number;
  /** VmRSS once settled, bytes. */
  rss: number;
  /** SIGTERM → the exit event, ms. */
  exitMs: number;
  exitCode: number | null;
}

/** One process from spawn to exit: ready, settle, SIGTERM. */
async function lifecycle(args: string[], env: Record<string, string>): Promise<Lifecycle> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await new Promise((resolve) => child.once('message', resolve));
    const readyMs = performance.now() - spawnedAt;
    const readyCpuMs = readCpuSeconds(child.pid!) * 1000;
    await delay(SETTLE_MS);
    const rss = readMemory(child.pid!)?.rss ?? Number.NaN;
    const stoppedAt = performance.now();
    child.kill('SIGTERM');
    const exitCode = await exited;
    return { readyMs, readyCpuMs, rss, exitMs: performance.now() - stoppedAt, exitCode };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

const runsOf = (values: number[], digits = 0) => values.map((value) => formatNumber(value, digits)).join(', ');

/**
 * The built-in runner's own start and stop (issue 25), each run beside Node running an empty
 * script with an IPC channel, the floor on this machine at that moment: spawn → `ready` (and the
 * CPU it took, which the load does not inflate), the idle memory with the Ollama double, and
 * SIGTERM → exit, idle and while its start-up check waits on an Ollama that never answers (at
 * `localhost`, so the name is resolved as for most users).
 */
export async function runnerLifecycle(options: { runs: number }): Promise<Section> {
  const section = emptySection();
  await ensureHeadlessBuilt();
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  const blackhole = await startBlackhole();
  const ollamaEnv = (url: string) => ({ STIGMER_LLM_PROVIDER: 'ollama', STIGMER_LLM_MODEL: 'llama3.2', STIGMER_LLM_BASE_URL: url, OLLAMA_HOST: url });
  try {
    const runs = await repeat(options.runs, async () => ({
      floor: await lifecycle(['-e', EMPTY_SCRIPT], {}),
      runner: await lifecycle([RUNNER_BUNDLE], ollamaEnv(ollama.url)),
      hanging: await lifecycle([RUNNER_BUNDLE], ollamaEnv(`http://localhost:${blackhole.port}`)),
    }));
    const of = (subject: 'floor' | 'runner' | 'hanging', field: keyof Omit<Lifecycle, 'exitCode'>) => runs.map((run) => run[subject][field]);
    const codes = (subject: 'floor' | 'runner' | 'hanging') => [...new Set(runs.map((run) => String(run[subject].exitCode)))].join(', ');
    const floorReady = median(of('floor', 'readyMs'));
    const floorExit = median(of('floor', 'exitMs'));
    section.rows.push(
      {
        benchmark: 'built-in runner start → ready',
        subject: 'runner.js (bundle, Ollama double)',
        median: formatMs(median(of('runner', 'readyMs'))),
        detail: `${formatRatio(median(of('runner', 'readyMs')) / floorReady)} the floor; CPU to ready ${formatMs(median(of('runner', 'readyCpuMs')))} (floor ${formatMs(median(of('floor', 'readyCpuMs')))}); idle RSS ${formatMb(median(of('runner', 'rss')))} (floor ${formatMb(median(of('floor', 'rss')))}); runs ${runsOf(of('runner', 'readyMs'))} ms`,
      },
      {
        benchmark: 'built-in runner start → ready',
        subject: 'baseline: node -e with an IPC channel, an empty script that says ready',
        median: formatMs(floorReady),
        detail: `the floor on this machine now; runs ${runsOf(of('floor', 'readyMs'))} ms`,
      },
      {
        benchmark: 'built-in runner SIGTERM → exit',
        subject: 'runner.js, idle (start-up check done)',
        median: formatMs(median(of('runner', 'exitMs'))),
        detail: `${formatRatio(median(of('runner', 'exitMs')) / floorExit)} the floor; exit code ${codes('runner')}; runs ${runsOf(of('runner', 'exitMs'), 1)} ms`,
      },
      {
        benchmark: 'built-in runner SIGTERM → exit',
        subject: 'runner.js, start-up check waiting on a blackholed Ollama at localhost',
        median: formatMs(median(of('hanging', 'exitMs'))),
        detail: `${formatRatio(median(of('hanging', 'exitMs')) / floorExit)} the floor; exit code ${codes('hanging')}; runs ${runsOf(of('hanging', 'exitMs'), 1)} ms`,
      },
      {
        benchmark: 'built-in runner SIGTERM → exit',
        subject: 'baseline: the same empty script, exit(0) on SIGTERM',
        median: formatMs(floorExit),
        detail: `the floor on this machine now; exit code ${codes('floor')}; runs ${runsOf(of('floor', 'exitMs'), 1)} ms`,
      },
    );
    section.notes.push(
      'Built-in runner start and stop: each run starts Node with an empty script and an IPC channel (the floor), then the bundled runner against the Ollama double, then the runner against a port that accepts and never answers at `localhost`; each is left 1.5 s (its start-up check over, or hanging), its VmRSS read, then sent SIGTERM. The CPU to ready is read from /proc in 10 ms steps.',
    );
    return section;
  } finally {
    await blackhole.close();
    await ollama.close();
  }
}

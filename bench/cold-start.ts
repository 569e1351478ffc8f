import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HEADLESS_BUNDLE, REPO_ROOT, ensureHeadlessBuilt } from '../test/support/headless.ts';
import { startFakeOllama } from '../test/doubles/ollama/server.ts';
import { readCpuSeconds, readMemory } from '../test/support/proc.ts';
import { emptySection, waitUntil, type Section } from './lib/report.ts';
import { formatMb, formatMs, formatNumber, median } from './lib/stats.ts';

/**
 * The host's own log lines that end each phase, in order; each line carries the host's timestamp,
 * so the phases need nothing from the host beyond what it prints at the default level. Node
 * start ends at its first line, whichever it is (where keys are kept, or a settings warning).
 */
const MILESTONES = [
  ['node start', /^\S+ /],
  ['settings', /\] Configuration: /],
  ['detection', /\] Ollama \S+ running at /],
  ['models', /\] Runner starting: /],
  ['spawn', /\] Runner running: started/],
  ['ready', /\] Runner ready: /],
] as const;
type Milestone = (typeof MILESTONES)[number][0];

interface ColdStart {
  /** ms from spawn to each milestone. */
  at: Record<Milestone, number>;
  /** The host's CPU time (user + system) until the runner was ready: what the load does not inflate. */
  hostCpuSeconds: number;
  /** The host's RSS once the runner is ready, bytes. */
  hostRss: number;
}

/** One cold start: a fresh user-data folder, the external Ollama double, until the runner is ready. */
async function coldStart(ollamaUrl: string): Promise<ColdStart> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-cold-'));
  const spawnedAt = Date.now();
  const host = spawn(process.execPath, [HEADLESS_BUNDLE, '--user-data-dir', userDataDir], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: userDataDir, OLLAMA_HOST: ollamaUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  host.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  try {
    await waitUntil('the runner to be ready', () => /\] Runner ready: /.test(stdout), 60_000, 5);
    const hostCpuSeconds = readCpuSeconds(host.pid!);
    const hostRss = readMemory(host.pid!)?.rss ?? Number.NaN;
    const lines = stdout.split('\n');
    const at = (pattern: RegExp) => {
      const line = lines.find((each) => pattern.test(each));
      return line ? Date.parse(line.slice(0, line.indexOf(' '))) - spawnedAt : Number.NaN;
    };
    return { at: Object.fromEntries(MILESTONES.map(([name, pattern]) => [name, at(pattern)])) as Record<Milestone, number>, hostCpuSeconds, hostRss };
  } finally {
    host.kill('SIGTERM');
    await new Promise((resolve) => host.once('exit', resolve));
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

/**
 * The floor: Node starting and exiting with nothing to run, on this machine now: wall ms, and the
 * CPU time it used, which it reports itself as its last act (`process.cpuUsage`).
 */
function bareNodeStart(): { ms: number; cpuSeconds: number } {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['-e', 'const u = process.cpuUsage(); process.stdout.write(String(u.user + u.system))'], { encoding: 'utf8' });
  return { ms: performance.now() - started, cpuSeconds: Number(child.stdout) / 1e6 };
}

/**
 * Cold start of the headless host as `stigmer local start` runs it (`node out/headless/cli.js`,
 * the bundle), with an external Ollama (the double) and a fresh user-data folder, until the
 * built-in runner reports ready; each phase from the host's own timestamped lines.
 */
export async function coldStartBench(options: { runs: number }): Promise<Section> {
  const section = emptySection();
  await ensureHeadlessBuilt();
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  try {
    const starts: ColdStart[] = [];
    const bare: { ms: number; cpuSeconds: number }[] = [];
    for (let run = 0; run < options.runs; run++) {
      starts.push(await coldStart(ollama.url));
      bare.push(bareNodeStart());
    }
    const runs = starts.map((start) => start.at);
    const floor = bare.map((each) => each.ms);
    const hostCpu = median(starts.map((start) => start.hostCpuSeconds));
    const bareCpu = median(bare.map((each) => each.cpuSeconds));
    const total = runs.map((run) => run.ready);
    const phases = MILESTONES.map(([name], index) => {
      const previous = index === 0 ? undefined : MILESTONES[index - 1]![0];
      return `${name} ${formatMs(median(runs.map((run) => run[name] - (previous ? run[previous] : 0))))}`;
    });
    section.rows.push(
      {
        benchmark: 'cold start → runner ready (external Ollama)',
        subject: 'node out/headless/cli.js (what stigmer local start runs)',
        median: formatMs(median(total)),
        detail: `${phases.join(', ')}; runs ${total.map((each) => formatNumber(each)).join(', ')} ms`,
      },
      {
        benchmark: 'cold start → runner ready (external Ollama)',
        subject: 'baseline: node -e 0 (start and exit)',
        median: formatMs(median(floor)),
        detail: `the floor on this machine now; the cold start is ${formatNumber(median(total) / median(floor), 1)}× it; runs ${floor.map((each) => formatNumber(each)).join(', ')} ms`,
      },
      {
        benchmark: 'cold start → runner ready (external Ollama)',
        subject: 'the host process: CPU time until the runner is ready, RSS then',
        median: `${formatNumber(hostCpu, 2)} s CPU`,
        detail: `node -e 0 uses ${formatNumber(bareCpu, 2)} s (the host is ${formatNumber(hostCpu / bareCpu, 1)}× it; CPU time is not inflated by the load); RSS at ready ${formatMb(median(starts.map((start) => start.hostRss)))}; runs ${starts.map((start) => formatNumber(start.hostCpuSeconds, 2)).join(', ')} s`,
      },
    );
    section.goals.push({
      goal: 'stigmer local start → runner ready (cold, external Ollama) < 500 ms',
      met: median(total) < 500,
      observed: `${formatMs(median(total))} (${phases.join(', ')})`,
    });
    section.notes.push(
      "Cold start phases end at the host's own lines: node start (its first line, after Node and the bundle load), settings (the configuration resolved), detection (Ollama answered), models (its model list read, the runner command resolved), spawn (the runner process exists), ready (the runner's ready message).",
    );
    return section;
  } finally {
    await ollama.close();
  }
}

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { HEADLESS_BUNDLE, REPO_ROOT, ensureHeadlessBuilt } from '../test/support/headless.ts';
import { startFakeOllama } from '../test/doubles/ollama/server.ts';
import { readContextSwitches, readCpuSeconds, readMemory } from '../test/support/proc.ts';
import { emptySection, waitUntil, type Section } from './lib/report.ts';
import { formatMb, formatNumber } from './lib/stats.ts';

/** The goal for the idle host's resident memory (issue 13), bytes. */
const IDLE_RSS_GOAL = 100e6;
/** The goals of issue 25 for the idle built-in runner, and for the host and it together, bytes. */
const RUNNER_RSS_GOAL = 50e6;
const BOTH_RSS_GOAL = 140e6;

/** The floor for the runner: Node with an IPC channel running nothing, as the runner is started. */
async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', "process.send('ready'); setInterval(() => {}, 60_000)"], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    await new Promise((resolve) => child.once('message', resolve));
    await delay(1000);
    return readMemory(child.pid!)?.rss ?? Number.NaN;
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

/**
 * Idle cost: the headless host users run (the bundle `npm run headless` builds and starts, with its
 * bundled built-in runner), with the Ollama double running and the runner ready,
 * doing nothing for `seconds`; its CPU time and context switches (wake-ups) over that time and
 * its resident memory at the end, from /proc.
 */
export async function idleCost(options: { seconds: number; warmupSeconds: number }): Promise<Section> {
  const section = emptySection();
  await ensureHeadlessBuilt();
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-idle-'));
  const host = spawn(process.execPath, [HEADLESS_BUNDLE, '--user-data-dir', userDataDir], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: userDataDir, OLLAMA_HOST: ollama.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  host.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  try {
    await waitUntil('the runner to be ready', () => stdout.includes('Runner ready: ollama'), 60_000, 20);
    const runnerPid = Number(/Runner running: started \(pid (\d+)\)/.exec(stdout)?.[1]);
    await delay(options.warmupSeconds * 1000);
    const pids = { host: host.pid!, runner: runnerPid };
    const before = { host: readCpuSeconds(pids.host), runner: readCpuSeconds(pids.runner), wakeups: readContextSwitches(pids.host) };
    const startedAt = performance.now();
    await delay(options.seconds * 1000);
    const elapsed = (performance.now() - startedAt) / 1000;
    const hostCpu = readCpuSeconds(pids.host) - before.host;
    const runnerCpu = readCpuSeconds(pids.runner) - before.runner;
    const wakeups = (readContextSwitches(pids.host) - before.wakeups) / elapsed;
    const memory = readMemory(pids.host);
    const runnerMemory = readMemory(pids.runner);
    const bare = await bareNodeRss();
    const percent = (100 * hostCpu) / elapsed;
    section.rows.push(
      {
        benchmark: `idle cost over ${formatNumber(elapsed)} s`,
        subject: 'headless host as npm run headless runs it (bundle; Ollama double, built-in runner ready)',
        median: `${formatNumber(percent, 2)} % of a core`,
        detail: `${formatNumber(hostCpu, 2)} s CPU; ${formatNumber(wakeups, 1)} context switches/s; RSS ${memory ? formatMb(memory.rss) : 'n/a'}`,
      },
      {
        benchmark: `idle cost over ${formatNumber(elapsed)} s`,
        subject: 'built-in runner (for reference)',
        median: `${formatNumber((100 * runnerCpu) / elapsed, 2)} % of a core`,
        detail: `${formatNumber(runnerCpu, 2)} s CPU (its parent check runs once a second); RSS ${runnerMemory ? formatMb(runnerMemory.rss) : 'n/a'} (bare Node with an IPC channel: ${formatMb(bare)})`,
      },
    );
    section.goals.push({
      goal: 'idle host < 1 % of one core, no busy polling',
      met: percent < 1,
      observed: `${formatNumber(percent, 2)} %, ${formatNumber(wakeups, 1)} wake-ups/s`,
    });
    section.goals.push({
      goal: 'idle RSS < 100 MB (headless host, Ollama and the built-in runner ready)',
      met: memory !== undefined && memory.rss < IDLE_RSS_GOAL,
      observed: memory ? `${formatNumber(memory.rss / 1e6, 1)} MB` : 'n/a',
    });
    const both = memory && runnerMemory ? memory.rss + runnerMemory.rss : Number.NaN;
    section.goals.push(
      {
        goal: 'built-in runner idle RSS < 50 MB (Ollama provider, bundled)',
        met: runnerMemory !== undefined && runnerMemory.rss < RUNNER_RSS_GOAL,
        observed: runnerMemory ? `${formatNumber(runnerMemory.rss / 1e6, 1)} MB` : 'n/a',
      },
      { goal: 'host + built-in runner idle RSS < 140 MB', met: both < BOTH_RSS_GOAL, observed: `${formatNumber(both / 1e6, 1)} MB` },
    );
    return section;
  } finally {
    host.kill('SIGTERM');
    await new Promise((resolve) => host.once('exit', resolve));
    await ollama.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

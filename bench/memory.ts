import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureRendererBuilt } from '../src/main/headless/renderer-build.ts';
import { HEADLESS_BUNDLE, REPO_ROOT, ensureHeadlessBuilt } from '../test/support/headless.ts';
import { connectUi } from '../test/support/websocket.ts';
import { FLOOD_DONE } from './lib/flood.ts';
import { sampleMemory } from './lib/proc.ts';
import { emptySection, waitUntil, type Section } from './lib/report.ts';
import { formatMb, formatMs, formatNumber } from './lib/stats.ts';

const FLOOD_RUNNER = path.join(import.meta.dirname, 'fixtures/flood-runner.ts');
/** Node flags that keep V8's heap small; measured beside the default to show where the memory goes. */
const SMALL_HEAP_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=64'];

/** The last bytes of a file, without reading it whole. */
function tailOf(file: string, bytes: number): string {
  try {
    const handle = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(handle).size;
      const buffer = Buffer.alloc(Math.min(bytes, size));
      fs.readSync(handle, buffer, 0, buffer.length, size - buffer.length);
      return buffer.toString('utf8');
    } finally {
      fs.closeSync(handle);
    }
  } catch {
    return '';
  }
}

interface FloodMemory {
  peak: number;
  /** RSS range over the last three quarters of the flood. */
  growth: number;
  detail: string;
  /** `state:get` round trips over the UI's WebSocket during the flood, ms. */
  roundTrips: number[];
}

/** The value below which `fraction` of the values lie (nearest rank). */
function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * One flood through a fresh headless host started with `nodeFlags` and `--ui`, whose window
 * (a WebSocket client, as the page is) starts the runner and then asks `state:get` over and
 * over, one request at a time, while the flood runs. The host's stdout goes to a file.
 */
async function measureFlood(lines: number, nodeFlags: readonly string[]): Promise<FloodMemory> {
  // Built here, not by the host: a host that builds it loads vite, ~170 MB the flood is not about.
  await ensureRendererBuilt();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-memory-'));
  const stdoutFile = path.join(userDataDir, 'stdout.txt');
  const stdout = fs.openSync(stdoutFile, 'w');
  const host = spawn(
    process.execPath,
    [...nodeFlags, HEADLESS_BUNDLE, '--ui', '--user-data-dir', userDataDir, '--runner-command', `${process.execPath} ${FLOOD_RUNNER} ${lines}`],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: userDataDir, ANTHROPIC_API_KEY: 'sk-ant-api03-bench-memory-flood-000000000000' },
      stdio: ['ignore', stdout, 'inherit'],
    },
  );
  fs.closeSync(stdout);
  const runnerLog = path.join(userDataDir, 'logs', 'runner.log');
  try {
    const url = await waitUntil('the UI to be ready', () => /^UI ready: open (\S+)$/m.exec(fs.readFileSync(stdoutFile, 'utf8'))?.[1], 60_000, 20);
    const ui = await connectUi(url);
    const sampler = sampleMemory(host.pid!, 100);
    const started = await ui.request('runner:start');
    if (!started.ok) throw new Error(`runner:start failed: ${JSON.stringify(started.error)}`);
    const floodStart = await waitUntil('the flood to start', () => fs.existsSync(runnerLog) && Date.now(), 60_000, 20);
    let flooding = true;
    const roundTrips: number[] = [];
    const probing = (async () => {
      while (flooding) {
        const sentAt = performance.now();
        await ui.request('state:get');
        if (flooding) roundTrips.push(performance.now() - sentAt);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await waitUntil('the flood to reach the log file', () => tailOf(runnerLog, 200).includes(FLOOD_DONE), 600_000, 100);
    flooding = false;
    await probing;
    ui.close();
    const floodEnd = Date.now();
    const final = sampler.stop();
    const during = sampler.samples.filter((sample) => sample.at >= floodStart && sample.at <= floodEnd);
    const at = (fraction: number) => during[Math.min(during.length - 1, Math.floor(fraction * during.length))]?.rss ?? Number.NaN;
    const afterWarmup = during.slice(Math.floor(during.length / 4)).map((sample) => sample.rss);
    const growth = Math.max(...afterWarmup) - Math.min(...afterWarmup);
    const quarters = [0.25, 0.5, 0.75, 1].map((fraction) => formatMb(at(fraction))).join(' / ');
    return {
      peak: final?.peakRss ?? Number.NaN,
      growth,
      roundTrips,
      detail: `RSS at 25/50/75/100 % of the flood ${quarters}; range after warm-up ${formatMb(growth)}; flood took ${formatNumber((floodEnd - floodStart) / 1000, 1)} s`,
    };
  } finally {
    host.kill('SIGTERM');
    await new Promise((resolve) => host.once('exit', resolve));
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

/**
 * Keeps every core busy with another process (a `node -e` busy loop per core, at normal priority)
 * while `body` runs, so that the host competes for the CPU as on a loaded machine.
 */
async function withCpuHog<T>(body: () => Promise<T>): Promise<T> {
  const hogs = Array.from({ length: os.availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  try {
    return await body();
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
    await Promise.all(
      hogs.map((hog) => (hog.exitCode !== null || hog.signalCode !== null ? Promise.resolve() : new Promise((resolve) => hog.once('exit', resolve)))),
    );
  }
}

/**
 * The same flood with both cores busy with a CPU hog the bench starts and stops: the peak RSS
 * and the command round trip must hold by design (backpressure, bounded buffers), not because
 * the machine was quiet.
 */
export async function busyMachine(options: { lines: number }): Promise<Section> {
  const section = emptySection();
  await ensureHeadlessBuilt();
  const busy = await withCpuHog(() => measureFlood(options.lines, []));
  const smallHeap = await withCpuHog(() => measureFlood(options.lines, SMALL_HEAP_FLAGS));
  const p99 = percentile(busy.roundTrips, 0.99);
  const benchmark = `busy machine: a CPU hog per core, ${formatNumber(options.lines)}-line flood`;
  section.rows.push(
    { benchmark, subject: 'headless host (bundle), peak RSS (VmHWM)', median: formatMb(busy.peak), detail: busy.detail },
    { benchmark, subject: `same, node ${SMALL_HEAP_FLAGS.join(' ')}`, median: formatMb(smallHeap.peak), detail: smallHeap.detail },
    {
      benchmark,
      subject: 'state:get over the UI WebSocket, p99',
      median: formatMs(p99),
      detail: `${busy.roundTrips.length} requests one after another; p50 ${formatMs(percentile(busy.roundTrips, 0.5))}, max ${formatMs(Math.max(...busy.roundTrips))}`,
    },
  );
  section.goals.push(
    { goal: 'busy machine: peak RSS under a 2M-line flood < 150 MB', met: busy.peak < 150e6, observed: `${formatNumber(busy.peak / 1e6)} MB` },
    { goal: 'busy machine: state:get p99 during the flood < 50 ms', met: p99 < 50, observed: formatMs(p99) },
  );
  return section;
}

/**
 * Memory under a flood: the real headless host, as `npm run headless` runs it (the bundle),
 * supervises a runner that prints `lines` lines as fast as it can; the host's resident memory is sampled every 100 ms from /proc until the
 * flood's last line is in the log file, and the command round trip is measured meanwhile. Its
 * stdout (the echo of every line) goes to a file.
 */
export async function memoryUnderFlood(options: { lines: number }): Promise<Section> {
  const section = emptySection();
  await ensureHeadlessBuilt();
  const shipped = await measureFlood(options.lines, []);
  const smallHeap = await measureFlood(options.lines, SMALL_HEAP_FLAGS);
  const benchmark = `memory under a flood (${formatNumber(options.lines)} lines)`;
  section.rows.push(
    { benchmark, subject: 'headless host (bundle, as npm run headless runs it), peak RSS (VmHWM)', median: formatMb(shipped.peak), detail: shipped.detail },
    { benchmark, subject: `same, node ${SMALL_HEAP_FLAGS.join(' ')}`, median: formatMb(smallHeap.peak), detail: smallHeap.detail },
    {
      benchmark: `command round trip during the flood`,
      subject: 'state:get over the UI WebSocket, p99',
      median: formatMs(percentile(shipped.roundTrips, 0.99)),
      detail: `${shipped.roundTrips.length} requests one after another; p50 ${formatMs(percentile(shipped.roundTrips, 0.5))}, max ${formatMs(Math.max(...shipped.roundTrips))}`,
    },
  );
  section.goals.push(
    {
      goal: 'peak RSS under a 2M-line flood < 150 MB',
      met: shipped.peak < 150e6,
      observed: `${formatNumber(shipped.peak / 1e6)} MB (${formatNumber(smallHeap.peak / 1e6)} MB with ${SMALL_HEAP_FLAGS.join(' ')})`,
    },
    {
      goal: 'RSS flat after warm-up (range < 20 MiB over the last 3/4 of the flood)',
      met: shipped.growth < 20 * 1024 * 1024,
      observed: formatMb(shipped.growth),
    },
    {
      goal: 'command round trip during the flood (state:get, p99) < 50 ms',
      met: percentile(shipped.roundTrips, 0.99) < 50,
      observed: formatMs(percentile(shipped.roundTrips, 0.99)),
    },
  );
  return section;
}

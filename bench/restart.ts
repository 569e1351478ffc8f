import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { entriesOf } from '../src/main/logs/line-ring.ts';
import { LogPipeline } from '../src/main/logs/pipeline.ts';
import { RunnerSupervisor } from '../src/main/runner/supervisor.ts';
import type { Pm2 } from './lib/pm2.ts';
import { emptySection, waitUntil, type Section } from './lib/report.ts';
import { epochMs, formatMs, formatNumber, median } from './lib/stats.ts';

const READY_RUNNER = path.join(import.meta.dirname, 'fixtures/ready-runner.ts');

interface Ready {
  pid: number;
  readyAt: number;
}

/** Every `ready {…}` line in `text`. */
function readyLines(text: string): Ready[] {
  return [...text.matchAll(/^ready (\{.*\})$/gm)].map((match) => JSON.parse(match[1]!) as Ready);
}

/** kill -9 of the runner, until the next runner says it is ready: `kills` times, under the app's supervisor. */
async function underSupervisor(delayMs: number, kills: number): Promise<number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-restart-'));
  let output = '';
  // The app's path for runner output: the log pipeline, whose records are read back as text.
  const logs = new LogPipeline({
    logsDir: path.join(dir, 'logs'),
    onRecord: (record) =>
      (output += entriesOf(record)
        .map((entry) => `${entry.msg}\n`)
        .join('')),
  });
  const supervisor = new RunnerSupervisor({
    inputs: () => ({
      command: { argv: [process.execPath, READY_RUNNER], source: 'flag:--runner-command', builtIn: false },
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    }),
    pidFile: path.join(dir, 'run', 'runner.pid'),
    // Every kill restarts after the same delay: a run counts as healthy at once, so the backoff never grows.
    policy: { initialDelayMs: delayMs, healthyAfterMs: 0, crashLoopExits: 1_000 },
    output: logs.processOutput('runner'),
  });
  try {
    await supervisor.start();
    return await killRepeatedly(kills, () => readyLines(output));
  } finally {
    await supervisor.stop();
    await logs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function underPm2(pm2: Pm2, delayMs: number, kills: number): Promise<number[]> {
  const name = `restart-${delayMs}`;
  await pm2.start(name, { argv: [process.execPath, READY_RUNNER], autorestart: true, restartDelayMs: delayMs });
  try {
    return await killRepeatedly(kills, () => (fs.existsSync(pm2.outLog(name)) ? readyLines(fs.readFileSync(pm2.outLog(name), 'utf8')) : []));
  } finally {
    await pm2.delete(name);
  }
}

/** Kills the newest ready runner with SIGKILL and measures until a new one reports ready. */
async function killRepeatedly(kills: number, seen: () => Ready[]): Promise<number[]> {
  const latencies: number[] = [];
  for (let kill = 0; kill < kills; kill++) {
    const current = await waitUntil('a ready runner', () => seen()[kill], 30_000, 2);
    // Settled first, so a restart is never measured while the previous one is still logging.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = epochMs();
    process.kill(current.pid, 'SIGKILL');
    const next = await waitUntil('the restarted runner', () => seen()[kill + 1], 30_000, 2);
    latencies.push(next.readyAt - killedAt);
  }
  return latencies;
}

/**
 * Restart latency, from `kill -9` of the runner to the next runner being ready, for the app's
 * supervisor and PM2 with the same restart delay: none, and a fixed 1 s.
 */
export async function restartLatency(options: { kills: number; pm2: Pm2 | undefined }): Promise<Section> {
  const section = emptySection();
  for (const delayMs of [0, 1_000]) {
    const app = await underSupervisor(delayMs, options.kills);
    const pm2 = options.pm2 ? await underPm2(options.pm2, delayMs, options.kills) : undefined;
    const rows: [string, number[] | undefined][] = [
      ['app supervisor', app],
      ['PM2', pm2],
    ];
    for (const [subject, latencies] of rows) {
      if (!latencies) continue;
      section.rows.push({
        benchmark: `restart latency, delay ${formatMs(delayMs)}`,
        subject,
        median: formatMs(median(latencies)),
        detail: `${formatMs(median(latencies) - delayMs)} beyond the delay; runs ${latencies.map((each) => formatNumber(each)).join(', ')} ms`,
      });
    }
    if (pm2) section.notes.push(`Restart with ${formatMs(delayMs)} delay: the app takes ${formatMs(median(app) - median(pm2))} more than PM2 (median).`);
  }
  return section;
}

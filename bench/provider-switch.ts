import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createApp } from '../test/faults/support.ts';
import { HEADLESS_BUNDLE, ensureHeadlessBuilt } from '../test/support/headless.ts';
import { emptySection, waitUntil, type Section } from './lib/report.ts';
import { formatMs, formatNumber, median } from './lib/stats.ts';

const KEYS = { ANTHROPIC_API_KEY: 'sk-ant-api03-bench-provider-switch-0000000000', OPENAI_API_KEY: 'sk-proj-bench-provider-switch-000000000000' };
/** The runner as the headless host starts it: this Node running the bundled runner.js. */
const BUNDLED_RUNNER: [string, ...string[]] = [process.execPath, path.join(path.dirname(HEADLESS_BUNDLE), 'runner.js')];
/** The app's log lines that mark each phase of a restart for a configuration change, in order. */
const PHASES = [
  ['stopping', /^Runner stopping: configuration changed/],
  ['starting', /^Runner starting: configuration changed/],
  ['running', /^Runner running: started/],
  ['ready', /^Runner ready: (\w+) /],
] as const;
type Phase = (typeof PHASES)[number][0];
const PROVIDERS = ['openai', 'anthropic'] as const;

interface Mark {
  phase: Phase;
  at: number;
  provider?: string;
}

/** An app core with the bundled runner and both cloud keys, marking each restart phase as its log line arrives. */
async function withApp<T>(body: (app: ReturnType<typeof createApp>, marks: Mark[]) => Promise<T>): Promise<T> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-switch-'));
  const marks: Mark[] = [];
  const app = createApp({
    userDataDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: userDataDir, ...KEYS },
    builtInRunner: { argv: BUNDLED_RUNNER },
    onEntry: (entry) => {
      const at = performance.now();
      for (const [phase, pattern] of PHASES) {
        const match = pattern.exec(entry.msg);
        if (match) marks.push({ phase, at, ...(match[1] ? { provider: match[1] } : {}) });
      }
    },
  });
  try {
    await app.core.start();
    await waitUntil('the first runner to be ready', () => marks.some((mark) => mark.phase === 'ready'), 60_000, 2);
    return await body(app, marks);
  } finally {
    await app.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

/** Single switches, each after the last has settled: from `config:set-provider` to each phase's log line. */
async function singleSwitches(switches: number): Promise<Record<Phase, number>[]> {
  return withApp(async (app, marks) => {
    const runs: Record<Phase, number>[] = [];
    for (let index = 0; index < switches; index++) {
      const provider = PROVIDERS[index % 2]!;
      // Past the burst window, so that each switch is a leading edge as a user's single click is.
      await delay(700);
      const from = marks.length;
      const started = performance.now();
      await app.core.execute('config:set-provider', { provider });
      await waitUntil(
        `the ${provider} runner to be ready`,
        () => marks.slice(from).some((mark) => mark.phase === 'ready' && mark.provider === provider),
        60_000,
        2,
      );
      const since = marks.slice(from);
      runs.push(Object.fromEntries(PHASES.map(([phase]) => [phase, since.find((mark) => mark.phase === phase)!.at - started])) as Record<Phase, number>);
    }
    return runs;
  });
}

/** Five provider changes 200 ms apart (within 1 s), then until the runner is ready with the last: how many restarts. */
async function burst(): Promise<{ restarts: number; lastProvider: string | undefined; settledMs: number }> {
  return withApp(async (app, marks) => {
    await delay(700);
    const from = marks.length;
    const started = performance.now();
    const changes = [0, 1, 2, 3, 4].map((index) => PROVIDERS[index % 2]!);
    const applied: Promise<unknown>[] = [];
    for (const provider of changes) {
      applied.push(app.core.execute('config:set-provider', { provider }));
      await delay(200);
    }
    await Promise.all(applied);
    const last = changes.at(-1)!;
    await waitUntil('the last provider to be ready', () => marks.slice(from).findLast((mark) => mark.phase === 'ready')?.provider === last, 60_000, 2);
    const settledMs = performance.now() - started;
    // Anything still to come would show within another burst window and a restart.
    await delay(2_000);
    const since = marks.slice(from);
    return {
      restarts: since.filter((mark) => mark.phase === 'starting').length,
      lastProvider: since.findLast((mark) => mark.phase === 'ready')?.provider,
      settledMs,
    };
  });
}

/** The floor under any restart on this machine now: fork of Node with an IPC channel until an empty script says ready. */
async function nodeStartFloor(runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', "process.send('ready', () => process.disconnect())"], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise<void>((resolve) => child.once('message', () => resolve()));
    times.push(performance.now() - started);
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return times;
}

const list = (values: readonly number[]) => values.map((each) => formatNumber(each)).join(', ');

/**
 * Provider switch: from `config:set-provider` to the built-in runner (the bundle the headless
 * host runs) restarted with the new provider and reporting ready, through the app core as both
 * hosts drive it; the restart's phases from the app's own log lines; and a burst of changes.
 */
export async function providerSwitch(options: { switches: number }): Promise<Section> {
  const section = emptySection();
  await ensureHeadlessBuilt();
  const runs = await singleSwitches(options.switches);
  const phase = (name: Phase) => runs.map((run) => run[name]);
  const total = phase('ready');
  const restart = runs.map((run) => run.ready - run.stopping);
  const stop = runs.map((run) => run.starting - run.stopping);
  const spawn = runs.map((run) => run.running - run.starting);
  const ready = runs.map((run) => run.ready - run.running);
  const bursts = await burst();
  const floor = await nodeStartFloor(options.switches);
  section.rows.push(
    {
      benchmark: 'provider switch → new runner ready',
      subject: 'app core, bundled runner, as shipped (leading-edge restart)',
      median: formatMs(median(total)),
      detail: `runs ${list(total)} ms; before the restart (configuration resolved) ${formatMs(median(phase('stopping')))}`,
    },
    {
      benchmark: 'the restart alone (stop old, start new, ready)',
      subject: 'app supervisor, bundled runner',
      median: formatMs(median(restart)),
      detail: `stop ${formatMs(median(stop))}, spawn ${formatMs(median(spawn))}, runner start → ready ${formatMs(median(ready))}; runs ${list(restart)} ms`,
    },
    {
      benchmark: 'the restart alone (stop old, start new, ready)',
      subject: 'baseline: fork of Node until an empty script says ready',
      median: formatMs(median(floor)),
      detail: `the floor under any restart on this machine now; the restart is ${formatNumber(median(restart) / median(floor), 2)}× it; runs ${list(floor)} ms`,
    },
    {
      benchmark: 'burst: 5 provider changes 200 ms apart',
      subject: 'app core, bundled runner',
      median: `${bursts.restarts} restarts`,
      detail: `runner ready with the last provider (${bursts.lastProvider ?? 'none'}) ${formatMs(bursts.settledMs)} after the first change`,
    },
  );
  section.goals.push(
    { goal: 'provider switch → new runner ready < 300 ms', met: median(total) < 300, observed: formatMs(median(total)) },
    {
      goal: 'a burst of 5 changes within 1 s: at most 2 restarts, ending on the last',
      met: bursts.restarts <= 2 && bursts.lastProvider === 'openai',
      observed: `${bursts.restarts} restarts, last ${bursts.lastProvider ?? 'none'}`,
    },
    {
      goal: 'the restart alone (stop old, start new, ready) < 200 ms',
      met: median(restart) < 200,
      observed: `${formatMs(median(restart))} (stop ${formatMs(median(stop))}, spawn ${formatMs(median(spawn))}, ready ${formatMs(median(ready))})`,
    },
  );
  section.notes.push(
    'A provider switch restarts the runner at once; changes that follow within 500 ms of each other share one more restart with the latest configuration (src/main/runner/supervisor.ts), so a burst costs at most two. The restart is split by the app log lines: stop (SIGTERM until the process tree is gone), spawn (until the child exists and its pid file is written), ready (Node starting the runner bundle until its `ready` message).',
  );
  return section;
}

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { defaultSettings } from '../src/shared/settings.ts';
import { DOUBLE_ENV } from '../test/doubles/electron/options.ts';
import { startFakeOllama } from '../test/doubles/ollama/server.ts';
import { DOUBLE_MAIN, DesktopHost, ensureDesktopBuilt } from '../test/support/desktop-host.ts';
import { readPidFile } from '../test/support/e2e-host.ts';
import { REPO_ROOT } from '../test/support/headless.ts';
import { readMemory } from '../test/support/proc.ts';
import { emptySection, type Section } from './lib/report.ts';
import { epochMs, formatMb, formatMs, formatNumber, median } from './lib/stats.ts';

/** The goal of issue 25: start → tray (with its menu) and the window's first state, ms. */
const START_GOAL_MS = 1000;
const WAIT_MS = 90_000;
const EMPTY_APP = path.join(import.meta.dirname, 'fixtures/empty-electron-app');

/** The renderer's performance mark once the window first shows the app's state (src/renderer/app.tsx). */
const FIRST_STATE_MARK = 'stigmer:first-state';

/** The little of the page the function below uses, typed here since Node has no DOM types. */
type PageGlobals = { performance: Performance & { getEntriesByName(name: string): { startTime: number }[] } };

/**
 * Runs in the page (serialized, so it refers to nothing outside itself; a function, as the
 * window's CSP forbids evaluating strings): once the renderer marked its first state shown, when
 * that was, when the document started loading, and its first contentful paint, in epoch ms.
 */
const windowTimes = (mark: string): { stateAt: number; navigationAt: number; paintAt: number } | false => {
  const { performance } = globalThis as unknown as PageGlobals;
  const shown = performance.getEntriesByName(mark)[0];
  return (
    shown !== undefined && {
      stateAt: performance.timeOrigin + shown.startTime,
      navigationAt: performance.timeOrigin,
      paintAt: performance.timeOrigin + (performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN),
    }
  );
};

/** One launch: ms from spawn to each milestone, main's CPU time (ms) by some of them, the idle main process's and runner's RSS. */
interface Launch {
  ready: number;
  tray: number;
  navigation: number;
  paint: number;
  state: number;
  runnerReady: number;
  cpuByReady: number;
  cpuByTray: number;
  mainRss: number;
  runnerRss: number;
}

/**
 * A user's launch of the desktop app under the Electron double: a fresh user-data folder whose
 * setup is done (Ollama, llama3.2), Ollama's double answering, the built-in runner. Timed from
 * the spawn to `ready`, the tray's menu, the window's page, its first state, the runner ready;
 * then, `settleMs` later, the idle main process's RSS and the runner's.
 */
async function launch(ollamaUrl: string, settleMs: number): Promise<Launch> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-desktop-'));
  const chromiumDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-desktop-chromium-'));
  const settings = defaultSettings();
  settings.firstRunCompleted = true;
  settings.provider = 'ollama';
  settings.providers.ollama.model = 'llama3.2';
  fs.writeFileSync(path.join(userDataDir, 'settings.json'), JSON.stringify(settings));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: userDataDir, OLLAMA_HOST: ollamaUrl, [DOUBLE_ENV.tempDir]: chromiumDir };
  const spawnedAt = epochMs();
  const host = new DesktopHost(['--user-data-dir', userDataDir], env);
  try {
    const state = await host.waitForState('the tray to have its menu', (current) => current.trays[0]?.menuSetAt !== undefined && current, WAIT_MS);
    const runnerLine = await host.waitForLine('the runner to be ready', (line) => line.includes('] Runner ready: '), WAIT_MS);
    // The window's page is read from now on only: nothing but the double attached to its Chromium while the app started.
    const page = await host.page(WAIT_MS);
    const shown = await (await page.waitForFunction(windowTimes, FIRST_STATE_MARK, { polling: 50, timeout: WAIT_MS })).jsonValue();
    if (!shown) throw new Error('the window never marked its first state');
    await host.disconnect();
    await delay(settleMs);
    const runnerPid = readPidFile(userDataDir, 'runner.pid');
    const [ready, tray] = [state.readyAt!, state.trays[0]!.menuSetAt!];
    const launched: Launch = {
      ready: ready.at - spawnedAt,
      tray: tray.at - spawnedAt,
      navigation: shown.navigationAt - spawnedAt,
      paint: shown.paintAt - spawnedAt,
      state: shown.stateAt - spawnedAt,
      runnerReady: Date.parse(runnerLine.slice(0, runnerLine.indexOf(' '))) - spawnedAt,
      cpuByReady: ready.cpuMs,
      cpuByTray: tray.cpuMs,
      mainRss: readMemory(host.pid)?.rss ?? Number.NaN,
      runnerRss: runnerPid === undefined ? Number.NaN : (readMemory(runnerPid)?.rss ?? Number.NaN),
    };
    await host.quit(WAIT_MS);
    return launched;
  } finally {
    await host.killAll();
    fs.rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5 });
    fs.rmSync(chromiumDir, { recursive: true, force: true, maxRetries: 5 });
  }
}

interface Moment {
  at: number;
  cpuMs: number;
}

/** A baseline run: ms from the spawn to `ready` (and to the empty window's load), main's CPU by then (ms), RSS at the end. */
interface Baseline {
  ready: number;
  cpuByReady: number;
  loaded: number;
  cpuByLoaded: number;
  rss: number;
}

/**
 * The baselines: the double starting an empty app (`app.whenReady`, then quit) without a
 * Chromium, or with `window` one that opens a window on an empty page first (the double's
 * Chromium started at `ready`, as for the desktop app).
 */
async function emptyApp(window: boolean): Promise<Baseline> {
  const chromiumDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-desktop-chromium-'));
  const spawnedAt = epochMs();
  const child = spawn(process.execPath, [DOUBLE_MAIN, EMPTY_APP, ...(window ? ['--window'] : [])], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [DOUBLE_ENV.browser]: window ? '1' : '0', [DOUBLE_ENV.tempDir]: chromiumDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const code = await new Promise((resolve) => child.once('close', resolve));
  fs.rmSync(chromiumDir, { recursive: true, force: true, maxRetries: 5 });
  if (code !== 0) throw new Error(`the empty app exited with ${String(code)}: ${stdout}`);
  const report = JSON.parse(stdout) as { ready: Moment; loaded?: Moment; rss: number };
  return {
    ready: report.ready.at - spawnedAt,
    cpuByReady: report.ready.cpuMs,
    loaded: (report.loaded?.at ?? Number.NaN) - spawnedAt,
    cpuByLoaded: report.loaded?.cpuMs ?? Number.NaN,
    rss: report.rss,
  };
}

const runsOf = (values: readonly number[]) => `runs ${values.map((each) => formatNumber(each)).join(', ')} ms`;

/**
 * The desktop app as a user launches it, under the Electron double (test/doubles/electron): the
 * built main bundle in Node 24, its windows in a headless Chromium. Each run is paired with the
 * baseline, the double starting an empty app, so the figures read as ratios on a busy machine.
 */
export async function desktopStart(options: { runs: number; settleSeconds: number }): Promise<Section> {
  const section = emptySection();
  await ensureDesktopBuilt();
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  const runs: Launch[] = [];
  const bare: Baseline[] = [];
  const windowed: Baseline[] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      bare.push(await emptyApp(false));
      windowed.push(await emptyApp(true));
      runs.push(await launch(ollama.url, options.settleSeconds * 1000));
    }
  } finally {
    await ollama.close();
  }
  const of = (pick: (run: Launch) => number) => median(runs.map(pick));
  const [bareReady, windowLoaded] = [median(bare.map((each) => each.ready)), median(windowed.map((each) => each.loaded))];
  const [tray, state] = [of((run) => run.tray), of((run) => run.state)];
  // Headless Chromium does not always report a first contentful paint.
  const paints = runs.map((run) => run.paint).filter(Number.isFinite);
  // The app's own part: beyond what the double takes to start an empty app (and to show it an empty page).
  // Each launch against the baselines run just before it: a busy machine's swings cancel out more than between medians.
  const own = (pick: (run: Launch, index: number) => number) => median(runs.map(pick));
  const ownTray = own((run, index) => run.tray - bare[index]!.ready);
  const ownState = own((run, index) => run.state - windowed[index]!.loaded);
  // The same in the main process's CPU time, which a busy machine stretches far less than wall time.
  const ownTrayCpu = own((run, index) => run.cpuByTray - bare[index]!.cpuByReady);
  section.rows.push(
    {
      benchmark: 'desktop start → tray with its menu',
      subject: 'desktop app under the Electron double (setup done, Ollama double, built-in runner)',
      median: formatMs(tray),
      detail: `${formatNumber(tray / bareReady, 1)}× the empty app's ready (the app's own part ${formatMs(ownTray)}); ready at ${formatMs(of((run) => run.ready))}; main's CPU by ready ${formatMs(of((run) => run.cpuByReady))} (the empty app's ${formatMs(median(bare.map((each) => each.cpuByReady)))}), by the tray ${formatMs(of((run) => run.cpuByTray))}; ${runsOf(runs.map((run) => run.tray))}`,
    },
    {
      benchmark: 'desktop start → first window state',
      subject: 'the same launches',
      median: formatMs(state),
      detail: `${formatNumber(state / windowLoaded, 1)}× the empty window's load (the app's own part ${formatMs(ownState)}); the page starts loading at ${formatMs(of((run) => run.navigation))}, first paint ${formatMs(median(paints))} (${paints.length} of ${runs.length} pages reported one); ${runsOf(runs.map((run) => run.state))}`,
    },
    {
      benchmark: 'desktop start → runner ready',
      subject: 'the same launches',
      median: formatMs(of((run) => run.runnerReady)),
      detail: `${formatNumber(of((run) => run.runnerReady) / bareReady, 1)}× the empty app's ready; ${runsOf(runs.map((run) => run.runnerReady))}`,
    },
    {
      benchmark: 'desktop start (baseline)',
      subject: 'the double starting an empty app: app.whenReady, then quit (no Chromium)',
      median: formatMs(bareReady),
      detail: `to ready; CPU by then ${formatMs(median(bare.map((each) => each.cpuByReady)))}; ${runsOf(bare.map((each) => each.ready))}`,
    },
    {
      benchmark: 'desktop start (baseline)',
      subject: 'the double starting an empty app that opens a window on an empty page',
      median: formatMs(windowLoaded),
      detail: `to the page loaded (Chromium started at ready); CPU by then ${formatMs(median(windowed.map((each) => each.cpuByLoaded)))}; ${runsOf(windowed.map((each) => each.loaded))}`,
    },
    {
      benchmark: `desktop idle RSS (${options.settleSeconds} s after the runner is ready)`,
      subject: 'main process under the double, and the built-in runner',
      median: formatMb(of((run) => run.mainRss)),
      detail: `runner ${formatMb(of((run) => run.runnerRss))}; the double's empty app with a window ${formatMb(median(windowed.map((each) => each.rss)))}, without ${formatMb(median(bare.map((each) => each.rss)))} (Node, the double and its playwright client: not the app's)`,
    },
  );
  section.goals.push({
    goal: "desktop app under the Electron double: start → tray and first window state < 1 s (the app's own part, beyond the double's empty app)",
    met: ownTray < START_GOAL_MS && ownState < START_GOAL_MS,
    observed: `tray ${formatMs(ownTray)}, first state ${formatMs(ownState)} (the tray's in main's CPU: ${formatMs(ownTrayCpu)}; from the spawn: ${formatMs(tray)} and ${formatMs(state)}; the empty app's ready ${formatMs(bareReady)}, its window's load ${formatMs(windowLoaded)})`,
  });
  section.notes.push(
    "Desktop start: each launch is timed from its spawn, by the double's own clock for `ready` and the tray's first menu, by the page's for the window (document start, first contentful paint, the renderer's mark of its first state shown, read once the runner is ready so that nothing else attaches to the Chromium during the start), and by the app's log for the runner. The double runs Node, strips its TypeScript and loads playwright's client before the app's bundle, and starts the windows' Chromium at `ready`: that is the baselines' time, which Electron itself does not spend, so the goal is read on the app's own part (the launch minus the matching baseline).",
  );
  return section;
}

/**
 * The app under test, whichever way its window reaches main: the headless host's WebSocket (the
 * real host with `--ui`, its page in Debian's Chromium) or the desktop host's IPC (the built
 * Electron main bundle under the project's Electron double, its window a Chromium page wired to
 * main through the real preload and `ipc-bridge.ts`). A journey is written once against this
 * interface and registered for both transports with `journey()`.
 *
 * What a journey sees is the same on both: the window, the app's log (read from its log files,
 * which both hosts write the same way), the profile folder and the pid files. What differs is only
 * how the window is opened and reloaded and how the app is quit.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { appPaths } from '../../src/main/profile/paths.ts';
import { SCREENSHOTS, useBrowser, watchPage } from './chromium.ts';
import { startDesktopHost } from './desktop-host.ts';
import { HOST_WAIT_MS, Scope, startHost, waitFor, type HostExit } from './e2e-host.ts';
import { uiUrl, withRoute } from './ui-e2e.ts';

type Transport = 'websocket' | 'ipc';

export interface StartOptions {
  /** The user-data folder (see `setUpProfile`); the app is started on it with `--user-data-dir`. */
  userDataDir: string;
  /** The whole environment, from `hostEnv`. */
  env: NodeJS.ProcessEnv;
  /** More command-line flags, the same for both hosts (`--llm-model fast`, `--runner-command …`). */
  args?: readonly string[];
}

/** One line of the app's log, as its log files hold it. */
export interface LogLine {
  source: string;
  level: string;
  /** The message, with the app's structured fields after it as JSON. */
  msg: string;
}

export interface AppUnderTest {
  /** The app's window. */
  readonly page: Page;
  /** Console errors and uncaught exceptions in the window. */
  readonly problems: string[];
  readonly userDataDir: string;
  /** Loads the window afresh at a route (`#/settings`), as a reload there does. */
  open(route: string): Promise<void>;
  /** Every line the app has logged so far, oldest first within each source. */
  logLines(): LogLine[];
  /** Waits for a line from `source` whose message matches; the log so far is in the error otherwise. */
  waitForLog(what: string, source: 'app' | 'runner' | 'ollama', pattern: RegExp, timeoutMs?: number): Promise<LogLine>;
  /** Everything the host process wrote to stdout and stderr. */
  output(): string;
  /** What main sent the window, for leak checks: every WebSocket frame, or every IPC event. */
  received(): Promise<string[]>;
  /** Saves the window as `<name>-<transport>.png`, grown to the main area's whole content. */
  shot(name: string): Promise<void>;
  /**
   * Saves the window in light and dark, at 800×600 and at the desktop window's minimum size, and
   * checks that nothing makes it scroll sideways; the window is left as it was.
   */
  shots(name: string): Promise<void>;
  /** Runs `body`; a failure is told with what the window showed and what the app logged. */
  explained(body: () => Promise<void>): Promise<void>;
  /** Quits the app the way its user does (SIGTERM for the headless host, Quit for the desktop app) and waits for it to exit. */
  quit(): Promise<HostExit>;
}

export interface JourneyContext {
  /** Undoes the journey's set-up once it ends, the app first. */
  scope: Scope;
  /** Starts the app over the journey's transport. */
  start: (options: StartOptions) => Promise<AppUnderTest>;
}

/** `<source>.log` lines: `<ts> <LEVEL> <stream> <message>`. */
const FILE_LINE = /^(\S+) (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) (?:stdout|stderr|app   ) (.*)$/;

/** The app's log lines from its files, in the order they were logged. */
export function readLogLines(userDataDir: string): LogLine[] {
  const dir = appPaths(userDataDir).logsDir;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const lines: (LogLine & { ts: string })[] = [];
  for (const name of names.filter((file) => /\.log(\.\d+)?$/.test(file))) {
    const source = name.slice(0, name.indexOf('.log'));
    for (const text of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      const match = FILE_LINE.exec(text);
      if (match) lines.push({ ts: match[1]!, source, level: match[2]!.trim().toLowerCase(), msg: match[3]! });
    }
  }
  // ISO timestamps sort as text; the sort is stable, so lines of one file keep their order.
  return lines.sort((a, b) => a.ts.localeCompare(b.ts)).map(({ ts: _ts, ...line }) => line);
}

/** The parts of `AppUnderTest` that read the profile, the same for both transports. */
function profileView(userDataDir: string, output: () => string) {
  const logLines = () => readLogLines(userDataDir);
  const waitForLog = async (what: string, source: string, pattern: RegExp, timeoutMs = HOST_WAIT_MS) => {
    try {
      return await waitFor(what, () => logLines().find((line) => line.source === source && pattern.test(line.msg)), timeoutMs);
    } catch (error) {
      const tail = logLines()
        .slice(-60)
        .map((line) => `${line.level} [${line.source}] ${line.msg}`);
      throw new Error(`${(error as Error).message}\n--- the app's log, last 60 lines ---\n${tail.join('\n')}\n--- host output ---\n${output()}`, {
        cause: error,
      });
    }
  };
  return { userDataDir, logLines, waitForLog };
}

/** The window's size: a page attached over CDP has no size of playwright's own, so ask the page. */
const sizeOf = async (page: Page): Promise<{ width: number; height: number }> =>
  page.viewportSize() ?? (await page.evaluate<{ width: number; height: number }>('({ width: window.innerWidth, height: window.innerHeight })'));

async function shotOf(page: Page, file: string): Promise<void> {
  const viewport = await sizeOf(page);
  const contentHeight = Number(await page.evaluate('document.querySelector("main")?.scrollHeight ?? 0'));
  if (contentHeight > viewport.height) await page.setViewportSize({ width: viewport.width, height: contentHeight });
  await page.screenshot({ path: path.join(SCREENSHOTS, file) });
  await page.setViewportSize(viewport);
}

/** 800×600, and the Electron window's minimum (src/main/electron/main-window.ts). */
export const WINDOW_SIZES = [
  { width: 800, height: 600 },
  { width: 760, height: 520 },
] as const;

async function shotsOf(page: Page, name: string, transport: Transport): Promise<void> {
  const original = await sizeOf(page);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const size of WINDOW_SIZES) {
      await page.setViewportSize(size);
      await page.screenshot({ path: path.join(SCREENSHOTS, `journey-${name}-${colorScheme}-${size.width}x${size.height}-${transport}.png`) });
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.equal(overflow, 0, `no sideways scrolling at ${size.width} px (${colorScheme})`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(original);
}

async function explainedBy(app: Pick<AppUnderTest, 'page' | 'logLines' | 'output'>, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const shown = await app.page
      .locator('body')
      .innerText({ timeout: 2000 })
      .catch(() => '(unreadable)');
    const log = app
      .logLines()
      .slice(-80)
      .map((line) => `${line.level} [${line.source}] ${line.msg}`);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${message}\n--- the window (${app.page.url()}) ---\n${shown}\n--- the app's log, last 80 lines ---\n${log.join('\n')}\n--- host output ---\n${app.output().slice(-4000)}`,
      { cause: error },
    );
  }
}

/** The headless host with `--ui`, its page a tab of a fresh browser context. */
async function startWebsocket(scope: Scope, browser: Browser, { userDataDir, env, args = [] }: StartOptions): Promise<AppUnderTest> {
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir, ...args], env);
  const output = () => `${host.stdout}\n--- stderr ---\n${host.stderr}`;
  const url = await uiUrl(host);
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  scope.defer(() => context.close());
  const page = await context.newPage();
  const { frames, problems } = watchPage(page);
  await page.goto(url);
  const app: AppUnderTest = {
    page,
    problems,
    ...profileView(userDataDir, output),
    open: async (route) => {
      await page.goto(withRoute(url, route));
    },
    output,
    received: async () => frames,
    shot: (name) => shotOf(page, `journey-${name}-websocket.png`),
    shots: (name) => shotsOf(page, name, 'websocket'),
    explained: (body) => explainedBy(app, body),
    quit: () => host.stop('SIGTERM'),
  };
  return app;
}

/**
 * Page side, before the app's own scripts: records every event main delivers to the window. The
 * Electron double calls the renderer's listeners through its page-side registry of callbacks
 * (test/doubles/electron/renderer-page.ts), the one place in the page that every IPC event
 * passes; Electron's own contextBridge gives the page no such hook, hence the double's.
 */
function recordDeliveries(): void {
  const registry = (globalThis as unknown as { __electronDoubleCallbacks?: Map<number, (...args: unknown[]) => unknown> }).__electronDoubleCallbacks;
  if (!registry) return;
  const received: string[] = [];
  Object.defineProperty(globalThis, '__journeyReceived', { value: received });
  const get = registry.get.bind(registry);
  registry.get = (id: number) => {
    const callback = get(id);
    return (
      callback &&
      ((...args: unknown[]) => {
        received.push(JSON.stringify(args));
        return callback(...args);
      })
    );
  };
}

/** The desktop host: the built main bundle under the Electron double, its window attached over CDP. */
async function startIpc(scope: Scope, { userDataDir, env, args = [] }: StartOptions): Promise<AppUnderTest> {
  const host = await startDesktopHost(scope, ['--user-data-dir', userDataDir, ...args], env);
  // Checked last, once the journey is over: the app broke no rule of Electron's the double enforces.
  scope.defer(() => assert.deepEqual(host.violations(), [], 'no Electron rule broken'));
  const output = () => `${host.stdout}\n--- stderr ---\n${host.stderr}`;
  // Generous: on a busy machine the desktop host and its Chromium take a while to show the window.
  const page = await host.page(90_000);
  const { problems } = watchPage(page);
  // The recorder is in place from the next load on, which is now: a reload, as the user's Ctrl+R.
  await page.addInitScript(recordDeliveries);
  await page.reload();
  /** Earlier loads' deliveries, kept across reloads (a load starts its page's record afresh). */
  const delivered: string[] = [];
  const takeDelivered = async () => {
    const current = (await page.evaluate('globalThis.__journeyReceived ?? []').catch(() => [])) as string[];
    return [...delivered, ...current];
  };
  const load = async (reload: () => Promise<unknown>) => {
    delivered.splice(0, delivered.length, ...(await takeDelivered()));
    await reload();
  };
  const app: AppUnderTest = {
    page,
    problems,
    ...profileView(userDataDir, output),
    open: (route) =>
      load(async () => {
        await page.evaluate((hash) => void (window.location.hash = hash), route);
        await page.reload();
      }),
    output,
    received: takeDelivered,
    shot: (name) => shotOf(page, `journey-${name}-ipc.png`),
    shots: (name) => shotsOf(page, name, 'ipc'),
    explained: (body) => explainedBy(app, body),
    quit: () => host.quit(),
  };
  return app;
}

let browser: (() => Browser) | undefined;

/**
 * Registers a journey once per transport, named `<name> [websocket]` and `<name> [ipc]`, each
 * with its own clean-up scope and a `start` that starts the app over that transport.
 */
export function journey(name: string, body: (context: JourneyContext) => Promise<void>): void {
  // One Chromium per test file for the WebSocket's pages, launched by the first registration.
  const getBrowser = (browser ??= useBrowser());
  test(`${name} [websocket]`, async (t) => {
    const scope = new Scope(t);
    await body({ scope, start: (options) => startWebsocket(scope, getBrowser(), options) });
  });
  test(`${name} [ipc]`, async (t) => {
    const scope = new Scope(t);
    await body({ scope, start: (options) => startIpc(scope, options) });
  });
}

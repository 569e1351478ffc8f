/**
 * The desktop host under test: the BUILT main bundle (`out/main/index.js`, with
 * `out/preload/index.cjs` and the renderer) run by Node 24 under the Electron double
 * (test/doubles/electron), in a child process with its own profile. It offers the headless
 * harness's shape (`lines()`, `waitForLine`, `running`, `waitForExit`) plus the desktop's own:
 * the window's page (a playwright `Page` on the app), the tray menu, the app's desktop requests.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ControlRequest, DoubleState } from '../doubles/electron/control.ts';
import { DOUBLE_ENV, type KeyringBackend } from '../doubles/electron/options.ts';
import { VIOLATION_MARK } from '../doubles/electron/rules.ts';
import type { MenuSnapshot } from '../doubles/electron/tray.ts';
import { ensureRendererBuilt } from '../../src/main/headless/renderer-build.ts';
import { descendantsOf, type HostExit, type Scope } from './e2e-host.ts';
import { REPO_ROOT } from './headless.ts';
import { waitFor, waitForLine } from './processes.ts';

/** The desktop host starts Node, Chromium, Ollama's double and the runner: waits are longer than the headless host's. */
export const DESKTOP_WAIT_MS = 90_000;
/** Playwright's options for a desktop page wait. */
export const DESKTOP_DEADLINE = { timeout: DESKTOP_WAIT_MS };

export const DOUBLE_MAIN = path.join(REPO_ROOT, 'test/doubles/electron/main.ts');
const OUT = path.join(REPO_ROOT, 'out');
const DESKTOP_SOURCES = ['src/main', 'src/preload', 'src/shared', 'src/lib', 'src/builtin-runner'].map((dir) => path.join(REPO_ROOT, dir));
const BUILT = ['main/index.js', 'main/runner.js', 'preload/index.cjs'];

const newestMtime = (dir: string): number =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((newest, entry) => Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs), 0);

/**
 * `out/main` and `out/preload` as `npx electron-vite build` makes them, rebuilt when a source is
 * newer. The build goes to a fresh folder whose main and preload are then renamed into place, so
 * `out/renderer` stays the one ensureRendererBuilt keeps (other test files may be serving it).
 */
export async function ensureDesktopBuilt(): Promise<void> {
  await ensureRendererBuilt();
  const builtAt = Math.min(...BUILT.map((file) => (fs.existsSync(path.join(OUT, file)) ? fs.statSync(path.join(OUT, file)).mtimeMs : 0)));
  if (!DESKTOP_SOURCES.some((dir) => newestMtime(dir) > builtAt)) return;
  fs.mkdirSync(OUT, { recursive: true });
  const fresh = fs.mkdtempSync(path.join(OUT, '.desktop-build-'));
  try {
    await promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', fresh, '--logLevel', 'warn'],
      {
        cwd: REPO_ROOT,
      },
    );
    for (const part of ['main', 'preload']) {
      const target = path.join(OUT, part);
      const retired = `${fresh}-${part}.old`;
      if (fs.existsSync(target)) fs.renameSync(target, retired);
      fs.renameSync(path.join(fresh, part), target);
      fs.rmSync(retired, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}

export interface DesktopHostOptions {
  /** The pretend machine's keyring (default `gnome_libsecret`); `none`: no encryption at all. */
  keyring?: KeyringBackend;
  /** Where that keyring keeps its key: the same folder across restarts keeps keys readable. */
  keyringDir?: string;
  /** Runs as the packaged app, with this folder as `process.resourcesPath`. */
  packagedResources?: string;
}

/** What the app asked of the desktop: URLs opened, folders revealed, error boxes. */
export type DesktopRequest =
  { kind: 'open-external'; url: string } | { kind: 'open-path'; path: string } | { kind: 'error-box'; title: string; content: string };

export class DesktopHost {
  readonly child: ChildProcess & { stdout: Readable; stderr: Readable };
  readonly pid: number;
  readonly exited: Promise<HostExit>;
  readonly requests: DesktopRequest[] = [];
  #stdout = '';
  #stderr = '';
  #exit: HostExit | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #browser: Promise<Browser> | undefined;

  readonly userDataDir: string;

  /** `args` must hold `--user-data-dir <dir>`: every desktop host under test gets its own profile. */
  constructor(args: readonly string[], env: NodeJS.ProcessEnv, options: DesktopHostOptions = {}) {
    const dirAt = args.indexOf('--user-data-dir');
    if (dirAt < 0 || !args[dirAt + 1]) throw new Error('A desktop host under test needs --user-data-dir <dir>');
    this.userDataDir = args[dirAt + 1]!;
    const doubleEnv = {
      [DOUBLE_ENV.keyring]: options.keyring ?? 'gnome_libsecret',
      ...(options.keyringDir ? { [DOUBLE_ENV.keyringDir]: options.keyringDir } : {}),
      ...(options.packagedResources ? { [DOUBLE_ENV.packagedResources]: options.packagedResources } : {}),
    };
    this.child = spawn(process.execPath, [DOUBLE_MAIN, REPO_ROOT, ...args], {
      env: { ...env, ...doubleEnv },
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }) as ChildProcess & { stdout: Readable; stderr: Readable };
    this.pid = this.child.pid!;
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.#stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    this.child.on('message', (message: { id?: number; ok?: boolean; result?: unknown; error?: string; event?: DesktopRequest }) => {
      if (message.event) return void this.requests.push(message.event);
      const pending = this.#pending.get(message.id!);
      this.#pending.delete(message.id!);
      if (message.ok) pending?.resolve(message.result);
      else pending?.reject(new Error(message.error));
    });
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        for (const pending of this.#pending.values()) pending.reject(new Error('the desktop host exited'));
        resolve((this.#exit = { code, signal }));
      });
    });
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /**
   * The app's log as the headless host echoes it on stdout (`ts LEVEL [source] message`), so one
   * journey can wait for the same lines over either host: the desktop app writes its log to files
   * only (`<user-data-dir>/logs/<source>.log`), which this reads and merges by time. A runner's
   * JSON line stays as the runner wrote it.
   */
  lines(): string[] {
    const logsDir = path.join(this.userDataDir, 'logs');
    const files = fs.existsSync(logsDir) ? fs.readdirSync(logsDir).filter((name) => name.endsWith('.log')) : [];
    const entries = files.flatMap((name) => {
      const source = name.slice(0, -'.log'.length);
      return fs
        .readFileSync(path.join(logsDir, name), 'utf8')
        .split('\n')
        .slice(0, -1)
        .map((line) => {
          // A file line is `ts LEVEL stream message`, LEVEL five characters wide and stream six.
          const ts = line.slice(0, line.indexOf(' '));
          const rest = line.slice(ts.length + 1);
          return { ts, text: `${ts} ${rest.slice(0, 5)} [${source}] ${rest.slice(13)}` };
        });
    });
    return entries.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)).map((entry) => entry.text);
  }

  /** What the app printed on stdout itself (nothing, normally: see `lines`). */
  stdoutLines(): string[] {
    return this.#stdout.split('\n').slice(0, -1);
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Electron rules the app broke (the double marks them on stderr even when the app catches the error); every journey asserts none. */
  violations(): string[] {
    return this.#stderr.split('\n').filter((line) => line.startsWith(VIOLATION_MARK));
  }

  #request<T>(op: ControlRequest['op'], labels?: string[]): Promise<T> {
    if (!this.running) return Promise.reject(new Error(`the desktop host has exited (${JSON.stringify(this.#exit)})\n${this.#stderr}`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, op, ...(labels ? { labels } : {}) } satisfies ControlRequest);
    });
  }

  state(): Promise<DoubleState> {
    return this.#request('state');
  }

  /** The tray's menu as the user would see it now; waits for the tray to exist. */
  async trayMenu(): Promise<MenuSnapshot[]> {
    return (await this.waitForState('the tray', (state) => state.trays[0])).menu;
  }

  /** Clicks a tray item by its labels, submenu first: `clickTray('Model', 'llama3.2')`. */
  clickTray(...labels: string[]): Promise<void> {
    return this.#request('tray-click', labels);
  }

  /** Makes main throw an error nothing catches (as a bug in an event listener would). */
  throwUncaught(): Promise<void> {
    return this.#request('throw-uncaught');
  }

  /** The window's close button. */
  closeWindow(): Promise<void> {
    return this.#request('window-close');
  }

  async waitForState<T>(what: string, pick: (state: DoubleState) => T | undefined | null | false, timeoutMs = DESKTOP_WAIT_MS): Promise<T> {
    return this.#explained(() => waitFor(what, async () => pick(await this.state()), timeoutMs));
  }

  /**
   * The address the window's page really has (the `app://` URL's stand-in, see the double's
   * README): what a journey written for the headless host passes to `withRoute` and `page.goto`.
   */
  async uiUrl(): Promise<string> {
    return (await this.waitForState('the window', (state) => state.windows.find((window) => window.url))).pageUrl;
  }

  /** The window's page, attached over CDP to the app's own Chromium (the page the app loaded). */
  async page(timeoutMs = DESKTOP_WAIT_MS): Promise<Page> {
    const state = await this.waitForState(
      'the window to load',
      (current) => (current.cdpEndpoint && current.windows.some((window) => window.url) ? current : undefined),
      timeoutMs,
    );
    this.#browser ??= chromium.connectOverCDP(state.cdpEndpoint!);
    const browser = await this.#browser;
    const pageUrl = state.windows.find((window) => window.url)!.pageUrl;
    return this.#explained(() =>
      waitFor(
        `the window's page at ${pageUrl}`,
        () =>
          browser
            .contexts()
            .flatMap((context) => context.pages())
            .find((page) => page.url().startsWith(pageUrl.replace(/#.*$/, ''))),
        timeoutMs,
      ),
    );
  }

  async waitForLine(what: string, matches: (line: string) => boolean, timeoutMs = DESKTOP_WAIT_MS): Promise<string> {
    return this.#explained(() => waitForLine(what, { lines: () => this.lines(), exit: () => this.#exit }, matches, timeoutMs));
  }

  /** The tray item whose label starts with `prefix`, as the menu shows it now. */
  async trayItem(prefix: string, menu?: MenuSnapshot[]): Promise<MenuSnapshot | undefined> {
    return (menu ?? (await this.trayMenu())).find((item) => item.label.startsWith(prefix));
  }

  /** Waits until the tray's menu satisfies `check` (it follows the app's state events). */
  waitForTray<T>(what: string, check: (menu: MenuSnapshot[]) => T | undefined | null | false, timeoutMs = DESKTOP_WAIT_MS): Promise<T> {
    let last: MenuSnapshot[] = [];
    const described = () => `${what}; the tray showed: ${last.map((item) => item.label).join(' | ')}`;
    return this.#explained(() =>
      waitFor(
        described,
        async () => {
          last = (await this.state()).trays[0]?.menu ?? [];
          return check(last);
        },
        timeoutMs,
      ),
    );
  }

  /** Quit from the tray, as a user would; resolves with the exit. */
  async quit(timeoutMs = DESKTOP_WAIT_MS): Promise<HostExit> {
    await this.clickTray('Quit Stigmer Desktop');
    return this.waitForExit(timeoutMs);
  }

  async waitForExit(timeoutMs = DESKTOP_WAIT_MS): Promise<HostExit> {
    await this.#explained(() => waitFor('the desktop host to exit', () => !this.running, timeoutMs));
    await this.disconnect();
    return this.exited;
  }

  /** This process and every live one it started (Chromium, the runner, Ollama's double). */
  pids(): number[] {
    return this.running ? [this.pid, ...descendantsOf(this.pid)] : descendantsOf(this.pid);
  }

  /** After a test or a bench run: a host still running is SIGKILLed with every process it started. */
  async killAll(): Promise<void> {
    await this.disconnect();
    if (!this.running) return;
    for (const pid of this.pids().reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await this.exited;
  }

  async disconnect(): Promise<void> {
    const browser = this.#browser;
    this.#browser = undefined;
    if (browser) await (await browser).close().catch(() => {});
  }

  async #explained<T>(body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- the app's log (last 60 lines) ---\n${this.lines().slice(-60).join('\n')}\n--- stdout ---\n${this.#stdout}\n--- stderr ---\n${this.#stderr}`,
        {
          cause: error,
        },
      );
    }
  }
}

/**
 * Builds if needed and starts the desktop host; when the test ends, a host still running is
 * SIGKILLed together with every process it started (its Chromium included).
 */
export async function startDesktopHost(scope: Scope, args: readonly string[], env: NodeJS.ProcessEnv, options: DesktopHostOptions = {}): Promise<DesktopHost> {
  await ensureDesktopBuilt();
  const host = new DesktopHost(args, { ...env, [DOUBLE_ENV.tempDir]: scope.tempDir('stigmer-chromium-') }, options);
  scope.defer(() => host.killAll());
  return host;
}

/** electron-builder.yml's extraResources: the tray icons and the app icon under `resources/icons`. */
export function packagedResources(scope: Scope): string {
  const resources = scope.tempDir('stigmer-resources-');
  fs.mkdirSync(path.join(resources, 'icons'));
  for (const name of fs.readdirSync(path.join(REPO_ROOT, 'resources')).filter((file) => /^tray.*\.png$/.test(file) || file === 'icon.png')) {
    fs.copyFileSync(path.join(REPO_ROOT, 'resources', name), path.join(resources, 'icons', name));
  }
  return resources;
}

/**
 * The packaged app's executable as the double plays it: a script that starts the double packaged
 * with `resources`, so what the app launches of itself (the `stigmer` command) reaches the double.
 * Give it to the host as `DOUBLE_ENV.exe`.
 */
export function packagedExecutable(scope: Scope, resources: string): string {
  const file = path.join(scope.tempDir('stigmer-exe-'), 'stigmer-desktop');
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const variables = `${DOUBLE_ENV.packagedResources}=${quote(resources)} ${DOUBLE_ENV.browser}=0`;
  fs.writeFileSync(file, `#!/bin/sh\nexec env ${variables} ${quote(process.execPath)} ${quote(DOUBLE_MAIN)} ${quote(REPO_ROOT)} "$@"\n`, { mode: 0o755 });
  return file;
}

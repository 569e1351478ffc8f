/**
 * End-to-end helpers: the real headless host as a child process, a clean-up scope that undoes
 * things in reverse order (processes before the folders they write to), and process checks
 * read from /proc, where a zombie waiting for a late reaper counts as gone.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { defaultSettings, type Settings } from '../../src/shared/settings.ts';
import { FAKE_OLLAMA_BIN_DIR, FAKE_OLLAMA_CONFIG_ENV, type FakeOllamaConfig } from '../doubles/ollama/server.ts';
import { HEADLESS_ENTRY, REPO_ROOT, cleanEnv } from './headless.ts';
import { isGone, waitFor, waitForLine } from './processes.ts';
import { readStat } from './proc.ts';

export { isGone, waitFor };
export { commandLineOf } from './proc.ts';

/** End-to-end waits start whole processes (Node, Ollama's double, Chromium): more generous than `waitFor`'s default. */
export const HOST_WAIT_MS = 30_000;

/** Text to match literally inside a RegExp. */

/** Every live descendant of a process, by parent links. */
export function descendantsOf(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && !isGone(stat.pid)) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat.pid]);
  }
  const found: number[] = [];
  const pending = [rootPid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    const next = children.get(pid) ?? [];
    found.push(...next);
    pending.push(...next);
  }
  return found;
}

function sigkill(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
}

type Cleanup = () => void | Promise<void>;

/** Undoes what a test set up, newest first, once it ends. */
/** A user-data folder whose settings are past the first run, changed by `patch`; removed with the scope. */
export function setUpProfile(scope: Scope, patch: (settings: Settings) => void = () => {}): string {
  const dir = scope.tempDir();
  const settings = defaultSettings();
  settings.firstRunCompleted = true;
  patch(settings);
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings));
  return dir;
}

export class Scope {
  readonly #cleanups: Cleanup[] = [];

  constructor(t: { after(fn: () => Promise<void>): void }) {
    t.after(async () => {
      for (const cleanup of this.#cleanups.reverse()) await cleanup();
    });
  }

  defer(cleanup: Cleanup): void {
    this.#cleanups.push(cleanup);
  }

  /** A fresh folder, removed after everything started later is gone. */
  tempDir(prefix = 'stigmer-e2e-'): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.defer(() => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));
    return dir;
  }

  /** SIGKILLs a process and its group at the end, whatever happened. */
  killAtEnd(pid: number): void {
    this.defer(() => sigkill(pid));
  }
}

export interface HostEnvOptions {
  /** `OLLAMA_HOST` for the host, e.g. `127.0.0.1:PORT`. */
  ollamaHost: string;
  /** How the fake `ollama serve` behaves (installed models, registry, pull pace). */
  fakeOllama?: FakeOllamaConfig;
  /** More variables, e.g. provider keys. */
  extra?: Record<string, string>;
}

/**
 * The host's environment: nothing of the developer's own, the fake `ollama` first on PATH (and
 * this Node after it, for the fake's `#!/usr/bin/env node`), and a private HOME.
 */
export function hostEnv(scope: Scope, { ollamaHost, fakeOllama = {}, extra = {} }: HostEnvOptions): NodeJS.ProcessEnv {
  const dir = scope.tempDir('stigmer-e2e-env-');
  const configFile = path.join(dir, 'fake-ollama.json');
  fs.writeFileSync(configFile, JSON.stringify(fakeOllama));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  return cleanEnv({
    PATH: [FAKE_OLLAMA_BIN_DIR, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    HOME: home,
    OLLAMA_HOST: ollamaHost,
    [FAKE_OLLAMA_CONFIG_ENV]: configFile,
    ...extra,
  });
}

export interface HostExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface HostOptions {
  ownProcessGroup?: boolean;
  entry?: string;
  /** A command found on the environment's PATH that runs the host itself (the installed `stigmer`), instead of this Node with `entry`. */
  command?: string;
}

/** The headless host running as `npm run -s headless -- …` runs it, with its output collected. */
export class HeadlessHost {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly pid: number;
  readonly exited: Promise<HostExit>;
  #stdout = '';
  #stderr = '';
  #exit: HostExit | undefined;

  /**
   * `ownProcessGroup`: the host leads a process group, as a command started from a terminal does.
   * `entry`: the host's source (the default) or its bundle (`HEADLESS_BUNDLE`), which `npm run headless` runs.
   */
  constructor(args: readonly string[], env: NodeJS.ProcessEnv, { ownProcessGroup = false, entry = HEADLESS_ENTRY, command }: HostOptions = {}) {
    const [file, argv] = command ? [command, args] : [process.execPath, [entry, ...args]];
    this.child = spawn(file, argv, { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: ownProcessGroup });
    this.pid = this.child.pid!;
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.#stdout += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    this.exited = new Promise((resolve) => {
      // 'close': the exit code, and every byte the host wrote.
      this.child.once('close', (code, signal) => resolve((this.#exit = { code, signal })));
    });
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Complete stdout lines so far. */
  lines(): string[] {
    return this.#stdout.split('\n').slice(0, -1);
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Waits for a stdout line; the host's output so far is in the error if it never comes. */
  async waitForLine(what: string, matches: (line: string) => boolean, timeoutMs = HOST_WAIT_MS): Promise<string> {
    try {
      return await waitForLine(what, { lines: () => this.lines(), exit: () => this.#exit }, matches, timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- host stdout ---\n${this.#stdout}\n--- host stderr ---\n${this.#stderr}`, { cause: error });
    }
  }

  /** Sends a signal and waits for the host to exit by itself. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = HOST_WAIT_MS): Promise<HostExit> {
    this.child.kill(signal);
    return this.waitForExit(timeoutMs);
  }

  /** Ctrl-C in a terminal: SIGINT to the whole foreground process group (start it with `ownProcessGroup`). */
  async interruptGroup(timeoutMs = HOST_WAIT_MS): Promise<HostExit> {
    process.kill(-this.pid, 'SIGINT');
    return this.waitForExit(timeoutMs);
  }

  async waitForExit(timeoutMs = HOST_WAIT_MS): Promise<HostExit> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the host did not exit within ${timeoutMs} ms\n--- host stdout ---\n${this.#stdout}\n--- host stderr ---\n${this.#stderr}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Starts the host; when the test ends, a host still running is SIGKILLed together with every
 * process it started, so a failed test leaves nothing behind.
 */
export function startHost(scope: Scope, args: readonly string[], env: NodeJS.ProcessEnv, options: HostOptions = {}): HeadlessHost {
  const host = new HeadlessHost(args, env, options);
  scope.defer(async () => {
    if (!host.running) return;
    for (const pid of descendantsOf(host.pid)) sigkill(pid);
    host.child.kill('SIGKILL');
    await host.exited;
  });
  return host;
}

/** Reads a pid file the host keeps in `<user-data-dir>/run`. */
export function readPidFile(userDataDir: string, name: 'runner.pid' | 'ollama.pid'): number | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(userDataDir, 'run', name), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** Every regular file under a folder, recursively. */
export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

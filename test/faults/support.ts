/** Helpers for the fault suite (and the benchmarks that drive the app core in-process). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { AppCore, type AppCoreOptions } from '../../src/main/app/app-core.ts';
import { parseCommandLine } from '../../src/main/config/cli-options.ts';
import { entriesOf } from '../../src/main/logs/line-ring.ts';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { SessionSecretStore } from '../../src/main/secrets/session-secret-store.ts';
import { SettingsStore } from '../../src/main/settings/settings-store.ts';
import type { LogEntry } from '../../src/shared/logs.ts';
import { HEADLESS_ENTRY, REPO_ROOT } from '../support/headless.ts';

export { isGone, killAfter, waitFor } from '../support/processes.ts';

export interface InProcessApp {
  core: AppCore;
  logs: LogPipeline;
  /** Every log entry so far, app messages included. */
  entries: LogEntry[];
  /** Shuts the core down and closes the log files. */
  close(): Promise<void>;
}

export interface InProcessAppOptions extends Partial<
  Pick<AppCoreOptions, 'runnerOptions' | 'ollamaOptions' | 'runnerAutoStart' | 'keyRecheckMs' | 'runnerReadyWaitMs' | 'builtInRunner'>
> {
  userDataDir: string;
  /** Command-line flags, as the headless host would get them. */
  argv?: readonly string[];
  env: NodeJS.ProcessEnv;
  onEntry?: (entry: LogEntry) => void;
}

/** The app core wired as the headless host wires it, minus stdout: for faults the host adds nothing to. */
export function createApp(options: InProcessAppOptions): InProcessApp {
  const parsed = parseCommandLine(options.argv ?? []);
  if (!parsed.ok) throw new Error(parsed.error);
  const entries: LogEntry[] = [];
  const logs = new LogPipeline({
    logsDir: path.join(options.userDataDir, 'logs'),
    onRecord: (record) => {
      for (const entry of entriesOf(record)) {
        entries.push(entry);
        options.onEntry?.(entry);
      }
    },
  });
  const core = new AppCore({
    host: 'headless',
    commandLine: parsed.commandLine,
    env: options.env,
    userDataDir: options.userDataDir,
    settings: SettingsStore.open({ userDataDir: options.userDataDir }),
    secrets: new SessionSecretStore('keys for this session only'),
    logs,
    runnerAutoStart: options.runnerAutoStart ?? 'always',
    ...(options.runnerOptions ? { runnerOptions: options.runnerOptions } : {}),
    ...(options.builtInRunner ? { builtInRunner: options.builtInRunner } : {}),
    ...(options.ollamaOptions ? { ollamaOptions: options.ollamaOptions } : {}),
    ...(options.keyRecheckMs ? { keyRecheckMs: options.keyRecheckMs } : {}),
    ...(options.runnerReadyWaitMs ? { runnerReadyWaitMs: options.runnerReadyWaitMs } : {}),
  });
  return {
    core,
    logs,
    entries,
    close: async () => {
      await core.shutdown();
      await logs.close();
    },
  };
}

export interface HeadlessHost {
  child: ChildProcess;
  /** Everything printed on stdout so far. */
  stdout(): string;
  /** Resolves with the exit code (or signal) once it exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `npm run headless -- ARGS` on this Node; it is SIGKILLed when the test ends if still running. */
export function startHeadless(t: { after(fn: () => void | Promise<void>): void }, args: readonly string[], env: NodeJS.ProcessEnv): HeadlessHost {
  const child = spawn(process.execPath, [HEADLESS_ENTRY, ...args], { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  // Drained so that a chatty host never blocks on a full pipe; the tests read stdout only.
  child.stderr.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, stdout: () => stdout, exited };
}

const TEST_DIR = path.resolve(import.meta.dirname, '..');

/**
 * `--runner-command` running a fixture script (a path under `test/`, e.g. `runner/fixtures/sleeper.ts`)
 * on this Node. Paths here hold no spaces, which the command syntax would need escaped.
 */
export const fixtureRunner = (script: string, ...args: string[]): string => [process.execPath, path.join(TEST_DIR, script), ...args].join(' ');

/** An environment with only what a test states: PATH, HOME and `extra`. */
export const faultEnv = (home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  ...extra,
});

/** A cloud key, so that the provider is Anthropic and no Ollama is looked for. */
export const CLOUD_KEY = { ANTHROPIC_API_KEY: 'sk-ant-api03-fault-suite-key-000000000000000' };

import { AppCore, QUIT_DEADLINE_MS } from '../app/app-core.ts';
import type { CommandLine } from '../config/cli-options.ts';
import { serveControlSocket, type ControlSocket } from '../control-socket/server.ts';
import { LogPipeline } from '../logs/pipeline.ts';
import { appPaths } from '../profile/paths.ts';
import type { HeadlessSecrets } from '../secrets/headless-secrets.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import { createIdleAnnouncer, startNotices } from './idle-notice.ts';
import { ensureRendererBuilt } from './renderer-build.ts';
import { createStdoutEcho } from './stdout-echo.ts';
import type { UiServer } from './ui-server.ts';

export interface RunOptions {
  commandLine: CommandLine;
  env: NodeJS.ProcessEnv;
  userDataDir: string;
  settings: SettingsStore;
  secrets: SecretStore;
  /** The key file offered in the window, and what became of a key file from before. */
  keyStorage?: Pick<HeadlessSecrets, 'acceptWeakStorage' | 'messages'>;
}

/** The signals that stop the host: Ctrl-C, `kill`/service managers, and a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `signal` resolves with the first stop signal. Until then a timer holds the event loop open: a
 * pending promise holds nothing, and when no child process or socket does either (the runner
 * crash-looped or waits for a valid configuration, no Ollama was launched), Node would end the
 * host with code 13 ("unsettled top-level await"). `release()` lets go of it without a signal,
 * for a host that cannot start. A repeated signal during shutdown is ignored (the shutdown
 * deadline still bounds it), so a second Ctrl-C cannot kill the host before it has stopped the runner.
 */
function waitForStopSignal(): { signal: Promise<NodeJS.Signals>; release(): void } {
  const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
  const release = () => clearInterval(keepAlive);
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    for (const name of STOP_SIGNALS) {
      process.on(name, () => {
        release();
        resolve(name);
      });
    }
  });
  return { signal, release };
}

/**
 * `npm run headless`: runs Ollama management and the runner (and with `--ui` the browser UI)
 * until SIGINT, SIGTERM or SIGHUP, whatever state they are in, then stops what it started and
 * exits 0. It exits 1 only when it cannot start at all. Logs go to stdout as text or JSON lines,
 * and to the rotating files.
 */
export async function runApp(options: RunOptions): Promise<number> {
  const { commandLine } = options;
  const echo = createStdoutEcho(commandLine.logFormat);
  const logs = new LogPipeline({ logsDir: appPaths(options.userDataDir).logsDir, onRecord: (record) => echo.onRecord(record) });
  // With the window, the user sees the state there; without it, this line is all they get.
  const idle = createIdleAnnouncer((notice) => logs.log('app', 'warn', notice));
  const core = new AppCore({
    host: 'headless',
    commandLine,
    env: options.env,
    userDataDir: options.userDataDir,
    settings: options.settings,
    secrets: options.secrets,
    logs,
    runnerAutoStart: commandLine.ui ? 'after-setup' : 'always',
    ...(options.keyStorage?.acceptWeakStorage ? { acceptWeakStorage: options.keyStorage.acceptWeakStorage } : {}),
    ...(commandLine.ui ? {} : { onState: idle.update }),
  });

  for (const message of options.keyStorage?.messages ?? []) logs.log('app', 'warn', message);
  const stopRequested = waitForStopSignal();

  let ui: UiServer | undefined;
  let control: ControlSocket | undefined;
  try {
    await core.prepare();
    control = await serveControlSocket(options.userDataDir, {
      handleCommand: core.execute,
      subscribe: (listener) => core.subscribe(listener),
      log: (level, message) => logs.log('app', level, message),
    });
    await core.start();
    if (commandLine.ui) ui = await startUi(core, logs, commandLine.uiPort);
  } catch (error) {
    // Whatever was already started (runner, Ollama) must not outlive a host that cannot go on.
    logs.log('app', 'error', `Cannot start: ${error instanceof Error ? error.message : String(error)}`);
    await control?.close();
    await core.shutdown();
    await logs.close();
    echo.flush();
    stopRequested.release();
    return 1;
  }
  if (!commandLine.ui) idle.begin(core.getState());
  for (const notice of startNotices(core.getState(), { ui: commandLine.ui })) logs.log('app', notice.level, notice.msg);
  if (ui) {
    // The URL carries the access token: it goes to the terminal only, never to the log files.
    echo.flush();
    const line =
      commandLine.logFormat === 'json'
        ? JSON.stringify({ ts: new Date().toISOString(), source: 'app', level: 'info', msg: 'UI ready', url: ui.url })
        : `UI ready: open ${ui.url}`;
    process.stdout.write(`${line}\n`);
  }

  const signal = await stopRequested.signal;
  idle.end();
  logs.log('app', 'info', `${signal} received`);
  // The deadline is absolute (issue 20 item 10): the core gives up on a stop that hangs, and
  // should anything still hold the event loop once all is flushed (a descendant that escaped
  // holding a pipe, a log file that does not take writes), this timer ends the host anyway.
  // Unreferenced, it never keeps alive a host that has nothing left to do.
  let result: number | undefined;
  setTimeout(() => {
    if (result === undefined) {
      logs.log('app', 'error', `Quitting took longer than ${QUIT_DEADLINE_MS / 1000} s; exiting anyway`);
      echo.flush();
    }
    process.exit(result ?? 1);
  }, QUIT_DEADLINE_MS).unref();
  await ui?.close();
  await control?.close();
  const outcome = await core.shutdown();
  await logs.close();
  echo.flush();
  result = outcome.kind === 'done' ? 0 : 1;
  return result;
}

async function startUi(core: AppCore, logs: LogPipeline, port: number | undefined): Promise<UiServer> {
  // Loaded only for --ui: the server and its WebSocket library (which loads node:https and TLS)
  // would otherwise stay resident in every host (idle memory: docs/BENCHMARKS.md).
  const { startUiServer } = await import('./ui-server.ts');
  const rendererDir = await ensureRendererBuilt();
  return startUiServer({
    ...(port !== undefined ? { port } : {}),
    rendererDir,
    handleCommand: core.execute,
    subscribe: (listener) => core.subscribe(listener),
    onContractViolation: (message) => logs.log('app', 'error', message),
  });
}

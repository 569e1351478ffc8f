import { AppCore } from '../app/app-core.ts';
import type { CommandLine } from '../config/cli-options.ts';
import { LogPipeline } from '../logs/pipeline.ts';
import { appPaths } from '../paths.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import { ensureRendererBuilt } from './renderer-build.ts';
import { createStdoutEcho } from './stdout-echo.ts';
import { startUiServer, type UiServer } from './ui-server.ts';

export interface RunOptions {
  commandLine: CommandLine;
  env: NodeJS.ProcessEnv;
  userDataDir: string;
  settings: SettingsStore;
  secrets: SecretStore;
}

/** How long shutdown may take before the host gives up waiting and exits anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/**
 * `npm run headless`: runs Ollama management and the runner (and with `--ui` the browser UI)
 * until SIGINT or SIGTERM, then stops what it started and exits 0. Logs go to stdout as text or
 * JSON lines, and to the rotating files.
 */
export async function runApp(options: RunOptions): Promise<number> {
  const { commandLine } = options;
  const echo = createStdoutEcho(commandLine.logFormat);
  const logs = new LogPipeline({ logsDir: appPaths(options.userDataDir).logsDir, onRecord: (record) => echo.onRecord(record) });
  const core = new AppCore({
    host: 'headless',
    commandLine,
    env: options.env,
    userDataDir: options.userDataDir,
    settings: options.settings,
    secrets: options.secrets,
    logs,
    runnerAutoStart: commandLine.ui ? 'after-setup' : 'always',
  });

  // A repeated signal during shutdown is ignored (the deadline below still bounds it), so a second
  // Ctrl-C cannot kill the host before it has stopped the runner. A closed terminal (SIGHUP) stops too.
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => resolve(signal));
  });

  let ui: UiServer | undefined;
  try {
    await core.start();
    if (commandLine.ui) ui = await startUi(core, logs, commandLine.uiPort);
  } catch (error) {
    // Whatever was already started (runner, Ollama) must not outlive a host that cannot go on.
    logs.log('app', 'error', `Cannot start: ${error instanceof Error ? error.message : String(error)}`);
    await core.shutdown();
    await logs.close();
    echo.flush();
    return 1;
  }
  if (ui) {
    // The URL carries the access token: it goes to the terminal only, never to the log files.
    echo.flush();
    const line =
      commandLine.logFormat === 'json'
        ? JSON.stringify({ ts: new Date().toISOString(), source: 'app', level: 'info', msg: 'UI ready', url: ui.url })
        : `UI ready: open ${ui.url}`;
    process.stdout.write(`${line}\n`);
  }

  const signal = await stopRequested;
  logs.log('app', 'info', `${signal} received`);
  const deadline = setTimeout(() => {
    logs.log('app', 'error', `Shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting anyway`);
    echo.flush();
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  await ui?.close();
  await core.shutdown();
  await logs.close();
  echo.flush();
  clearTimeout(deadline);
  return 0;
}

async function startUi(core: AppCore, logs: LogPipeline, port: number | undefined): Promise<UiServer> {
  const rendererDir = await ensureRendererBuilt();
  return startUiServer({
    ...(port !== undefined ? { port } : {}),
    rendererDir,
    handleCommand: core.execute,
    subscribe: (listener) => core.subscribe(listener),
    onContractViolation: (message) => logs.log('app', 'error', message),
  });
}

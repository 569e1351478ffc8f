/**
 * The Electron host: a thin shell around the app core. It owns the tray, the window, the
 * keychain and the login item; everything else is the core, shared with the headless host.
 */
import path from 'node:path';
import { app, dialog, shell, type BrowserWindow } from 'electron';
import Store from 'electron-store';
import { AppCore, QUIT_DEADLINE_MS } from '../app/app-core.ts';
import { serveControlSocket, type ControlSocket } from '../control-socket/server.ts';
import { DEFAULT_COMMAND_LINE, parseCommandLine } from '../config/cli-options.ts';
import { LAUNCHED_AT_LOGIN_FLAG } from '../login-item/plan.ts';
import { LogPipeline } from '../logs/pipeline.ts';
import { appPaths } from '../profile/paths.ts';
import { acquireProfileLock, describeHeldLock, type ProfileLock } from '../profile/profile-lock.ts';
import { SettingsStore } from '../settings/settings-store.ts';
import { runTrayAction } from '../tray/tray-actions.ts';
import { resolveFeed } from '../updates/update-policy.ts';
import type { TrayAction } from '../tray/tray-menu.ts';
import { OLLAMA_DOWNLOAD_URL } from '../../shared/problems.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { RENDERER_ORIGIN, RENDERER_URL, registerAppScheme, serveRenderer } from './app-protocol.ts';
import { installIpcBridge } from './ipc-bridge.ts';
import { electronUpdaterPort } from './auto-updater.ts';
import { applyStartAtLogin } from './login-item.ts';
import { createMainWindow } from './main-window.ts';
import { canAcceptWeakStorage, openSecretStore } from './safe-storage-secret-store.ts';
import { cliModeArguments, runCliMode } from './cli-mode.ts';
import { installStigmerCommand } from './command-install.ts';
import { AppTray } from './tray.ts';
import { utilityProcessLauncher } from './utility-process-launcher.ts';

const outDir = import.meta.dirname;
// Flags come after the app path in development (`electron . --llm-provider …`) and right after
// the executable when packaged; Chromium's own switches are ignored.
const appArguments = process.argv.slice(app.isPackaged ? 1 : 2);
const cliArguments = cliModeArguments(appArguments);
const parsed = parseCommandLine(cliArguments ? [] : appArguments, { strict: false });
if (parsed.ok && parsed.commandLine.userDataDir) app.setPath('userData', path.resolve(parsed.commandLine.userDataDir));

if (!cliArguments) registerAppScheme();

if (cliArguments) {
  // The installed `stigmer` command: no window, no lock, only the command and its exit code.
  void runCliMode(cliArguments);
} else if (!app.requestSingleInstanceLock()) {
  // Electron's own lock lets a second desktop app focus the first one's window; the profile lock
  // also keeps out a headless host on the same user-data folder (and this app out of its folder).
  app.quit();
} else {
  const profileLock = acquireProfileLock(app.getPath('userData'), 'desktop app');
  if (profileLock.kind === 'held') {
    const message = describeHeldLock(app.getPath('userData'), profileLock.holder);
    // Before `ready`, Linux prints the error box to stderr instead of showing it; elsewhere it is a
    // dialog, and a terminal gets the message too. Nothing is touched before exiting.
    if (process.platform !== 'linux') process.stderr.write(`${message}\n`);
    dialog.showErrorBox('Stigmer Desktop is already running', message);
    app.exit(1);
  } else {
    void start(profileLock);
  }
}

async function start(profileLock: ProfileLock): Promise<void> {
  await app.whenReady();
  const userDataDir = app.getPath('userData');
  const logs = new LogPipeline({ logsDir: appPaths(userDataDir).logsDir });
  process.on('uncaughtException', (error) => logs.log('app', 'error', `Unexpected error: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => logs.log('app', 'error', `Unhandled rejection: ${String(reason)}`));
  if (!parsed.ok) logs.log('app', 'error', `Command line: ${parsed.error}`);
  if (profileLock.kind === 'unavailable')
    logs.log('app', 'warn', `Cannot lock ${userDataDir} (${profileLock.reason}), so another app on this folder would not be noticed`);

  const settings = SettingsStore.open({
    userDataDir,
    // electron-store names its file through `name`; everything else is conf's own options.
    createEngine: ({ configName, ...options }) => new Store<Record<string, unknown>>({ ...options, name: configName }),
  });
  // Only an installed app updates itself (electron-updater reads the build's app-update.yml).
  const feed = resolveFeed(process.env, settings.get().updates?.feedUrl);
  const updater = app.isPackaged
    ? await electronUpdaterPort({ feed, onEvent: (event) => core.updates?.handle(event), log: (message) => logs.log('app', 'debug', `Updater: ${message}`) })
    : undefined;
  const core = new AppCore({
    host: 'electron',
    commandLine: parsed.ok ? parsed.commandLine : DEFAULT_COMMAND_LINE,
    env: process.env,
    userDataDir,
    settings,
    secrets: await openSecretStore(settings),
    logs,
    runnerAutoStart: 'after-setup',
    ...((await canAcceptWeakStorage()) ? { acceptWeakStorage: () => openSecretStore(settings) } : {}),
    revealFolder: async (folder) => (await shell.openPath(folder)) === '',
    installCommand: installStigmerCommand,
    applyStartAtLogin,
    ...(updater ? { updater: { port: updater, feed } } : {}),
    builtInRunner: { argv: [process.execPath, path.join(outDir, 'runner.js')], launcher: utilityProcessLauncher },
  });

  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const rendererUrl = devServerUrl ?? RENDERER_URL;
  if (!devServerUrl) serveRenderer(path.join(outDir, '../renderer'));

  let window: BrowserWindow | undefined;
  const showWindow = () => {
    if (!window || window.isDestroyed()) {
      window = createMainWindow({ preloadPath: path.join(outDir, '../preload/index.cjs'), url: rendererUrl, iconPath: path.join(iconsDir(), 'icon.png') });
      window.on('close', (event) => {
        // Closing the window keeps the app in the tray; only Quit ends it.
        if (!quitting) {
          event.preventDefault();
          window?.hide();
          app.dock?.hide();
        }
      });
    }
    // macOS only; a Dock icon that fails to show leaves the window itself shown.
    app.dock?.show().catch(() => undefined);
    window.show();
    window.focus();
  };
  installIpcBridge({
    getWindow: () => window,
    allowedOrigin: devServerUrl ? new URL(devServerUrl).origin : RENDERER_ORIGIN,
    handleCommand: core.execute,
    subscribe: (listener) => core.subscribe(listener),
    onContractViolation: (message) => logs.log('app', 'error', message),
  });

  const onTrayAction = (action: TrayAction) =>
    void runTrayAction(action, {
      handleCommand: core.execute,
      startAtLogin: () => core.getState().startAtLogin,
      open: (route) => {
        showWindow();
        core.navigate(route);
      },
      openOllamaDownload: () => void shell.openExternal(OLLAMA_DOWNLOAD_URL),
      quit: () => app.quit(),
      log: (message) => logs.log('app', 'error', message),
    });
  const tray = new AppTray({ iconsDir: iconsDir(), onAction: onTrayAction });
  // The state event carries the state the core projected for this push: the tray reads it rather than projecting it again.
  core.subscribe((event, payload) => {
    if (event === 'state') tray.update(payload as AppState);
  });

  let quitting = false;
  let control: ControlSocket | undefined;
  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('window-all-closed', () => {}); // Stay in the tray.
  app.on('before-quit', (event) => {
    if (quitting) return;
    // Quit means quit: the runner and any Ollama this app started are stopped first.
    event.preventDefault();
    quitting = true;
    // The deadline is absolute, as in the headless host: the core gives up on a stop that hangs,
    // and this timer ends the app should closing the logs (a file that takes no writes) hang too.
    const finish = (code: number) => {
      tray.destroy();
      if (profileLock.kind === 'acquired') profileLock.release();
      app.exit(code);
    };
    const lastResort = setTimeout(() => {
      logs.log('app', 'error', `Quitting took longer than ${QUIT_DEADLINE_MS / 1000} s; exiting anyway`);
      finish(1);
    }, QUIT_DEADLINE_MS);
    void Promise.resolve(control?.close())
      .then(() => core.shutdown())
      .then(async (outcome) => {
        await logs.close();
        return outcome.kind === 'done' ? 0 : 1;
      })
      .catch(() => 1)
      .then((code) => {
        clearTimeout(lastResort);
        finish(code);
      });
  });

  await core.prepare();
  // What the user sees first: the tray and the window, before the control socket.
  tray.update(core.getState());
  const launchedAtLogin = process.argv.includes(LAUNCHED_AT_LOGIN_FLAG) || app.getLoginItemSettings().wasOpenedAtLogin;
  if (!launchedAtLogin) showWindow();
  // `stigmer status`, `use`, `logs`… reach this app through its user-data folder's control socket.
  control = await serveControlSocket(userDataDir, {
    handleCommand: core.execute,
    subscribe: (listener) => core.subscribe(listener),
    log: (level, message) => logs.log('app', level, message),
  });
  // Ollama may take a while to come up; the tray and the window follow along through state events.
  await core.start();
}

/** Tray and window icons: shipped as extra resources when packaged, from `resources/` in development. */
function iconsDir(): string {
  return app.isPackaged ? path.join(process.resourcesPath, 'icons') : path.join(app.getAppPath(), 'resources');
}

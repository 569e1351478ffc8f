import path from 'node:path';
import type { Route } from '../../shared/ipc.ts';
import type { AppState, HostKind } from '../../shared/state-schema.ts';
import type { LogEntry } from '../../shared/logs.ts';
import type { CommandLine } from '../config/cli-options.ts';
import { toPublicConfig } from '../config/public-config.ts';
import type { LogPipeline } from '../logs/pipeline.ts';
import type { OllamaManagerOptions } from '../ollama/manager.ts';
import { appPaths } from '../profile/paths.ts';
import type { Launcher } from '../process/launcher.ts';
import type { RunnerSupervisorOptions } from '../runner/supervisor.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import { AppUpdates, type UpdaterPort } from '../updates/app-updates.ts';
import type { UpdateState } from '../../shared/updates.ts';
import { AppEvents, type AppEventListener } from './app-events.ts';
import { CommandError } from './command-error.ts';
import { createCommandTable, type CommandServices, type CommandTable } from './commands.ts';
import { Configuration } from './configuration.ts';
import { Keys } from './keys.ts';
import { ModelsFolderControl } from './models-folder-control.ts';
import { OllamaControl } from './ollama-control.ts';
import { OllamaInstallControl } from './ollama-install-control.ts';
import { OllamaInstaller } from '../ollama/install/installer.ts';
import { releasesBaseUrl } from '../ollama/install/release.ts';
import { OllamaModels } from './ollama-models.ts';
import { HardwareWatch } from '../hardware/hardware-watch.ts';
import { RunnerControl } from './runner-control.ts';
import { projectState } from './state-projection.ts';

export type { AppEventListener } from './app-events.ts';

/** How long quitting may take, signal to exit, in either host, whatever holds what. */
export const QUIT_DEADLINE_MS = 15_000;
/** The part of it `shutdown` may take: the rest is the host's, to flush its logs and exit. */
export const SHUTDOWN_DEADLINE_MS = 12_000;

/** How a shutdown ended: `late` lists what had not stopped when the deadline came. */
export type ShutdownOutcome = { kind: 'done' } | { kind: 'late'; pending: string[] };

export interface AppCoreOptions {
  host: HostKind;
  commandLine: CommandLine;
  env: NodeJS.ProcessEnv;
  userDataDir: string;
  settings: SettingsStore;
  secrets: SecretStore;
  logs: LogPipeline;
  /**
   * `always`: start the runner as soon as the configuration is valid (headless without a UI).
   * `after-setup`: on a first run, wait until the wizard completes.
   */
  runnerAutoStart: 'always' | 'after-setup';
  /** Linux without a keyring: switches to weaker persistent storage once the user accepts it. */
  acceptWeakStorage?: () => Promise<SecretStore>;
  /** Registers or removes the OS login item; absent without a desktop. */
  applyStartAtLogin?: (enabled: boolean) => Promise<void>;
  /** Opens a folder in the desktop's file manager; absent without a desktop. */
  revealFolder?: (folder: string) => Promise<boolean>;
  /** Installs the `stigmer` command that starts this app's command mode; absent without a desktop. */
  installCommand?: CommandServices['installCommand'];
  /** How the host starts the built-in runner (Electron: a `utilityProcess`). */
  builtInRunner?: { argv: [string, ...string[]]; launcher?: Launcher };
  runnerOptions?: Pick<RunnerSupervisorOptions, 'killGraceMs' | 'policy' | 'configDebounceMs'>;
  /** Called with every state push, window or not; unlike a subscriber, it costs no event validation (e.g. of log floods). */
  onState?: (state: AppState) => void;
  ollamaOptions?: Pick<OllamaManagerOptions, 'healthIntervalMs' | 'probeTimeoutMs' | 'readyTimeoutMs' | 'stopGraceMs' | 'restartDelays'>;
  /** How often a key saved while its provider was unreachable is checked again (default one minute). */
  keyRecheckMs?: number;
  /** How long a custom runner given the control channel may take to say `ready` before the state says it has not (default 15 s). */
  runnerReadyWaitMs?: number;
  /** The host's updater (desktop, packaged) and the feed it reads; absent where the app cannot update itself. */
  updater?: { port: UpdaterPort; feed: UpdateState['feed'] };
}

/** `STIGMER_DOWNLOAD_STALL_SECONDS`: how long a pull may bring no bytes before it counts as stalled (default 60). */
function stallMsFrom(env: NodeJS.ProcessEnv): number | undefined {
  const seconds = Number(env.STIGMER_DOWNLOAD_STALL_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * The app, host-independent: the facade the Electron host and the headless host use. It wires
 * the services (configuration, keys, Ollama, models, runner, events), answers the IPC
 * contract's commands through one table and pushes the state they project.
 */
export class AppCore {
  readonly #options: AppCoreOptions;
  readonly #paths: ReturnType<typeof appPaths>;
  readonly #events: AppEvents;
  readonly #configuration: Configuration;
  readonly #keys: Keys;
  readonly #ollama: OllamaControl;
  readonly #ollamaInstall: OllamaInstallControl;
  readonly #models: OllamaModels;
  readonly #runner: RunnerControl;
  readonly #commands: CommandTable;
  /** The app's own updates; the host forwards its updater's events to `handle`. */
  readonly updates: AppUpdates | undefined;
  #unsubscribers: (() => void)[] = [];
  #shutdown: Promise<ShutdownOutcome> | undefined;
  #prepared: Promise<void> | undefined;

  constructor(options: AppCoreOptions) {
    this.#options = options;
    this.#paths = appPaths(options.userDataDir);
    const { commandLine, env, settings, logs } = options;
    const log = (level: LogEntry['level'], msg: string) => this.#log(level, msg);
    const changed = () => this.#events.scheduleState();
    this.#events = new AppEvents({ onState: options.onState });
    this.#configuration = new Configuration({
      commandLine,
      env,
      settings,
      secrets: options.secrets,
      redactor: logs.redactor,
      builtInRunner: options.builtInRunner?.argv,
      log,
    });
    const configuration = this.#configuration;
    this.#keys = new Keys({
      configuration,
      settings,
      acceptWeakStorage: options.acceptWeakStorage,
      recheckMs: options.keyRecheckMs ?? 60_000,
      onChange: changed,
      log,
    });
    const installer = new OllamaInstaller({
      dataDir: path.join(options.userDataDir, 'ollama'),
      releasesUrl: () => releasesBaseUrl(env, settings.get().ollama.releasesUrl),
    });
    this.#ollama = new OllamaControl({
      configuration,
      settings,
      binaryPath: commandLine.ollamaPath,
      env,
      runDir: this.#paths.runDir,
      managedBinary: () => installer.current()?.path,
      logs,
      ollamaOptions: options.ollamaOptions,
      onChange: changed,
      log,
    });
    this.#ollamaInstall = new OllamaInstallControl({
      installer,
      ollama: this.#ollama,
      onProgress: (progress) => this.#events.emit('ollama-install-progress', progress),
      onChange: changed,
      log,
    });
    this.#models = new OllamaModels({
      ollama: () => this.#ollama.manager,
      config: () => configuration.current,
      saveSettings: (change) => configuration.save(change),
      reconfigure: (reason) => configuration.reconfigure(reason),
      log,
      onProgress: (progress) => this.#events.emit('pull-progress', progress),
      onChange: changed,
      // Read in the background: nothing waits for it but the Models screen's catalog.
      hardware: new HardwareWatch({ env }),
      settings: () => settings.get(),
      queueFile: path.join(options.userDataDir, 'downloads.json'),
      modelsDir: () => settings.get().ollama.modelsDir,
      env,
      stallMs: stallMsFrom(env),
    });
    this.#runner = new RunnerControl({
      configuration,
      env,
      runDir: this.#paths.runDir,
      logs,
      builtInLauncher: options.builtInRunner?.launcher,
      runnerOptions: options.runnerOptions,
      readyWaitMs: options.runnerReadyWaitMs,
      awaitedDownload: () => this.#models.awaitedDownload(),
      onKeyChecked: (provider, masked, failedCode) => this.#keys.recordRunnerCheck(provider, masked, failedCode),
      onPlayground: (event) => this.#events.emit('playground', event),
      onChange: changed,
      log,
    });
    const modelsFolder = new ModelsFolderControl({
      configuration,
      settings,
      ollama: this.#ollama,
      env,
      onProgress: (progress) => this.#events.emit('models-move-progress', progress),
      log,
    });
    this.updates = options.updater
      ? new AppUpdates({
          ...options.updater,
          enabled: settings.get().updates?.enabled !== false,
          shutdown: () => this.shutdown(),
          onChange: changed,
          log,
        })
      : undefined;
    // The second phase of wiring: every service exists, so each can be told of the others by name.
    const ollama = this.#ollama;
    const runner = this.#runner;
    configuration.follow({
      installedOllamaModels: () => ollama.installedModels(),
      fitFacts: (installed) => this.#models.fitFacts(installed),
      resolved: (config) => ollama.configure(config),
      changed: async (before, _after, reason) => {
        await ollama.follow(before);
        await runner.apply(reason);
        changed();
      },
      settled: () => runner.settled(),
    });
    this.#unsubscribers.push(ollama.onServerChanged(() => runner.tasks.recheckIncident()));
    this.#commands = createCommandTable({
      configuration,
      keys: this.#keys,
      ollama: this.#ollama,
      ollamaInstall: this.#ollamaInstall,
      models: this.#models,
      modelsFolder,
      runner: this.#runner,
      logs,
      logsDir: this.#paths.logsDir,
      getState: () => this.getState(),
      changed,
      applyStartAtLogin: options.applyStartAtLogin,
      revealFolder: options.revealFolder,
      installCommand: options.installCommand,
      updates: this.updates,
    });
  }

  /** Resolves the configuration, connects to or launches Ollama when it is the provider, and starts the runner. */
  async start(): Promise<void> {
    await this.prepare();
    await this.#ollama.startForProvider();
    await this.#configuration.resolve();
    // Ollama's models are known now: the model the runner gets may not be the one told at first.
    this.#configuration.describe();
    const firstRun = !this.#options.settings.get().firstRunCompleted;
    this.#runner.want(this.#options.runnerAutoStart === 'always' || !firstRun);
    await this.#runner.apply('app started');
    this.#events.scheduleState();
    // A key saved offline last time is checked now that the app runs again (in the background).
    void this.#keys.recheck();
    this.#ollamaInstall.startDailyCheck();
    this.updates?.start();
  }

  /**
   * The quick part of `start`: resolves the configuration so that `getState` answers. The desktop
   * host shows its tray and window after this, while Ollama and the runner are still starting.
   */
  prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      const { logs, settings } = this.#options;
      for (const warning of settings.warnings) this.#log('warn', warning);
      const { notice } = this.#configuration.secrets;
      if (notice) this.#log('info', notice);
      this.#unsubscribers.push(logs.subscribe((batch) => this.#events.emit('logs', batch)));
      await this.#configuration.resolve();
      this.#ollama.create();
      this.#configuration.describe();
      // Every service exists and the configuration is resolved: the state can be projected and pushed.
      this.#events.open(() => this.getState());
    })();
    return this.#prepared;
  }

  /**
   * Stops the runner and any Ollama this app launched; what was not started here is left alone.
   * Resolves within `deadlineMs` whatever happens (a stop that hangs is logged and given up on),
   * so that a host can always quit; a second call gets the first one's outcome.
   */
  shutdown({ deadlineMs = SHUTDOWN_DEADLINE_MS }: { deadlineMs?: number } = {}): Promise<ShutdownOutcome> {
    this.#shutdown ??= this.#shutdownWithin(deadlineMs);
    return this.#shutdown;
  }

  async #shutdownWithin(deadlineMs: number): Promise<ShutdownOutcome> {
    this.#keys.stop();
    this.#ollamaInstall.shutdown();
    this.updates?.stop();
    this.#log('info', 'Shutting down: stopping the runner and any Ollama this app started');
    const stops: [string, Promise<void>][] = [
      ['the runner', this.#runner.shutdown()],
      ['Ollama', this.#ollama.shutdown()],
    ];
    const pending = new Set(stops.map(([name]) => name));
    const all = Promise.all(stops.map(([name, stop]) => stop.catch(() => undefined).finally(() => pending.delete(name))));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deadlineMs)));
    const finished = await Promise.race([all, late]);
    clearTimeout(timer);
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    if (finished !== 'late') return { kind: 'done' };
    const what = [...pending];
    this.#log('error', `Shutdown gave up after ${deadlineMs / 1000} s waiting for ${what.join(' and ')} to stop; the app quits anyway`);
    return { kind: 'late', pending: what };
  }

  /** Asks the window to show a screen (the tray's "Show logs", "Setup…"). */
  navigate(route: Route): void {
    this.#events.emit('navigate', { route });
  }

  subscribe(listener: AppEventListener): () => void {
    return this.#events.subscribe(listener);
  }

  getState(): AppState {
    const config = toPublicConfig(this.#configuration.current);
    const settings = this.#options.settings.get();
    return projectState({
      host: this.#options.host,
      config,
      settings,
      secrets: this.#configuration.secrets,
      weakStorageAvailable: this.#options.acceptWeakStorage !== undefined,
      keyChecks: this.#keys.verifications(config),
      ollama: this.#ollama.manager.getState(),
      ollamaInstall: this.#ollamaInstall.status(),
      runner: this.#runner.status(),
      runnerCommand: this.#runner.commandView(settings.runner.command, settings.runner.controlChannel === true),
      runnerEnv: this.#runner.env,
      incident: this.#runner.tasks.incident,
      silentChannel: this.#runner.tasks.silentChannel,
      downloads: this.#models.downloads.list(),
      logsDir: this.#paths.logsDir,
      update: this.updates?.state ?? null,
    });
  }

  /**
   * Runs one command whose payload the transport already validated (`dispatchCommand`). A
   * failure the user can act on is rejected as an error with a `fix`.
   */
  readonly execute = (command: string, payload: unknown): Promise<unknown> => {
    const handler = this.#commands[command as keyof CommandTable] as ((payload: unknown) => unknown) | undefined;
    if (!handler) return Promise.reject(new CommandError(`Unknown command ${JSON.stringify(command)}.`));
    // A handler that throws before its first await rejects too, like one that fails later.
    return new Promise((resolve) => resolve(handler(payload)));
  };

  #log(level: LogEntry['level'], msg: string): void {
    this.#options.logs.log('app', level, msg);
  }
}

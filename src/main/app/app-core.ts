import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { isPinnedSource, sourceName } from '../../shared/config.ts';
import {
  parseEvent,
  type AppState,
  type CommandName,
  type ParsedCommand,
  type CommandResponse,
  type EventName,
  type HostKind,
  type Route,
  type ModelList,
  type UserError,
} from '../../shared/ipc.ts';
import type { LogEntry, LogSource } from '../../shared/logs.ts';
import type { OllamaState } from '../../shared/ollama.ts';
import { API_KEY_ENV, CLOUD_PROVIDERS, PROVIDER_INFO, SUGGESTED_MODELS, isCloudProvider, type CloudProvider, type Provider } from '../../shared/providers.ts';
import { maskSecret } from '../../shared/secret-mask.ts';
import { SUGGESTED_OLLAMA_MODELS, formatGigabytes } from '../../shared/model-catalog.ts';
import { RunnerToAppSchema } from '../../shared/runner-protocol.ts';
import { normaliseBaseUrl } from '../config/base-url.ts';
import type { CommandLine } from '../config/cli-options.ts';
import { resolveCurrentConfig } from '../config/current-config.ts';
import { isOllamaModelInstalled } from '../config/model-names.ts';
import { toPublicConfig } from '../config/public-config.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { readLogRange } from '../logs/file-range.ts';
import type { LogPipeline } from '../logs/pipeline.ts';
import { OllamaManager, type OllamaManagerOptions } from '../ollama/manager.ts';
import { appPaths } from '../paths.ts';
import { checkKey, listProviderModels } from '../providers/provider-api.ts';
import { formatRunnerCommand, resolveRunnerCommand, type RunnerCommand } from '../runner/command.ts';
import { TypedEmitter } from '../lib/typed-emitter.ts';
import type { Launcher } from '../process/launcher.ts';
import { OperationQueue } from '../process/operation-queue.ts';
import { pidFilePath } from '../process/pid-file.ts';
import { buildRunnerEnv, describeRunnerEnv, withoutCredentials } from '../runner/runner-env.ts';
import { RunnerSupervisor, type RunnerSupervisorOptions } from '../runner/supervisor.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { SettingsError, type SettingsStore } from '../settings/settings-store.ts';
import { deriveNeedsSetup, deriveProblems, leadingError } from './app-state.ts';
import { KeyVerifier } from './key-verification.ts';
import { CommandError, describe } from './command-error.ts';
import { OllamaModels } from './ollama-models.ts';

export type AppEventListener = (event: EventName, payload: unknown) => void;

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
  /** How the host starts the built-in runner (Electron: a `utilityProcess`). */
  builtInRunner?: { argv: [string, ...string[]]; launcher?: Launcher };
  runnerOptions?: Pick<RunnerSupervisorOptions, 'killGraceMs' | 'policy' | 'configDebounceMs'>;
  /** Called with every state push, window or not; unlike a subscriber, it costs no event validation (e.g. of log floods). */
  onState?: (state: AppState) => void;
  ollamaOptions?: Pick<OllamaManagerOptions, 'healthIntervalMs' | 'probeTimeoutMs' | 'readyTimeoutMs' | 'stopGraceMs' | 'restartDelays'>;
  /** How often a key saved while its provider was unreachable is checked again (default one minute). */
  keyRecheckMs?: number;
}

type Payload<C extends CommandName> = Extract<ParsedCommand, { command: C }>['payload'];

const ACK = { ok: true } as const;

/**
 * The app, host-independent: owns the configuration, the Ollama manager, the runner supervisor
 * and the log pipeline, answers the IPC contract's commands and pushes its events. The Electron
 * host and the headless host are thin transports around it.
 */
export class AppCore {
  readonly #options: AppCoreOptions;
  readonly #paths: ReturnType<typeof appPaths>;
  readonly #events = new TypedEmitter<{ event: Parameters<AppEventListener> }>();
  #secrets: SecretStore;
  readonly #keyChecks: KeyVerifier;
  #config!: ResolvedConfig;
  #ollama!: OllamaManager;
  #ollamaFingerprint = '';
  /** Ends the current Ollama manager's subscription. */
  #releaseOllama: (() => void) | undefined;
  /** The Ollama phase last logged (the manager starts out stopped), so each change is told once. */
  #ollamaPhaseLogged = 'stopped|null';
  #runner: RunnerSupervisor | undefined;
  #runnerCommand: ReturnType<typeof resolveRunnerCommand> | undefined;
  /** The command and environment the runner was last given, so a change that leaves them as they were restarts nothing. */
  #runnerInputs = '';
  /** What the current runner was given, as the window shows it. */
  #runnerEnv: AppState['runnerEnv'] = null;
  /** Ends the current supervisor's subscriptions. */
  #releaseRunner: (() => void) | undefined;
  /** The runner should be running: set by auto-start and `runner:start`, cleared by `runner:stop`. */
  #runnerWanted = false;
  #incident: UserError | null = null;
  #statePending = false;
  readonly #reconfigurations = new OperationQueue();
  #unsubscribers: (() => void)[] = [];
  #stopped = false;
  #prepared: Promise<void> | undefined;
  readonly #models = new OllamaModels({
    ollama: () => this.#ollama,
    config: () => this.#config,
    saveSettings: (change) => this.#saveSettings(change),
    reconfigure: (reason) => this.#reconfigure(reason),
    log: (level, msg) => this.#log(level, msg),
    onProgress: (progress) => this.#emit('pull-progress', progress),
    onChange: () => this.#scheduleState(),
  });
  /** A runner command saved with "restart later": applied at the runner's next restart. */
  #pendingRunnerCommand: string | null = null;

  constructor(options: AppCoreOptions) {
    this.#options = options;
    this.#secrets = options.secrets;
    this.#paths = appPaths(options.userDataDir);
    this.#keyChecks = new KeyVerifier({
      settings: options.settings,
      check: async (provider) => {
        const key = this.#config?.keys[provider];
        return key ? checkKey({ provider, key: key.value, baseUrl: this.#baseUrlFor(provider) }) : null;
      },
      recheckMs: options.keyRecheckMs ?? 60_000,
      onChange: () => this.#scheduleState(),
      log: (level, message) => this.#log(level, message),
    });
  }

  /** Resolves the configuration, connects to or launches Ollama when it is the provider, and starts the runner. */
  async start(): Promise<void> {
    await this.prepare();
    const { settings } = this.#options;
    if (this.#config.provider.value === 'ollama') await this.#ollama.start();
    // With a cloud provider an Ollama that already answers is shown as it is, never launched.
    else void this.#ollama.watch();
    await this.#resolve();

    const firstRun = !settings.get().firstRunCompleted;
    this.#runnerWanted = this.#options.runnerAutoStart === 'always' || !firstRun;
    await this.#applyRunner('app started');
    this.#scheduleState();
    // A key saved offline last time is checked now that the app runs again (in the background).
    void this.#keyChecks.recheck();
  }

  /**
   * The quick part of `start`: resolves the configuration so that `getState` answers. The desktop
   * host shows its tray and window after this, while Ollama and the runner are still starting.
   */
  prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      const { logs, settings } = this.#options;
      for (const warning of settings.warnings) this.#log('warn', warning);
      if (this.#secrets.notice) this.#log('info', this.#secrets.notice);
      this.#unsubscribers.push(logs.subscribe((batch) => this.#emit('logs', batch)));
      await this.#resolve();
      this.#ollama = this.#createOllama();
      this.#describeConfig();
    })();
    return this.#prepared;
  }

  /** Stops the runner and any Ollama this app launched; what was not started here is left alone. */
  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#runnerWanted = false;
    this.#keyChecks.stop();
    this.#log('info', 'Shutting down: stopping the runner and any Ollama this app started');
    await Promise.allSettled([this.#runner?.stop(), this.#ollama?.stop()]);
    this.#releaseRunner?.();
    this.#releaseOllama?.();
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
  }

  /** Asks the window to show a screen (the tray's "Show logs", "Setup…"). */
  navigate(route: Route): void {
    this.#emit('navigate', { route });
  }

  subscribe(listener: AppEventListener): () => void {
    return this.#events.on('event', listener);
  }

  getState(): AppState {
    const config = toPublicConfig(this.#config);
    const ollama = this.#ollama.getState();
    const runner = this.#runnerStatus();
    const settings = this.#options.settings.get();
    const command = this.#runnerCommand;
    const runnerCommand =
      command?.ok === true
        ? {
            value: this.#redact(formatRunnerCommand(command.command.argv)),
            source: command.command.source,
            pinned: isPinnedSource(command.command.source),
            pending: this.#pendingRunnerCommand,
          }
        : { value: this.#redact(settings.runner.command ?? ''), source: 'settings' as const, pinned: false, pending: this.#pendingRunnerCommand };
    const keyChecks = this.#keyVerifications(config);
    const problems = deriveProblems({ config, ollama, runner, keyChecks, incident: this.#incident });
    return {
      host: this.#options.host,
      config,
      runnerCommand,
      secrets: {
        persistence: this.#secrets.persistence,
        ...(this.#secrets.notice ? { notice: this.#secrets.notice } : {}),
        weakStorageOffered: this.#secrets.persistence === 'session' && this.#options.acceptWeakStorage !== undefined,
      },
      keyChecks,
      ollama,
      ollamaOptions: {
        modelsDir: settings.ollama.modelsDir ?? null,
        contextLength: settings.ollama.contextLength ?? null,
        keepAlive: settings.ollama.keepAlive ?? null,
        exposeToNetwork: settings.ollama.exposeToNetwork,
      },
      runner,
      runnerEnv: this.#runnerEnv,
      problems,
      lastError: leadingError(problems),
      firstRun: !settings.firstRunCompleted,
      needsSetup: deriveNeedsSetup({ config, ollama }),
      savedBaseUrls: {
        anthropic: settings.providers.anthropic.baseUrl ?? null,
        openai: settings.providers.openai.baseUrl ?? null,
        ollama: settings.providers.ollama.baseUrl ?? null,
      },
      downloads: this.#models.downloads.list(),
      setupDeferred: settings.setupDeferred === true,
      logsDir: this.#paths.logsDir,
      startAtLogin: settings.startAtLogin,
    };
  }

  /**
   * Runs one command whose payload the transport already validated (`dispatchCommand`). A
   * failure the user can act on is thrown as an error with a `fix`.
   */
  readonly execute = (command: string, payload: unknown): Promise<unknown> => {
    const handler = this.#handlers[command as CommandName] as ((payload: unknown) => unknown) | undefined;
    if (!handler) return Promise.reject(new CommandError(`Unknown command ${JSON.stringify(command)}.`));
    return Promise.resolve(handler(payload));
  };

  /** One handler per command of the contract; the compiler checks that none is missing. */
  readonly #handlers: { [C in CommandName]: (payload: Payload<C>) => CommandResponse<C> | Promise<CommandResponse<C>> } = {
    'state:get': () => this.getState(),
    'config:set-provider': async ({ provider }) => {
      await this.#setProvider(provider);
      return ACK;
    },
    'config:set-model': async ({ provider, model }) => {
      await this.#setModel(provider, model);
      return ACK;
    },
    'keys:set': ({ provider, key }) => this.#setKey(provider, key),
    'keys:remove': async ({ provider }) => {
      await this.#secrets.delete(provider);
      this.#keyChecks.forget(provider);
      await this.#reconfigure(`${PROVIDER_INFO[provider].label} key removed`);
      return ACK;
    },
    'keys:validate': ({ provider }) => this.#validateKey(provider),
    'secrets:accept-weak-storage': async () => {
      await this.#acceptWeakStorage();
      return ACK;
    },
    'models:list': ({ provider }) => this.#listModels(provider),
    'ollama:start': async () => {
      await this.#ollama.start();
      return ACK;
    },
    'ollama:stop': async () => {
      await this.#ollama.stop();
      return ACK;
    },
    'ollama:pull': ({ model, use }) => this.#models.pull(model, use === true),
    'ollama:cancel-pull': ({ model }) => {
      this.#ollama.cancelPull(model);
      return ACK;
    },
    'ollama:delete': ({ model }) => this.#models.delete(model),
    'ollama:unload': async ({ model }) => {
      await this.#models.unload(model);
      return ACK;
    },
    'ollama:set-path': async ({ path }) => {
      this.#saveSettings((draft) => {
        if (path === null) delete draft.ollama.path;
        else draft.ollama.path = path;
      });
      this.#log('info', path === null ? 'Ollama binary: searching PATH and the install locations' : `Ollama binary set to ${path}`);
      await this.#replaceOllama();
      return ACK;
    },
    'models:catalog': () => this.#models.catalog(),
    'downloads:dismiss': ({ model }) => {
      this.#models.downloads.dismiss(model);
      return ACK;
    },
    'config:set-base-url': async ({ provider, baseUrl }) => {
      await this.#setBaseUrl(provider, baseUrl);
      return ACK;
    },
    'ollama:set-options': async (options) => {
      await this.#setOllamaOptions(options);
      return ACK;
    },
    'runner:start': async () => {
      this.#runnerWanted = true;
      await this.#applyRunner('started by the user', { retry: true });
      return ACK;
    },
    'runner:retry': async () => {
      this.#runnerWanted = true;
      await this.#applyRunner('retried by the user', { retry: true });
      return ACK;
    },
    'runner:stop': async () => {
      this.#runnerWanted = false;
      await this.#runner?.stop();
      return ACK;
    },
    'runner:restart': async () => {
      this.#runnerWanted = true;
      if (this.#pendingRunnerCommand !== null) await this.#reconfigure('restarted by the user with the saved runner command');
      else if (this.#runner) await this.#runner.restart('restarted by the user');
      else await this.#applyRunner('started by the user', { retry: true });
      return ACK;
    },
    'runner:set-command': async ({ command, restart }) => {
      this.#saveSettings((draft) => {
        if (command === null) delete draft.runner.command;
        else draft.runner.command = command;
      });
      if (restart === false && this.#runner) {
        this.#pendingRunnerCommand = command ?? 'the built-in runner';
        this.#log('info', `Runner command saved; it applies at the runner's next restart: ${this.#pendingRunnerCommand}`);
        this.#scheduleState();
      } else {
        await this.#reconfigure('runner command changed');
      }
      return ACK;
    },
    'logs:recent': (request) => this.#recentLogs(request),
    'logs:read-files': (request) => readLogRange(this.#paths.logsDir, request, this.#options.logs.redactor),
    'logs:reveal-folder': async () => {
      const opened = (await this.#options.revealFolder?.(this.#paths.logsDir)) ?? false;
      return { path: this.#paths.logsDir, opened };
    },
    'playground:run': ({ prompt, system }) => this.#runTask(prompt, system),
    'playground:cancel': ({ taskId }) => {
      this.#runner?.send({ type: 'cancel', id: taskId });
      return ACK;
    },
    'app:set-start-at-login': async ({ enabled }) => {
      if (!this.#options.applyStartAtLogin) {
        throw new CommandError('Start at login is a desktop setting; the headless host has no login item.', 'Use your service manager (systemd, launchd) to start the headless host.');
      }
      await this.#options.applyStartAtLogin(enabled);
      this.#saveSettings((draft) => void (draft.startAtLogin = enabled));
      this.#scheduleState();
      return ACK;
    },
    'wizard:defer': ({ deferred }) => {
      this.#saveSettings((draft) => {
        if (deferred) draft.setupDeferred = true;
        else delete draft.setupDeferred;
      });
      this.#scheduleState();
      return ACK;
    },
    'wizard:complete': async () => {
      this.#saveSettings((draft) => {
        draft.firstRunCompleted = true;
        delete draft.setupDeferred;
      });
      this.#runnerWanted = true;
      await this.#applyRunner('setup completed');
      return ACK;
    },
  };

  // ---- configuration -------------------------------------------------------------------------

  async #resolve(): Promise<void> {
    const running = this.#ollama?.getState().server.phase === 'running';
    const installed = running ? this.#ollama.getState().models : undefined;
    this.#config = await resolveCurrentConfig({
      flags: this.#options.commandLine.config,
      env: this.#options.env,
      settings: this.#options.settings.get(),
      secrets: this.#secrets,
      facts: {
        ollamaModels: installed?.map((model) => model.name),
        ollamaModelSizes: installed?.map(({ name, sizeBytes }) => ({ name, sizeBytes })),
        totalMemoryBytes: os.totalmem(),
      },
    });
    this.#options.logs.redactor.setSecrets(CLOUD_PROVIDERS.flatMap((provider) => this.#config.keys[provider]?.value ?? []));
    this.#runnerCommand = resolveRunnerCommand({
      flag: this.#options.commandLine.runnerCommand,
      env: this.#options.env,
      settings: this.#options.settings.get(),
      ...(this.#options.builtInRunner ? { builtIn: this.#options.builtInRunner.argv } : {}),
    });
    this.#ollama?.setConfiguredModel(this.#config.provider.value === 'ollama' ? this.#config.model.value : null);
  }

  /** Re-resolves after a change and restarts the runner once if what it receives changed. Changes queue up in order. */
  #reconfigure(reason: string): Promise<void> {
    return this.#reconfigurations.run(async () => {
      const before = this.#config;
      this.#pendingRunnerCommand = null;
      await this.#resolve();
      // Ollama's endpoint follows the provider choice when a generic base URL binds to it.
      if (this.#baseUrlFor('ollama') !== before.endpoints.ollama.value) await this.#replaceOllama();
      else if (this.#config.provider.value === 'ollama' && before.provider.value !== 'ollama') await this.#ollama.start();
      await this.#applyRunner(reason);
      this.#scheduleState();
    });
  }

  /** Ollama is resolved as if it were the provider, so the manager knows its host even while a cloud provider is active. */
  #createOllama(): OllamaManager {
    const settings = this.#options.settings.get();
    const manager = new OllamaManager({
      host: this.#baseUrlFor('ollama'),
      binaryPath: this.#options.commandLine.ollamaPath,
      serverSettings: settings.ollama,
      runDir: this.#paths.runDir,
      // Ollama needs no provider key, so it is not handed any.
      env: withoutCredentials(this.#options.env),
      configuredModel: this.#config.provider.value === 'ollama' ? this.#config.model.value : null,
      output: this.#options.logs.processOutput('ollama'),
      ...this.#options.ollamaOptions,
    });
    this.#releaseOllama = manager.subscribe(() => {
      if (manager === this.#ollama) this.#onOllamaChange();
    });
    return manager;
  }

  /** New models or a server that came or went can change the default model: re-resolve then. */
  #onOllamaChange(): void {
    const state = this.#ollama.getState();
    this.#logOllamaPhase(state);
    const fingerprint = `${state.server.phase}|${state.models.map((model) => model.name).join(',')}`;
    if (fingerprint !== this.#ollamaFingerprint) {
      this.#ollamaFingerprint = fingerprint;
      if (this.#config.provider.value === 'ollama') void this.#reconfigure('Ollama models changed');
      this.#recheckIncident();
    }
    this.#scheduleState();
  }

  /** Each change of the server's phase as a log line: without a window, the log is where the user learns what is wrong and what to do. */
  #logOllamaPhase(state: OllamaState): void {
    const { server } = state;
    const phase = 'reason' in server ? `${server.phase}|${server.reason}` : `${server.phase}|${state.pid}`;
    if (phase === this.#ollamaPhaseLogged) return;
    this.#ollamaPhaseLogged = phase;
    if ('reason' in server) {
      this.#log(server.phase === 'failed' ? 'error' : 'warn', `Ollama ${server.phase}: ${server.reason} — ${server.fix}`);
    } else if (server.phase === 'running') {
      const owner = { managed: `launched by this app (pid ${state.pid})`, external: 'already running, not started by this app', remote: 'on another machine' }[server.owner];
      this.#log('info', `Ollama ${state.serverVersion ?? ''} running at ${state.url}, ${owner}`);
    } else {
      this.#log('info', server.phase === 'starting' ? `Ollama starting: ${state.binary?.path ?? 'ollama'} serve` : 'Ollama stopped');
    }
  }

  async #setProvider(provider: Provider): Promise<void> {
    const pinned = this.#config.provider;
    if (pinned.pinned && pinned.value !== provider) {
      throw new CommandError(
        `The provider is pinned to ${pinned.value} by ${sourceName(pinned.source)}.`,
        `Unset ${sourceName(pinned.source)} (or remove the flag) and restart to choose the provider here.`,
      );
    }
    this.#saveSettings((draft) => void (draft.provider = provider));
    await this.#reconfigure(`provider switched to ${PROVIDER_INFO[provider].label}`);
  }

  async #setModel(provider: Provider, model: string): Promise<void> {
    this.#saveSettings((draft) => void (draft.providers[provider].model = model));
    await this.#reconfigure(`model for ${PROVIDER_INFO[provider].label} set to ${model}`);
  }

  async #setBaseUrl(provider: Provider, raw: string | null): Promise<void> {
    let url: string | null = null;
    if (raw !== null) {
      const result = normaliseBaseUrl(provider, raw);
      if (!result.ok) {
        throw new CommandError(`The ${PROVIDER_INFO[provider].label} base URL ${JSON.stringify(raw)} ${result.reason}.`, `Use http(s)://host[:port][/path], e.g. ${PROVIDER_INFO[provider].defaultBaseUrl}.`);
      }
      url = result.url;
    }
    this.#saveSettings((draft) => {
      if (url === null) delete draft.providers[provider].baseUrl;
      else draft.providers[provider].baseUrl = url;
    });
    // The Ollama manager talks to one server: a new Ollama URL needs a new manager.
    if (provider === 'ollama') await this.#replaceOllama();
    await this.#reconfigure(`${PROVIDER_INFO[provider].label} base URL ${url === null ? 'reset to the default' : `set to ${url}`}`);
  }

  #saveSettings(change: Parameters<SettingsStore['update']>[0]): void {
    try {
      this.#options.settings.update(change);
    } catch (error) {
      if (error instanceof SettingsError) throw new CommandError(error.message, 'Check that the user-data folder is writable and the disk is not full.');
      throw error;
    }
  }

  /**
   * Where a provider lives, active or not (the key check and the Ollama manager need it for
   * inactive providers too): the one endpoint resolver's answer, so that a key only goes to a
   * URL given for its provider.
   */
  #baseUrlFor(provider: Provider): string {
    return this.#config.endpoints[provider].value;
  }

  /**
   * Only a definite rejection (401/403) refuses a key: offline, behind a proxy or during an
   * outage it is saved as not verified yet and checked again when the provider can be reached.
   */
  async #setKey(provider: CloudProvider, key: string): Promise<CommandResponse<'keys:set'>> {
    const check = await checkKey({ provider, key, baseUrl: this.#baseUrlFor(provider) });
    if (check.outcome === 'rejected') return { saved: false, check };
    await this.#secrets.set(provider, key);
    this.#keyChecks.forget(provider);
    this.#keyChecks.record(provider, check);
    if (check.outcome !== 'valid') this.#log('warn', `${PROVIDER_INFO[provider].label} key saved without a check: ${check.message}`);
    await this.#reconfigure(`${PROVIDER_INFO[provider].label} key saved`);
    return { saved: true, check };
  }

  /** What is known of each key the app holds; nothing for a provider without one. */
  #keyVerifications(config: AppState['config']): AppState['keyChecks'] {
    const known = this.#keyChecks.get();
    return { anthropic: config.keys.anthropic ? known.anthropic : null, openai: config.keys.openai ? known.openai : null };
  }

  async #validateKey(provider: CloudProvider): Promise<CommandResponse<'keys:validate'>> {
    const key = this.#config.keys[provider];
    if (!key) {
      throw new CommandError(`There is no ${PROVIDER_INFO[provider].label} key to check.`, `Add one in Settings, or set ${API_KEY_ENV[provider]}.`);
    }
    const check = await checkKey({ provider, key: key.value, baseUrl: this.#baseUrlFor(provider) });
    this.#keyChecks.record(provider, check);
    return check;
  }

  async #acceptWeakStorage(): Promise<void> {
    if (!this.#options.acceptWeakStorage) {
      throw new CommandError('This host has no persistent key storage to accept.', 'Pass keys through the environment, or use the desktop app.');
    }
    this.#saveSettings((draft) => void (draft.secrets.acceptWeakStorage = true));
    const previous = this.#secrets;
    this.#secrets = await this.#options.acceptWeakStorage();
    for (const provider of CLOUD_PROVIDERS) {
      const key = await previous.get(provider);
      if (key) await this.#secrets.set(provider, key);
    }
    await this.#reconfigure('key storage changed');
  }

  async #listModels(provider: Provider): Promise<ModelList> {
    const suggested = (installed: readonly string[]) =>
      SUGGESTED_MODELS[provider]
        .filter((name) => !isOllamaModelInstalled(name, installed))
        .map((name) => {
          const known = SUGGESTED_OLLAMA_MODELS.find((model) => model.name === name);
          return { name, installed: false, ...(known ? { detail: `${known.parameterSize} · ${formatGigabytes(known.downloadBytes)} download` } : {}) };
        });
    if (provider === 'ollama') {
      try {
        const models = await this.#ollama.listModels();
        const names = models.map((model) => model.name);
        const inUse = this.#config.provider.value === 'ollama' ? this.#config.model.value : undefined;
        const selected = inUse === undefined ? undefined : names.find((name) => isOllamaModelInstalled(inUse, [name]));
        return {
          provider,
          origin: 'ollama-tags',
          ...(selected !== undefined ? { selected } : {}),
          models: [
            ...models.map((model) => ({ name: model.name, installed: true, detail: [model.parameterSize, model.quantization].filter(Boolean).join(' · ') })),
            ...suggested(names),
          ],
        };
      } catch (error) {
        return { provider, origin: 'suggested', models: suggested([]), error: { message: `Ollama's models could not be listed: ${describe(error)}`, fix: 'Start Ollama, then try again.' } };
      }
    }
    const key = this.#config.keys[provider];
    const offline = (message: string, fix: string): ModelList => ({
      provider,
      origin: 'suggested',
      models: SUGGESTED_MODELS[provider].map((name) => ({ name, installed: true })),
      error: { message, fix },
    });
    if (!key) return offline(`No ${PROVIDER_INFO[provider].label} key yet, so these are suggestions.`, 'Add a key to see every model it can use.');
    try {
      return { provider, origin: 'provider-api', models: await listProviderModels({ provider, key: key.value, baseUrl: this.#baseUrlFor(provider) }) };
    } catch (error) {
      const check = await checkKey({ provider, key: key.value, baseUrl: this.#baseUrlFor(provider) });
      // The SDK's own text may quote the key: it goes through the redactor like every log line.
      return offline(check.outcome === 'valid' ? this.#redact(describe(error)) : check.message, check.fix ?? 'Try again later.');
    }
  }

  async #setOllamaOptions(options: Payload<'ollama:set-options'>): Promise<void> {
    this.#saveSettings((draft) => {
      draft.ollama = { ...(draft.ollama.path ? { path: draft.ollama.path } : {}), exposeToNetwork: options.exposeToNetwork };
      if (options.modelsDir) draft.ollama.modelsDir = options.modelsDir;
      if (options.contextLength) draft.ollama.contextLength = options.contextLength;
      if (options.keepAlive) draft.ollama.keepAlive = options.keepAlive;
    });
    await this.#replaceOllama();
    this.#scheduleState();
  }

  /**
   * A new Ollama manager for changed settings. Its options are environment variables of `ollama
   * serve`: a server this app launched is relaunched with them; an external one is left alone
   * and the options apply to the next launch.
   */
  async #replaceOllama(): Promise<void> {
    const wasManaged = this.#ollama.getState().server.phase === 'running' && this.#ollama.getState().pid !== null;
    await this.#ollama.stop();
    this.#releaseOllama?.();
    this.#ollama = this.#createOllama();
    if (wasManaged || this.#config.provider.value === 'ollama') await this.#ollama.start();
    else void this.#ollama.watch();
  }

  #recentLogs({ filter, limit }: Payload<'logs:recent'>): CommandResponse<'logs:recent'> {
    const text = filter?.text?.toLowerCase();
    const sources = filter?.sources ? new Set<LogSource>(filter.sources) : undefined;
    const entries = this.#options.logs
      .recent(filter?.minLevel ? { minLevel: filter.minLevel } : {})
      .filter((entry) => (!sources || sources.has(entry.source)) && (!text || entry.msg.toLowerCase().includes(text)));
    return { entries: entries.slice(-limit), skipped: 0 };
  }

  // ---- runner ----------------------------------------------------------------------------------

  /**
   * Masks known keys and key shapes as the log pipeline does, for text that leaves the core some
   * other way: a key written into the runner command, an SDK's error message.
   */
  #redact(text: string): string {
    return this.#options.logs.redactor.redact(text);
  }

  #runnerStatus(): AppState['runner'] {
    if (this.#runner) {
      const status = this.#runner.getState();
      return { ...status, command: this.#redact(status.command) };
    }
    const command = this.#runnerCommand?.ok ? this.#redact(formatRunnerCommand(this.#runnerCommand.command.argv)) : '';
    const awaited = this.#models.awaitedDownload();
    const reason =
      this.#config.errors.length > 0
        ? 'waiting for a valid configuration'
        : !this.#runnerWanted
          ? 'waiting for setup to complete'
          : awaited
            ? `waiting for ${awaited} to finish downloading; it starts when the model lands`
            : 'starting';
    return { state: 'stopped', reason, command, pid: null, startedAt: null, restarts: 0, lastExit: null, nextRestartAt: null, error: null, lastLines: [] };
  }

  /**
   * Brings the runner in line with the configuration: started when wanted and valid, stopped
   * when the configuration became invalid, restarted once when its command or environment changed.
   */
  async #applyRunner(reason: string, { retry = false } = {}): Promise<void> {
    if (this.#stopped) return;
    const command = this.#runnerCommand;
    if (this.#config.errors.length > 0 || !command?.ok) {
      if (this.#runner && this.#runner.getState().state !== 'stopped') {
        this.#log('warn', `Stopping the runner until the configuration is fixed: ${command?.ok === false ? command.error.message : this.#config.errors[0]?.message}`);
        await this.#runner.stop();
        // A stopped supervisor stays stopped; a fresh one starts once the configuration is fixed.
        this.#releaseRunner?.();
        this.#runner = undefined;
      }
      if (retry) throw new CommandError(command?.ok === false ? command.error.message : (this.#config.errors[0]?.message ?? 'The configuration is invalid.'), command?.ok === false ? command.error.fix : 'Fix the configuration first (see Overview).');
      this.#scheduleState();
      return;
    }
    const env = buildRunnerEnv(this.#config, this.#options.env);
    const inputs = JSON.stringify([command.command.argv, env]);
    const shownEnv = describeRunnerEnv(env, this.#options.env, (text) => this.#redact(text));
    if (!this.#runner) {
      if (!this.#runnerWanted) return;
      if (this.#models.awaitedDownload()) {
        this.#scheduleState();
        return;
      }
      this.#runner = this.#createRunner(command.command, env);
      this.#runnerInputs = inputs;
      this.#runnerEnv = shownEnv;
      this.#log('info', `Starting the runner (${reason}): ${formatRunnerCommand(command.command.argv)}`);
      await this.#runner.start();
      return;
    }
    const state = this.#runner.getState().state;
    if (retry && (state === 'failed' || state === 'crash-loop')) await this.#runner.retry();
    else if (retry && state === 'stopped') await this.#runner.start();
    else if (inputs !== this.#runnerInputs) {
      this.#runnerInputs = inputs;
      this.#runnerEnv = shownEnv;
      this.#log('info', `The runner's configuration changed: ${reason}`);
      await this.#runner.applyConfig(env, command.command);
    }
  }

  #createRunner(command: RunnerCommand, env: Record<string, string>): RunnerSupervisor {
    const supervisor = new RunnerSupervisor({
      command,
      env,
      pidFile: pidFilePath(this.#paths.runDir, 'runner'),
      output: this.#options.logs.processOutput('runner'),
      redact: (text) => this.#options.logs.redactor.redact(text),
      ...(this.#options.builtInRunner?.launcher && command.builtIn ? { launcher: this.#options.builtInRunner.launcher } : {}),
      ...this.#options.runnerOptions,
    });
    const unsubscribers = [
      supervisor.subscribe(({ status }) => {
        const stuck = status.state === 'crash-loop' || status.state === 'failed';
        const text = stuck && status.error ? `${status.error.message} — ${status.error.fix}` : status.reason;
        this.#log(stuck ? 'error' : 'info', `Runner ${status.state}: ${text}`);
        this.#scheduleState();
      }),
      supervisor.onMessage((message) => this.#onRunnerMessage(message)),
    ];
    this.#releaseRunner = () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
    };
    return supervisor;
  }

  #onRunnerMessage(raw: unknown): void {
    const parsed = RunnerToAppSchema.safeParse(raw);
    if (!parsed.success) {
      this.#log('warn', 'The runner sent a control message that does not match the protocol; it was ignored');
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.#incident = null;
        this.#log('info', `Runner ready: ${message.provider} ${message.model} at ${message.baseUrl}`);
        // One cheap authenticated call proves the key and the model before the user relies on them.
        if (message.provider !== 'ollama') this.#runner?.send({ type: 'check', id: randomUUID() });
        break;
      case 'delta':
        this.#emit('playground', { type: 'delta', taskId: message.id, text: message.text });
        break;
      case 'done': {
        const { id, ...done } = message;
        this.#emit('playground', { ...done, taskId: id });
        break;
      }
      case 'error':
        if (message.id === undefined) {
          this.#incident = { message: `Runner: ${message.message}`, fix: message.fix ?? 'See the runner logs.' };
          this.#log('error', `${this.#incident.message} — ${this.#incident.fix}`);
          this.#scheduleState();
        } else {
          this.#emit('playground', { type: 'error', taskId: message.id, code: message.code, message: message.message, ...(message.fix ? { fix: message.fix } : {}) });
        }
        break;
      case 'check-result': {
        const failed = message.checks.find((check) => check.status === 'error');
        const provider = message.provider;
        const key = isCloudProvider(provider) ? this.#config.keys[provider] : undefined;
        if (isCloudProvider(provider) && key) this.#keyChecks.recordRunnerCheck(provider, maskSecret(key.value), failed);
        if (failed) {
          this.#incident = { message: `Runner: ${failed.message}`, fix: failed.fix ?? 'See the runner logs.' };
          this.#log('error', this.#incident.message);
        } else {
          this.#incident = null;
          this.#log('info', `Provider check passed: ${message.provider} ${message.model}`);
        }
        this.#scheduleState();
        break;
      }
    }
  }

  /**
   * What the runner reported (Ollama unreachable, a model missing) may be fixed now that Ollama
   * changed: the report is dropped and the runner checks again, so a cause that is gone no
   * longer shows, and one that remains is reported afresh.
   */
  #recheckIncident(): void {
    if (!this.#incident) return;
    this.#incident = null;
    if (this.#runner?.getState().state === 'running' && this.#runnerCommand?.ok && this.#runnerCommand.command.builtIn) {
      this.#runner.send({ type: 'check', id: randomUUID() });
    }
  }

  #runTask(prompt: string, system: string | undefined): CommandResponse<'playground:run'> {
    const runner = this.#runner;
    if (!runner || runner.getState().state !== 'running') {
      throw new CommandError('The runner is not running.', 'Start it from the Overview or the tray, then try again.');
    }
    if (!this.#runnerCommand?.ok || !this.#runnerCommand.command.builtIn) {
      throw new CommandError('The playground needs the built-in runner; a custom runner has no task channel.', 'Clear the runner command in Settings to use the built-in runner.');
    }
    const taskId = randomUUID();
    if (!runner.send({ type: 'task', id: taskId, prompt, ...(system ? { system } : {}) })) {
      throw new CommandError('The task could not be sent to the runner.', 'Restart the runner and try again.');
    }
    return { taskId };
  }

  // ---- events ----------------------------------------------------------------------------------

  #log(level: LogEntry['level'], msg: string): void {
    this.#options.logs.log('app', level, msg);
  }

  #describeConfig(): void {
    const { provider, model, baseUrl, apiKey } = toPublicConfig(this.#config);
    this.#log('info', `Configuration: provider ${provider.value} (${provider.source}), model ${model.alias ? `${model.alias.alias} → ` : ''}${model.value} (${model.source}), base URL ${baseUrl.value} (${baseUrl.source})${apiKey.value ? `, key ${apiKey.value} (${apiKey.source})` : ''}`);
    for (const warning of this.#config.warnings) this.#log('warn', warning.message);
    for (const error of this.#config.errors) this.#log('error', `${error.message} — the runner will not start until this is fixed`);
  }

  #emit(event: EventName, payload: unknown): void {
    // Validating costs most in a log flood; with no window open there is no one to send to.
    if (this.#events.listenerCount('event') === 0) return;
    let checked: unknown;
    try {
      checked = parseEvent(event, payload);
    } catch (error) {
      this.#log('error', describe(error));
      return;
    }
    this.#events.emit('event', event, checked);
  }

  /** State changes come in bursts (a restart is several transitions): one push per tick. */
  #scheduleState(): void {
    if (this.#statePending || !this.#ollama) return;
    this.#statePending = true;
    setImmediate(() => {
      this.#statePending = false;
      const state = this.getState();
      this.#options.onState?.(state);
      this.#emit('state', state);
    });
  }
}


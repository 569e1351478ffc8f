import type { OllamaServerOptions } from '../../shared/state-schema.ts';
import type { LogEntry } from '../../shared/logs.ts';
import type { OllamaModel, OllamaOwner, OllamaPhase, OllamaState } from '../../shared/ollama.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { LogPipeline } from '../logs/pipeline.ts';
import { OllamaManager, type OllamaManagerOptions } from '../ollama/manager.ts';
import { withoutCredentials } from '../runner/runner-env.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import type { Configuration } from './configuration.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';

export interface OllamaControlDeps {
  configuration: Configuration;
  settings: SettingsStore;
  /** `--ollama-path`. */
  binaryPath: string | undefined;
  env: NodeJS.ProcessEnv;
  runDir: string;
  /** The Ollama this app installed (`<userData>/ollama`), launched only when no other is found. */
  managedBinary?: (() => string | undefined) | undefined;
  logs: LogPipeline;
  ollamaOptions?: Pick<OllamaManagerOptions, 'healthIntervalMs' | 'probeTimeoutMs' | 'readyTimeoutMs' | 'stopGraceMs' | 'restartDelays'> | undefined;
  /** Something the state shows changed. */
  onChange: () => void;
  log: (level: LogEntry['level'], msg: string) => void;
}

/** The configured Ollama model while Ollama is the provider; null otherwise. */
const configuredModel = (config: ResolvedConfig): string | null => (config.provider.value === 'ollama' ? config.model.value : null);

/**
 * A change of the server's phase as one log line, with the key that tells a repeat; without a
 * window, the log is where the user learns what is wrong and what to do. `before` is the phase
 * last seen: "stopped" is news only for a server this app started; an external or remote one
 * keeps running when the app lets go of it, and one that never ran did not stop. Pure.
 */
export function describeOllamaPhase(state: OllamaState, before: OllamaPhase): { key: string; level: LogEntry['level']; msg: string | null } {
  const { server } = state;
  if ('reason' in server) {
    const level = server.phase === 'failed' ? 'error' : 'warn';
    return { key: `${server.phase}|${server.reason}`, level, msg: `Ollama ${server.phase}: ${server.reason} — ${server.fix}` };
  }
  const key = `${server.phase}|${state.pid}`;
  if (server.phase === 'running') {
    const owner = { managed: `launched by this app (pid ${state.pid})`, external: 'already running, not started by this app', remote: 'on another machine' }[
      server.owner
    ];
    return { key, level: 'info', msg: `Ollama ${state.serverVersion ?? ''} running at ${state.url}, ${owner}` };
  }
  if (server.phase === 'starting') return { key, level: 'info', msg: `Ollama starting: ${state.binary?.path ?? 'ollama'} serve` };
  const owner = before.phase === 'starting' ? 'managed' : 'owner' in before ? before.owner : null;
  const stopped: Record<OllamaOwner, string> = {
    managed: 'Ollama stopped',
    external: `No longer watching Ollama at ${state.url}: this app did not start it, so it keeps running`,
    remote: `No longer watching Ollama at ${state.url}: it runs on another machine and keeps running`,
  };
  return { key, level: 'info', msg: owner ? stopped[owner] : null };
}

/**
 * Ollama: one manager at a time for the endpoint and server options in force, replaced when
 * either changes; it is launched when Ollama is the provider and only watched otherwise.
 */
export class OllamaControl {
  readonly #deps: OllamaControlDeps;
  readonly #events = new TypedEmitter<{ 'server-changed': [] }>();
  #manager: OllamaManager | undefined;
  /** Ends the current manager's subscription. */
  #release: (() => void) | undefined;
  #fingerprint = '';
  /** The phase last logged (the manager starts out stopped), so each change is told once. */
  #phaseLogged = 'stopped|null';
  /** The phase last seen, which tells whether a stop is news. */
  #phaseBefore: OllamaPhase = { phase: 'stopped' };

  constructor(deps: OllamaControlDeps) {
    this.#deps = deps;
  }

  /** The server came or went, or its models changed: what the runner reported may no longer hold. Returns the unsubscribe function. */
  onServerChanged(listener: () => void): () => void {
    return this.#events.on('server-changed', listener);
  }

  /** The current manager; it exists once `create` ran (after the first resolution). */
  get manager(): OllamaManager {
    if (!this.#manager) throw new Error('The Ollama manager is created once the configuration is resolved.');
    return this.#manager;
  }

  /** What the server has installed while it runs, for the smart default; undefined otherwise. */
  installedModels(): readonly OllamaModel[] | undefined {
    const state = this.#manager?.getState();
    return state?.server.phase === 'running' ? state.models : undefined;
  }

  /** Follows a new resolution's model. */
  configure(config: ResolvedConfig): void {
    this.#manager?.setConfiguredModel(configuredModel(config));
  }

  create(): void {
    this.#manager = this.#createOllama();
  }

  /** Launched (or connected to) when Ollama is the provider; with a cloud provider an Ollama that already answers is shown as it is, never launched. */
  async startForProvider(): Promise<void> {
    if (this.#deps.configuration.current.provider.value === 'ollama') await this.manager.start();
    else void this.manager.watch();
  }

  /** After a re-resolution: Ollama's endpoint follows the provider choice when a generic base URL binds to it. */
  async follow(before: ResolvedConfig): Promise<void> {
    const { configuration } = this.#deps;
    if (configuration.endpointOf('ollama') !== before.endpoints.ollama.value) await this.replace();
    else if (configuration.current.provider.value === 'ollama' && before.provider.value !== 'ollama') await this.manager.start();
  }

  /**
   * A new manager for changed settings. Its options are environment variables of `ollama
   * serve`: a server this app launched is relaunched with them; an external one is left alone
   * and the options apply to the next launch.
   */
  async replace(): Promise<void> {
    const state = this.manager.getState();
    const wasManaged = state.server.phase === 'running' && state.pid !== null;
    await this.manager.stop();
    this.#release?.();
    this.#manager = this.#createOllama();
    if (wasManaged || this.#deps.configuration.current.provider.value === 'ollama') await this.#manager.start();
    else void this.#manager.watch();
  }

  async setPath(path: string | null): Promise<void> {
    this.#deps.configuration.save((draft) => {
      if (path === null) delete draft.ollama.path;
      else draft.ollama.path = path;
    });
    this.#deps.log('info', path === null ? 'Ollama binary: searching PATH and the install locations' : `Ollama binary set to ${path}`);
    await this.replace();
  }

  async setOptions(options: OllamaServerOptions): Promise<void> {
    this.#deps.configuration.save((draft) => {
      const { path, releasesUrl } = draft.ollama;
      draft.ollama = { ...(path ? { path } : {}), ...(releasesUrl ? { releasesUrl } : {}), exposeToNetwork: options.exposeToNetwork };
      if (options.modelsDir) draft.ollama.modelsDir = options.modelsDir;
      if (options.contextLength) draft.ollama.contextLength = options.contextLength;
      if (options.keepAlive) draft.ollama.keepAlive = options.keepAlive;
    });
    await this.replace();
    this.#deps.onChange();
  }

  /** Stops an Ollama this app launched (an external one is left alone). */
  async shutdown(): Promise<void> {
    await this.#manager?.stop();
    this.#release?.();
  }

  /** Ollama is resolved as if it were the provider, so the manager knows its host even while a cloud provider is active. */
  #createOllama(): OllamaManager {
    const { configuration, settings, binaryPath, env, runDir, ollamaOptions } = this.#deps;
    const manager = new OllamaManager({
      host: configuration.endpointOf('ollama'),
      binaryPath,
      serverSettings: settings.get().ollama,
      runDir,
      // Ollama needs no provider key, so it is not handed any.
      env: withoutCredentials(env),
      configuredModel: configuredModel(configuration.current),
      managedBinary: this.#deps.managedBinary,
      output: this.#deps.logs.processOutput('ollama'),
      ...ollamaOptions,
    });
    this.#release = manager.subscribe(() => {
      if (manager === this.#manager) this.#onOllamaChange(manager.getState());
    });
    return manager;
  }

  /** New models or a server that came or went can change the default model: re-resolve then. */
  #onOllamaChange(state: OllamaState): void {
    const phase = describeOllamaPhase(state, this.#phaseBefore);
    this.#phaseBefore = state.server;
    if (phase.key !== this.#phaseLogged) {
      this.#phaseLogged = phase.key;
      if (phase.msg !== null) this.#deps.log(phase.level, phase.msg);
    }
    const fingerprint = `${state.server.phase}|${state.models.map((model) => model.name).join(',')}`;
    if (fingerprint !== this.#fingerprint) {
      this.#fingerprint = fingerprint;
      if (this.#deps.configuration.current.provider.value === 'ollama') void this.#deps.configuration.reconfigure('Ollama models changed');
      this.#events.emit('server-changed');
    }
    this.#deps.onChange();
  }
}

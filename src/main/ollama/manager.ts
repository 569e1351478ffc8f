/**
 * The Ollama supervisor (docs/ARCHITECTURE.md §3): detects a server at the configured host, launches
 * `ollama serve` only when this machine has Ollama installed and none is running, restarts a
 * crashed one with backoff, watches health at a modest interval, and on stop ends only what it
 * started. Decisions live in `decisions.ts`; this class carries them out and publishes state.
 */
import { isOllamaModelInstalled } from '../../lib/model-names.ts';
import type { ProcessOutput } from '../process/process-output.ts';
import type { OllamaLoadedModel, OllamaModel, OllamaPhase, OllamaPullResult, OllamaState } from '../../shared/ollama.ts';
import {
  FAILURES_BEFORE_UNHEALTHY,
  decideStart,
  ollamaRestartPolicy,
  planLaunch,
  unhealthyPhase,
  waitingPhase,
  type OllamaServerSettings,
} from './decisions.ts';
import { DEFAULT_PROBE_TIMEOUT_MS, probeOllama, type ProbeResult } from './detect.ts';
import { findOllamaBinary, readOllamaVersion, type FindOllamaResult } from './find-binary.ts';
import { connectableOllamaUrl, isLocalOllamaHost, parseOllamaHost, type OllamaHost } from '../../lib/ollama-host.ts';
import { servePlan, untilServing } from './serve-process.ts';
import { createOllamaClient, deleteModel, listLoadedModels, listModels, pullModel, unloadModel } from './models.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';
import { Pulls, type PullOptions } from './pulls.ts';
import { OperationQueue } from '../process/operation-queue.ts';
import { pidFilePath, readPidFile, stopRecordedProcess } from '../process/pid-file.ts';
import type { RestartPolicy } from '../process/restart-policy.ts';
import { ChildSupervisor, type ChildPlan, type ReadyOutcome } from '../process/child-supervisor.ts';
import { systemClock, unrefTimer, type Clock } from '../process/clock.ts';
import type { Launch } from '../process/launch.ts';
import { servePhase } from './serve-phase.ts';

export interface OllamaManagerOptions {
  /** Where Ollama is: a parsed `OLLAMA_HOST`, or a URL / `OLLAMA_HOST` value. */
  host: OllamaHost | string;
  /** `--ollama-path`: the binary to launch; wins over the saved setting and the search. */
  binaryPath?: string | undefined;
  /** The user's server settings (`Settings['ollama']`): models folder, context, keep-alive, exposure. */
  serverSettings: OllamaServerSettings;
  /** Folder for the pid file of a launched server. */
  runDir: string;
  /** Environment inherited by `ollama serve`, and whose PATH is searched. Default: this process's. */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The Ollama this app installed, looked up at each search: launched only when no other is found. */
  managedBinary?: () => string | undefined;
  /** The configured Ollama model, to report whether it is installed. */
  configuredModel?: string | null;
  /** Where a launched server's output goes (the log pipeline's `processOutput('ollama')`); piped, so a full log file makes it wait. */
  output?: ProcessOutput;
  /** Pause between health checks. Default 5 s. */
  healthIntervalMs?: number;
  /** Bound of each detection probe. Default 2 s. */
  probeTimeoutMs?: number;
  /** How long a launched server may take to answer. Default 30 s. */
  readyTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when stopping. Default 5 s. */
  stopGraceMs?: number;
  /** Delays before restart 1, 2, …; the last one repeats. */
  restartDelays?: readonly number[];
  /** Crashes in a row after which the server is left stopped. Default 5. */
  maxRestarts?: number;
  /** Running this long without a crash resets the restart count. Default 60 s. */
  stableAfterMs?: number;
  /** Drives health checks, restart delays, readiness and uptime; tests inject one they can advance. */
  clock?: Clock;
}

/** What of a launched server's stderr is kept for the message when it exits early. */
const STDERR_TAIL_CHARS = 8192;

export type OllamaStateListener = (state: OllamaState) => void;

export class OllamaManager {
  readonly #host: OllamaHost;
  readonly #url: string;
  readonly #local: boolean;
  readonly #options: OllamaManagerOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #events = new TypedEmitter<{ state: [OllamaState] }>();
  /** One detection-or-launch at a time; health checks skip while one runs or waits. */
  readonly #operations = new OperationQueue();
  readonly #pidFile: string;
  readonly #restartPolicy: RestartPolicy;
  readonly #clock: Clock;
  /** The `ollama serve` this app launches: the one child supervisor, as the runner has. */
  readonly #serve: ChildSupervisor;
  /** What the next launch runs, decided by `decideStart`. */
  #launchBinary = '';
  /** The version a launched server answered with once ready. */
  #servedVersion: string | null = null;
  readonly #pulls = new Pulls((pulls) => this.#setState({ pulls }));
  #state: OllamaState;
  /** The model list is this server's: read since it last came up, so "missing" is not said before it is known. */
  #modelsListed = false;

  /** Bumped by stop(): work begun before it must not act after it. */
  #generation = 0;
  #supervising = false;
  /** False after a launch failed or crash-looped: only an explicit start() tries again. */
  #autoLaunch = true;
  #starting: Promise<OllamaState> | undefined;
  #healthTimer: unknown;
  #failedChecks = 0;
  #versionOf: { path: string; version: string | null } | undefined;

  constructor(options: OllamaManagerOptions) {
    this.#options = options;
    this.#host = typeof options.host === 'string' ? parseOllamaHost(options.host) : options.host;
    this.#url = connectableOllamaUrl(this.#host);
    this.#local = isLocalOllamaHost(this.#host);
    this.#env = options.env ?? process.env;
    this.#pidFile = pidFilePath(options.runDir, 'ollama');
    this.#restartPolicy = ollamaRestartPolicy(options);
    this.#clock = options.clock ?? systemClock;
    this.#serve = new ChildSupervisor({
      name: { subject: 'ollama serve', short: 'ollama serve' },
      plan: () => this.#servePlan(),
      policy: this.#restartPolicy,
      clock: this.#clock,
      pidFile: this.#pidFile,
      output: options.output,
      killGraceMs: options.stopGraceMs ?? 5000,
      untilReady: (launch) => this.#untilServing(launch),
      stderrTailChars: STDERR_TAIL_CHARS,
    });
    this.#serve.subscribe((transition) => {
      const patch = servePhase(transition, { version: this.#servedVersion, binaryPath: this.#launchBinary });
      if (!patch) return;
      if (transition.status.state === 'running') this.#failedChecks = 0;
      // A launch that failed or crash-looped is not tried again by the health check: only an explicit start().
      if (patch.server.phase === 'failed') this.#autoLaunch = false;
      this.#setState(patch);
      // A restart's models are read here; a first launch's by `#launch`, before `start()` resolves.
      if (transition.status.state === 'running' && transition.status.restarts > 0) void this.refreshModels();
    });
    this.#serve.onPidFileUnwritten((why) =>
      this.#setState({
        warnings: [
          ...this.#state.warnings,
          `the pid file of ollama serve could not be written (${why}), so if this app is killed that server is not stopped at the next start`,
        ],
      }),
    );
    this.#state = {
      server: { phase: 'stopped' },
      url: this.#url,
      binary: null,
      serverVersion: null,
      pid: null,
      restarts: 0,
      models: [],
      loaded: [],
      configuredModel: options.configuredModel ?? null,
      configuredModelMissing: false,
      pulls: {},
      warnings: this.#host.warning ? [this.#host.warning] : [],
    };
  }

  /** The URL clients connect to (native form). */
  get url(): string {
    return this.#url;
  }

  getState(): OllamaState {
    return this.#state;
  }

  /** Calls `listener` with every new state; returns the unsubscribe function. */
  subscribe(listener: OllamaStateListener): () => void {
    return this.#events.on('state', listener);
  }

  setConfiguredModel(model: string | null): void {
    this.#setState({ configuredModel: model });
  }

  /**
   * Detects, and launches if needed. Resolves once the server runs, or with the state that
   * says why not. Calling it again while supervising a live server changes nothing.
   */
  start(): Promise<OllamaState> {
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(): Promise<OllamaState> {
    const phase = this.#state.server.phase;
    if (this.#supervising && (phase === 'running' || phase === 'starting' || phase === 'unhealthy')) return this.#state;
    const generation = this.#generation;
    this.#supervising = true;
    this.#autoLaunch = true;
    if (this.#local && !this.#serve.wanted) {
      await stopRecordedProcess(this.#pidFile, { graceMs: this.#options.stopGraceMs ?? 5000 });
    }
    if (generation !== this.#generation) return this.#state;
    await this.#operations.run(() => this.#connectOrLaunch(generation));
    this.#scheduleHealthCheck();
    return this.#state;
  }

  /**
   * Connects to a server that already answers, and never launches one: while a cloud provider
   * is in use the window still shows the Ollama that is there. A server found is supervised as
   * external (or remote) until stop(); when none answers, nothing changes. A leftover of this
   * app's own (its pid file is there) is left for start() to clean up, not adopted.
   */
  async watch(): Promise<OllamaState> {
    const generation = this.#generation;
    if (this.#supervising || (this.#local && (await readPidFile(this.#pidFile)))) return this.#state;
    if (this.#local) await this.#describeBinary(this.#findBinary());
    const probe = await this.#probe();
    if (generation !== this.#generation || this.#supervising || probe.kind !== 'running') return this.#state;
    this.#supervising = true;
    this.#autoLaunch = false;
    this.#setState({ server: { phase: 'running', owner: this.#local ? 'external' : 'remote' }, serverVersion: probe.version });
    await this.refreshModels();
    this.#scheduleHealthCheck();
    return this.#state;
  }

  /**
   * Stops supervising. A server this app launched gets SIGTERM, then SIGKILL after the grace
   * period; an external or remote one is left running. Pulls in progress are cancelled.
   */
  async stop(): Promise<void> {
    this.#generation += 1;
    this.#supervising = false;
    this.#clock.clearTimeout(this.#healthTimer);
    this.#pulls.cancelAll();
    await this.#serve.stop();
    this.#setState({ server: { phase: 'stopped' }, pid: null, serverVersion: null, loaded: [], restarts: 0 });
  }

  /** Pulls a model with progress; the result says success, cancelled or failed (never throws). */
  async pull(model: string, options: PullOptions = {}): Promise<OllamaPullResult> {
    return this.#pulls.run(model, options, async (signal, onProgress) => {
      const result = await pullModel(await createOllamaClient(this.#url), this.#url, model, { signal, onProgress });
      // Listed before the pull leaves the state, so that the model never seems to vanish.
      if (result.status === 'success') await this.refreshModels();
      return result;
    });
  }

  /** Cancels a pull in progress; false when none is running for that model. */
  cancelPull(model: string): boolean {
    return this.#pulls.cancel(model);
  }

  /** Deletes an installed model; throws an `OllamaRequestError` naming the model and the fix. */
  async deleteModel(model: string): Promise<void> {
    await deleteModel(await createOllamaClient(this.#url), this.#url, model);
    await this.refreshModels();
  }

  /** Frees a loaded model's memory; throws an `OllamaRequestError` naming the model. */
  async unloadModel(model: string): Promise<void> {
    await unloadModel(await createOllamaClient(this.#url), this.#url, model);
    await this.refreshModels();
  }

  listModels(): Promise<OllamaModel[]> {
    return listModels(this.#url);
  }

  listLoaded(): Promise<OllamaLoadedModel[]> {
    return listLoadedModels(this.#url);
  }

  /** Re-reads installed and loaded models into the state; a server that does not answer keeps the last lists. */
  async refreshModels(): Promise<void> {
    try {
      const [models, loaded] = await Promise.all([this.listModels(), this.listLoaded()]);
      this.#modelsListed = this.#state.server.phase === 'running';
      this.#setState({ models, loaded });
    } catch {
      // The health check reports an unreachable server; stale lists are better than none.
    }
  }

  #setState(patch: Partial<OllamaState>): void {
    const next = { ...this.#state, ...patch };
    const serving = next.server.phase === 'running';
    if (!serving) this.#modelsListed = false;
    next.configuredModelMissing =
      serving &&
      this.#modelsListed &&
      next.configuredModel !== null &&
      next.configuredModel !== '' &&
      !isOllamaModelInstalled(
        next.configuredModel,
        next.models.map((model) => model.name),
      );
    if (JSON.stringify(next) === JSON.stringify(this.#state)) return;
    this.#state = next;
    this.#events.emit('state', next);
  }

  /** Which `ollama` a launch would use now, without launching it. */
  locateBinary(): FindOllamaResult {
    return this.#findBinary();
  }

  #findBinary(): FindOllamaResult {
    return findOllamaBinary({
      flagPath: this.#options.binaryPath,
      settingPath: this.#options.serverSettings.path,
      managedPath: this.#options.managedBinary?.(),
      env: this.#env,
      ...(this.#options.platform ? { platform: this.#options.platform } : {}),
    });
  }

  async #describeBinary(found: FindOllamaResult): Promise<void> {
    if (!found.found) {
      this.#setState({ binary: null });
      return;
    }
    if (this.#versionOf?.path !== found.path) {
      const env = { ...this.#env, OLLAMA_HOST: planLaunch(this.#host, this.#options.serverSettings).env.OLLAMA_HOST };
      this.#versionOf = { path: found.path, version: (await readOllamaVersion(found.path, { env })) ?? null };
    }
    this.#setState({ binary: { path: found.path, source: found.source, version: this.#versionOf.version } });
  }

  /** With `showWait`, a probe with no answer yet is shown as `waiting` until its verdict. */
  #probe({ showWait = false } = {}): Promise<ProbeResult> {
    const timeoutMs = this.#options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    const onSlow = (elapsedMs: number) => this.#setState({ server: waitingPhase(this.#url, elapsedMs, timeoutMs) });
    return probeOllama(this.#url, { timeoutMs, ...(showWait ? { onSlow } : {}) });
  }

  async #connectOrLaunch(generation: number): Promise<void> {
    const binary = this.#local ? this.#findBinary() : undefined;
    if (binary) await this.#describeBinary(binary);
    const probe = await this.#probe({ showWait: true });
    if (generation !== this.#generation) return;
    const decision = decideStart({ url: this.#url, local: this.#local, binary: binary ?? { found: false, reason: '', fix: '', searched: [] }, probe });
    switch (decision.action) {
      case 'use':
        this.#failedChecks = 0;
        this.#setState({ server: { phase: 'running', owner: decision.owner }, serverVersion: decision.version });
        await this.refreshModels();
        return;
      case 'report':
        this.#setState({ server: decision.phase, serverVersion: null });
        return;
      case 'launch':
        await this.#launch(decision.binaryPath, generation);
    }
  }

  async #launch(binaryPath: string, generation: number): Promise<void> {
    this.#launchBinary = binaryPath;
    const plan = planLaunch(this.#host, this.#options.serverSettings);
    this.#setState({ server: { phase: 'starting' }, warnings: [...(this.#host.warning ? [this.#host.warning] : []), ...plan.warnings] });
    if (generation !== this.#generation) return;
    // Resolves once it answers, or with the state that says why not; its crashes are the supervisor's to restart.
    await this.#serve.start('no Ollama answered, so this app starts one');
    if (this.#serve.getState().state === 'running') await this.refreshModels();
  }

  /** `ollama serve` as a launch reads it: the binary `decideStart` chose, with the environment of the current settings. */
  #servePlan(): ChildPlan {
    return servePlan(this.#launchBinary, planLaunch(this.#host, this.#options.serverSettings), this.#env);
  }

  /** A launched server is up once it answers (see `untilServing`); the version it answered with is the one shown. */
  async #untilServing(launch: Launch): Promise<ReadyOutcome> {
    const outcome = await untilServing(launch, {
      probe: () => this.#probe(),
      timeoutMs: this.#options.readyTimeoutMs ?? 30_000,
      clock: this.#clock,
      url: this.#url,
      binaryPath: this.#launchBinary,
      bindAddress: planLaunch(this.#host, this.#options.serverSettings).env.OLLAMA_HOST ?? '',
    });
    if (outcome.ok) this.#servedVersion = outcome.version;
    return outcome;
  }

  #scheduleHealthCheck(): void {
    this.#clock.clearTimeout(this.#healthTimer);
    if (!this.#supervising) return;
    this.#healthTimer = this.#clock.setTimeout(() => {
      void this.#healthCheck().finally(() => this.#scheduleHealthCheck());
    }, this.#options.healthIntervalMs ?? 5000);
    unrefTimer(this.#healthTimer);
  }

  /** A launched server between a crash and its restart, or still coming up: the supervisor's, not the health check's. */
  #serveInTransit(): boolean {
    const state = this.#serve.getState().state;
    return state === 'backoff' || state === 'starting' || state === 'stopping';
  }

  async #healthCheck(): Promise<void> {
    if (this.#operations.busy || this.#serveInTransit() || !this.#supervising) return;
    const generation = this.#generation;
    const probe = await this.#probe();
    if (generation !== this.#generation || this.#operations.busy || this.#serveInTransit()) return;
    const server: OllamaPhase = this.#state.server;

    if (server.phase === 'running' || server.phase === 'unhealthy') {
      const served = this.#serve.getState();
      // A launched server that exited is the supervisor's to restart, not unhealthy.
      if (server.owner === 'managed' && !this.#serve.alive) return;
      if (probe.kind === 'running') {
        this.#failedChecks = 0;
        // The restart policy counts a run this long as healthy at its next exit; the count shown resets now.
        const stable = server.owner === 'managed' && served.startedAt !== null && this.#clock.now() - served.startedAt >= this.#restartPolicy.healthyAfterMs;
        this.#setState({ server: { phase: 'running', owner: server.owner }, serverVersion: probe.version, ...(stable ? { restarts: 0 } : {}) });
        await this.refreshModels();
        return;
      }
      this.#failedChecks += 1;
      if (this.#failedChecks >= FAILURES_BEFORE_UNHEALTHY) {
        this.#setState({ server: unhealthyPhase(server.owner, this.#url, probe), serverVersion: null, loaded: [] });
      }
      return;
    }

    if (server.phase !== 'failed' && server.phase !== 'not-installed') return;
    if (probe.kind === 'running') {
      this.#failedChecks = 0;
      this.#setState({ server: { phase: 'running', owner: this.#local ? 'external' : 'remote' }, serverVersion: probe.version });
      await this.refreshModels();
      return;
    }
    // Ollama installed while the app was open: start it, as on a fresh start.
    if (server.phase === 'not-installed' && this.#autoLaunch && this.#findBinary().found) {
      await this.#operations.run(() => this.#connectOrLaunch(generation));
    }
  }
}

/**
 * The Ollama supervisor (docs/ARCHITECTURE.md §3): detects a server at the configured host, launches
 * `ollama serve` only when this machine has Ollama installed and none is running, restarts a
 * crashed one with backoff, watches health at a modest interval, and on stop ends only what it
 * started. Decisions live in `decisions.ts`; this class carries them out and publishes state.
 */
import { isOllamaModelInstalled } from '../../lib/model-names.ts';
import type { ProcessOutput } from '../logs/process-output.ts';
import type { OllamaLoadedModel, OllamaModel, OllamaPhase, OllamaPullProgress, OllamaPullResult, OllamaState } from '../../shared/ollama.ts';
import {
  FAILURES_BEFORE_UNHEALTHY,
  decideStart,
  describeEarlyExit,
  ollamaRestartPolicy,
  planLaunch,
  unhealthyPhase,
  waitingPhase,
  type EarlyExit,
  type OllamaServerSettings,
} from './decisions.ts';
import { DEFAULT_PROBE_TIMEOUT_MS, probeOllama, type ProbeResult } from './detect.ts';
import { findOllamaBinary, readOllamaVersion, type FindOllamaResult } from './find-binary.ts';
import { connectableOllamaUrl, isLocalOllamaHost, parseOllamaHost, type OllamaHost } from '../../lib/ollama-host.ts';
import { launchServe, waitUntilServing, type ServeProcess } from './serve-process.ts';
import { createOllamaClient, deleteModel, listLoadedModels, listModels, pullModel, unloadModel } from './models.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';
import { OperationQueue } from '../process/operation-queue.ts';
import { pidFilePath, readPidFile, recordOf, removePidFile, stopRecordedProcess, writePidFile } from '../process/pid-file.ts';
import { decideAfterExit, freshHistory, type RestartHistory, type RestartPolicy } from '../process/restart-policy.ts';

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
}

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
  #restartHistory: RestartHistory = freshHistory();
  readonly #pulls = new Map<string, AbortController>();
  #state: OllamaState;
  /** The model list is this server's: read since it last came up, so "missing" is not said before it is known. */
  #modelsListed = false;

  /** Bumped by stop(): work begun before it must not act after it. */
  #generation = 0;
  #supervising = false;
  /** False after a launch failed or crash-looped: only an explicit start() tries again. */
  #autoLaunch = true;
  #child: ServeProcess | undefined;
  #starting: Promise<OllamaState> | undefined;
  #healthTimer: NodeJS.Timeout | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #failedChecks = 0;
  #readyAt = 0;
  #versionOf: { path: string; version: string | null } | undefined;

  constructor(options: OllamaManagerOptions) {
    this.#options = options;
    this.#host = typeof options.host === 'string' ? parseOllamaHost(options.host) : options.host;
    this.#url = connectableOllamaUrl(this.#host);
    this.#local = isLocalOllamaHost(this.#host);
    this.#env = options.env ?? process.env;
    this.#pidFile = pidFilePath(options.runDir, 'ollama');
    this.#restartPolicy = ollamaRestartPolicy(options);
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
    if (this.#local && !this.#child) {
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
    clearTimeout(this.#healthTimer);
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    for (const controller of this.#pulls.values()) controller.abort();
    const child = this.#child;
    this.#child = undefined;
    if (child) {
      await this.#terminate(child);
      await removePidFile(this.#pidFile);
    }
    this.#restartHistory = freshHistory();
    this.#setState({ server: { phase: 'stopped' }, pid: null, serverVersion: null, loaded: [], restarts: 0 });
  }

  /** Pulls a model with progress; the result says success, cancelled or failed (never throws). */
  async pull(model: string, options: { signal?: AbortSignal; onProgress?: (progress: OllamaPullProgress) => void } = {}): Promise<OllamaPullResult> {
    if (this.#pulls.has(model)) {
      return { status: 'failed', model, reason: `${JSON.stringify(model)} is already being pulled`, fix: 'wait for that pull to finish, or cancel it' };
    }
    const controller = new AbortController();
    const cancel = () => controller.abort();
    options.signal?.addEventListener('abort', cancel, { once: true });
    if (options.signal?.aborted) controller.abort();
    this.#pulls.set(model, controller);
    try {
      const result = await pullModel(createOllamaClient(this.#url), this.#url, model, {
        signal: controller.signal,
        onProgress: (progress) => {
          this.#setState({ pulls: { ...this.#state.pulls, [model]: progress } });
          options.onProgress?.(progress);
        },
      });
      if (result.status === 'success') await this.refreshModels();
      return result;
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      this.#pulls.delete(model);
      const { [model]: _done, ...others } = this.#state.pulls;
      this.#setState({ pulls: others });
    }
  }

  /** Cancels a pull in progress; false when none is running for that model. */
  cancelPull(model: string): boolean {
    const controller = this.#pulls.get(model);
    controller?.abort();
    return controller !== undefined;
  }

  /** Deletes an installed model; throws an `OllamaRequestError` naming the model and the fix. */
  async deleteModel(model: string): Promise<void> {
    await deleteModel(createOllamaClient(this.#url), this.#url, model);
    await this.refreshModels();
  }

  /** Frees a loaded model's memory; throws an `OllamaRequestError` naming the model. */
  async unloadModel(model: string): Promise<void> {
    await unloadModel(createOllamaClient(this.#url), this.#url, model);
    await this.refreshModels();
  }

  listModels(): Promise<OllamaModel[]> {
    return listModels(createOllamaClient(this.#url), this.#url);
  }

  listLoaded(): Promise<OllamaLoadedModel[]> {
    return listLoadedModels(createOllamaClient(this.#url), this.#url);
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
    const plan = planLaunch(this.#host, this.#options.serverSettings);
    this.#setState({ server: { phase: 'starting' }, warnings: [...(this.#host.warning ? [this.#host.warning] : []), ...plan.warnings] });
    if (generation !== this.#generation) return;

    const env = Object.fromEntries(Object.entries({ ...this.#env, ...plan.env }).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const managed = launchServe({ binaryPath, env, bindAddress: plan.env.OLLAMA_HOST ?? '', output: this.#options.output });
    const child = managed.process;
    // Set before waiting for the pid, so that a stop() meanwhile ends this child.
    this.#child = managed;
    const pid = await child.started.catch(() => undefined);
    if (pid !== undefined && this.#child === managed) {
      try {
        await writePidFile(this.#pidFile, recordOf(pid, [binaryPath, 'serve'], child.marker));
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        this.#setState({
          warnings: [
            ...this.#state.warnings,
            `the pid file of ollama serve could not be written (${why}), so if this app is killed that server is not stopped at the next start`,
          ],
        });
      }
    }
    void managed.exited.then((exit) => this.#onExit(managed, exit));

    const outcome = await waitUntilServing(managed, () => this.#probe(), this.#options.readyTimeoutMs ?? 30_000);
    if (generation !== this.#generation || this.#child !== managed) return;
    if (outcome.kind === 'ready') {
      managed.ready = true;
      this.#readyAt = Date.now();
      this.#failedChecks = 0;
      this.#setState({ server: { phase: 'running', owner: 'managed' }, serverVersion: outcome.version, pid: pid ?? null });
      await this.refreshModels();
      return;
    }
    this.#autoLaunch = false;
    this.#child = undefined;
    if (outcome.kind === 'exited') {
      await removePidFile(this.#pidFile);
      this.#setState({ server: { phase: 'failed', ...describeEarlyExit(outcome.exit, binaryPath, managed.bindAddress) }, pid: null });
      return;
    }
    await this.#terminate(managed);
    await removePidFile(this.#pidFile);
    const seconds = Math.round((this.#options.readyTimeoutMs ?? 30_000) / 1000);
    this.#setState({
      server: {
        phase: 'failed',
        reason: `ollama serve did not answer at ${this.#url} within ${seconds} s, so it was stopped`,
        fix: `run "${binaryPath} serve" in a terminal to see what it is doing, and check the ollama log`,
      },
      pid: null,
    });
  }

  async #onExit(child: ServeProcess, exit: EarlyExit): Promise<void> {
    if (this.#child !== child || !child.ready) return;
    this.#child = undefined;
    const generation = this.#generation;
    await removePidFile(this.#pidFile);
    if (generation !== this.#generation) return;
    const decision = decideAfterExit(this.#restartPolicy, this.#restartHistory, { ...exit, startedAt: this.#readyAt, exitedAt: Date.now() });
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    if (decision.action !== 'restart') {
      // Ollama's policy neither takes an exit for a clean stop nor lists exit codes: giving up is a crash loop.
      const crashes = decision.action === 'crash-loop' ? decision.unstableExits : this.#state.restarts + 1;
      this.#autoLaunch = false;
      this.#setState({
        server: {
          phase: 'failed',
          reason: `ollama serve crashed ${crashes} times in a row (last time it ${how}); it is left stopped`,
          fix: `look at the ollama log, or run "${child.binaryPath} serve" in a terminal to see why it stops, then start it again`,
        },
        pid: null,
        serverVersion: null,
      });
      return;
    }
    const delay = decision.delayMs;
    this.#restartHistory = decision.history;
    this.#setState({
      server: {
        phase: 'unhealthy',
        owner: 'managed',
        reason: `ollama serve ${how} unexpectedly; restarting in ${Math.round(delay / 100) / 10} s`,
        fix: 'nothing to do unless it keeps happening; then check the ollama log',
      },
      pid: null,
      serverVersion: null,
      restarts: decision.history.restartsSinceFresh,
    });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (generation === this.#generation) void this.#operations.run(() => this.#connectOrLaunch(generation));
    }, delay);
    this.#restartTimer.unref();
  }

  /** Ends the server's whole process tree: SIGTERM, then SIGKILL after the grace period. */
  async #terminate(child: ServeProcess): Promise<void> {
    await child.process.terminate(this.#options.stopGraceMs ?? 5000);
  }

  #scheduleHealthCheck(): void {
    clearTimeout(this.#healthTimer);
    if (!this.#supervising) return;
    this.#healthTimer = setTimeout(() => {
      void this.#healthCheck().finally(() => this.#scheduleHealthCheck());
    }, this.#options.healthIntervalMs ?? 5000);
    this.#healthTimer.unref();
  }

  async #healthCheck(): Promise<void> {
    if (this.#operations.busy || this.#restartTimer || !this.#supervising) return;
    const generation = this.#generation;
    const probe = await this.#probe();
    if (generation !== this.#generation || this.#operations.busy || this.#restartTimer) return;
    const server: OllamaPhase = this.#state.server;

    if (server.phase === 'running' || server.phase === 'unhealthy') {
      if (server.owner === 'managed' && !this.#child) return;
      if (probe.kind === 'running') {
        this.#failedChecks = 0;
        const stable = server.owner === 'managed' && Date.now() - this.#readyAt >= this.#restartPolicy.healthyAfterMs;
        if (stable) this.#restartHistory = freshHistory();
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

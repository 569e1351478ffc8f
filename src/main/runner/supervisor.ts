import { maskSecret } from '../../shared/secret-mask.ts';
import type { RunnerError, RunnerExit, RunnerState, RunnerStatus, RunnerTransition } from '../../shared/runner-status.ts';
import { formatRunnerCommand, locateRunnerExecutable, type RunnerCommand } from './command.ts';
import { finished } from 'node:stream/promises';
import { TypedEmitter } from '../../lib/typed-emitter.ts';
import type { ProcessOutput } from '../logs/process-output.ts';
import { childProcessLauncher, type LaunchExit, type LaunchedProcess, type Launcher } from '../process/launcher.ts';
import { OperationQueue } from '../process/operation-queue.ts';
import { recordOf, removePidFile, stopRecordedProcess, writePidFile } from '../process/pid-file.ts';
import {
  DEFAULT_RESTART_POLICY,
  EXIT_CONFIG_ERROR,
  decideAfterExit,
  formatDuration,
  freshHistory,
  stopFailure,
  type RestartHistory,
  type RestartPolicy,
} from '../process/restart-policy.ts';
import { RUNNER_SECRET_VARIABLES } from './runner-env.ts';

/** Time as the supervisor sees it; tests inject one they can advance. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type OutputStream = 'stdout' | 'stderr';

export interface RunnerSupervisorOptions {
  command: RunnerCommand;
  /** The runner's complete environment (`buildRunnerEnv`). */
  env: Record<string, string>;
  cwd?: string;
  /** Overrides of `DEFAULT_RESTART_POLICY`. */
  policy?: Partial<RestartPolicy>;
  /** Drives restart delays, the configuration debounce and uptime. Kill grace periods use real time. */
  clock?: Clock;
  /** `pidFilePath(appPaths(dir).runDir, 'runner')`. */
  pidFile: string;
  /**
   * Where the runner's output goes and where its last lines are read (the log pipeline's
   * `processOutput('runner')`); without it, output is discarded.
   */
  output?: ProcessOutput;
  /** Masks more than the keys the supervisor passes itself, e.g. the log pipeline's redactor. */
  redact?: (text: string) => string;
  /** How long a stopping runner has after SIGTERM before its whole tree is SIGKILLed. */
  killGraceMs?: number;
  /** Configuration changes closer together than this cause a single restart. */
  configDebounceMs?: number;
  /** Default: the built-in runner gets Node's IPC, a custom command the JSON-lines socket if it asked for it, else none. */
  controlChannel?: boolean | 'json-lines';
  /** How many output lines are kept for the crash-loop message. */
  tailLines?: number;
  launcher?: Launcher;
}

interface CurrentProcess {
  handle: LaunchedProcess;
  startedAt: number;
  /** Set before the supervisor ends the process itself, so that exit is not taken for a crash. */
  expectedExit: boolean;
  /** Resolves once its output sinks have taken every byte. */
  outputDone: Promise<unknown>;
  /** Its messages are no longer heard: from the moment the supervisor ends it, what it says is moot. */
  stopListening: () => void;
  /** Ends this launch's output sinks and lets go of it for good (`LaunchedProcess.release`). */
  release: () => void;
}

/** Spawn failures for want of resources (descriptors, processes, memory), which may pass. */
const TRANSIENT_SPAWN_ERRORS = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM']);

/** How long output may keep draining after the process tree is gone. */
const OUTPUT_DRAIN_MS = 1_000;

/**
 * How long ending a tree may take beyond the grace period: SIGKILL is waited for 10 s
 * (`terminateTree`), and this bounds the rest, so that `stopping` always has an outcome.
 */
const STOP_TIMEOUT_MS = 15_000;

const describeExit = (exit: LaunchExit): string => (exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`);

/**
 * Supervises the runner (docs/ARCHITECTURE.md §3): restarts it with exponential backoff after a crash,
 * stops in `crash-loop` after too many unstable exits, restarts it once per burst of
 * configuration changes, stops it gracefully (SIGTERM, then SIGKILL of the whole tree), and
 * ends a runner orphaned by a killed app at the next start. Lifecycle operations run one at a
 * time, in the order they were asked for.
 */
export class RunnerSupervisor {
  readonly #options: RunnerSupervisorOptions;
  readonly #policy: RestartPolicy;
  readonly #clock: Clock;
  readonly #launcher: Launcher;
  readonly #killGraceMs: number;
  readonly #events = new TypedEmitter<{ transition: [RunnerTransition]; message: [unknown] }>();
  readonly #operations = new OperationQueue();

  #command: RunnerCommand;
  #env: Record<string, string>;
  #status: RunnerStatus;
  #current: CurrentProcess | undefined;
  #history: RestartHistory;
  /** The user wants the runner up: set by start/retry/restart, cleared by stop. */
  #wanted = false;
  #backoffTimer: unknown;
  #configTimer: unknown;
  /** Callers whose change waits for the trailing restart of a burst. */
  #configApplied: PromiseWithResolvers<void> | undefined;
  /** The command and environment the last launch started with, to skip a restart that would change nothing. */
  #launchedConfig = '';
  /** Whether the last launch got as far as opening output sinks, whose lines `lastLines` shows. */
  #outputOpened = false;

  constructor(options: RunnerSupervisorOptions) {
    this.#options = options;
    this.#policy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
    this.#clock = options.clock ?? systemClock;
    this.#launcher = options.launcher ?? childProcessLauncher;
    this.#killGraceMs = options.killGraceMs ?? 5_000;
    this.#command = options.command;
    this.#env = options.env;
    this.#history = freshHistory();
    this.#status = {
      state: 'stopped',
      reason: 'not started yet',
      command: formatRunnerCommand(options.command.argv),
      pid: null,
      startedAt: null,
      restarts: 0,
      lastExit: null,
      nextRestartAt: null,
      error: null,
      lastLines: [],
    };
  }

  getState(): RunnerStatus {
    return structuredClone(this.#status);
  }

  /** Called with every transition, carrying its reason; returns the unsubscribe function. */
  subscribe(listener: (transition: RunnerTransition) => void): () => void {
    return this.#events.on('transition', listener);
  }

  /** Starts the runner, first ending one orphaned by a previous app that was killed. */
  start(): Promise<void> {
    return this.#operations.run(() => this.#startFresh('start requested'));
  }

  /** After `crash-loop` or `failed`: starts again with a fresh backoff. */
  retry(): Promise<void> {
    return this.#operations.run(() => this.#startFresh('retry requested'));
  }

  /** Stops the runner if it runs and starts it again with a fresh backoff. */
  restart(reason: string): Promise<void> {
    return this.#operations.run(async () => {
      this.#wanted = true;
      this.#cancelBackoff();
      if (await this.#terminateCurrent(reason)) await this.#launch(reason, { freshBackoff: true });
    });
  }

  /**
   * Resolves once the runner and every process it started are gone, and no timer of the
   * supervisor is left. Safe to call in any state.
   */
  stop(): Promise<void> {
    this.#wanted = false;
    this.#cancelBackoff();
    this.#cancelConfigRestart();
    return this.#operations.run(async () => {
      if (!(await this.#terminateCurrent('stop requested'))) return;
      // A runner an earlier stop could not end kept its pid file: it gets another try (quit included).
      const left = await stopRecordedProcess(this.#options.pidFile, { graceMs: this.#killGraceMs });
      if (left.kind === 'still-running') return this.#fail(stopFailure(left.pid, String(left.error)));
      this.#transition('stopped', 'stopped as requested', { nextRestartAt: null, error: null });
    });
  }

  /**
   * A new configuration for the next start. If the runner is wanted up (running, backing off,
   * or stopped by a crash loop or a bad configuration, which the change may fix), it restarts.
   * The first change after a quiet spell restarts at once (a switch should feel instant); changes
   * that follow within `configDebounceMs` of each other share one trailing restart with the
   * latest configuration, skipped when the running runner already has it, so a burst costs at
   * most two restarts. Resolves once a runner with this configuration has started.
   */
  applyConfig(env: Record<string, string>, command?: RunnerCommand): Promise<void> {
    this.#env = env;
    if (command) {
      this.#command = command;
      this.#status.command = formatRunnerCommand(command.argv);
    }
    const leading = this.#configTimer === undefined;
    if (!leading) this.#clock.clearTimeout(this.#configTimer);
    this.#configTimer = this.#clock.setTimeout(() => this.#endConfigBurst(), this.#options.configDebounceMs ?? 500);
    if (leading) return this.#restartForConfig();
    return (this.#configApplied ??= Promise.withResolvers<void>()).promise;
  }

  /** The quiet spell after a burst: one trailing restart for the changes the leading one may have missed. */
  #endConfigBurst(): void {
    this.#configTimer = undefined;
    const applied = this.#configApplied;
    this.#configApplied = undefined;
    if (applied) this.#restartForConfig().then(applied.resolve, applied.reject);
  }

  #restartForConfig(): Promise<void> {
    return this.#operations.run(async () => {
      if (!this.#wanted || (this.#current && this.#launchedConfig === this.#configKey())) return;
      this.#cancelBackoff();
      if (await this.#terminateCurrent('configuration changed')) await this.#launch('configuration changed', { freshBackoff: true });
    });
  }

  /** Sends a control message to the runner; false when it has no open control channel. */
  send(message: unknown): boolean {
    return this.#current?.handle.send(message) ?? false;
  }

  /** Control messages from the runner, across restarts; returns the unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void {
    return this.#events.on('message', listener);
  }

  async #startFresh(reason: string): Promise<void> {
    this.#wanted = true;
    if (this.#current || this.#status.state === 'backoff') return;
    this.#transition('starting', reason, { error: null, nextRestartAt: null });
    const orphan = await stopRecordedProcess(this.#options.pidFile, { graceMs: this.#killGraceMs });
    if (orphan.kind === 'still-running') throw orphan.error;
    const orphanNote = orphan.kind === 'stopped' ? `; ended runner ${orphan.pid} left over from a previous run` : '';
    await this.#launch(reason + orphanNote, { freshBackoff: true });
  }

  async #launch(reason: string, { freshBackoff }: { freshBackoff: boolean }): Promise<void> {
    if (!this.#wanted) return;
    if (freshBackoff) {
      this.#history = freshHistory();
      this.#status.restarts = 0;
    }
    this.#outputOpened = false;
    this.#launchedConfig = this.#configKey();
    this.#transition('starting', reason, { error: null, nextRestartAt: null, pid: null, startedAt: null, lastLines: [] });
    const cwd = this.#options.cwd ?? process.cwd();
    const located = locateRunnerExecutable(this.#command, { cwd, env: this.#env });
    if (!located.ok) return this.#fail(located.error);

    const [, ...args] = this.#command.argv;
    const handle = this.#launcher.launch({
      argv: [located.path, ...args],
      env: this.#env,
      cwd,
      controlChannel: this.#options.controlChannel ?? (this.#command.builtIn || (this.#command.controlChannel === true && 'json-lines')),
    });
    // Piped, so that when the log file falls behind, the pipe pauses and the runner waits.
    const sinks = this.#options.output?.open({ releaseChunks: handle.ownChunks });
    this.#outputOpened = sinks !== undefined;
    const outputDone = Promise.all(
      (['stdout', 'stderr'] as const).map((stream) => {
        if (!sinks) {
          handle[stream].resume();
          return Promise.resolve();
        }
        handle[stream].pipe(sinks[stream]);
        return finished(sinks[stream]).catch(() => undefined);
      }),
    );
    // This launch's messages only: unsubscribed when it ends, and the launcher closes the channel at its exit.
    const stopListening = handle.onMessage((message) => this.#events.emit('message', message));
    const release = () => {
      handle.release();
      // A descendant that escaped may hold the pipes open: their sinks end here rather than never.
      if (sinks) for (const sink of [sinks.stdout, sinks.stderr]) if (!sink.writableEnded) sink.end();
    };

    let pid: number;
    try {
      pid = await handle.started;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      const message = `runner command ${JSON.stringify(this.#command.argv[0])} could not be started (${code})`;
      if (TRANSIENT_SPAWN_ERRORS.has(code)) {
        // The system is short of resources, which may pass: a failed start, which the restart policy
        // handles like a run that ended at once (backoff, then crash-loop if it goes on).
        const failed: CurrentProcess = { handle, startedAt: this.#clock.now(), expectedExit: false, outputDone, stopListening, release };
        this.#current = failed;
        return this.#afterUnexpectedExit(failed, { code: null, signal: null }, message);
      }
      stopListening();
      release();
      return this.#fail({ message, fix: 'check that it is a program this system can run, or change the runner command' });
    }
    const current: CurrentProcess = { handle, startedAt: this.#clock.now(), expectedExit: false, outputDone, stopListening, release };
    this.#current = current;
    void handle.exited.then((exit) => {
      if (!current.expectedExit) void this.#operations.run(() => this.#afterUnexpectedExit(current, exit));
    });
    const pidFileNote = await writePidFile(this.#options.pidFile, recordOf(pid, [located.path, ...args], handle.marker)).then(
      () => '',
      (error: unknown) => `; its pid file could not be written (${String(error)}), so it cannot be found if the app is killed`,
    );
    this.#transition('running', `started (pid ${pid}): ${reason}${pidFileNote}`, { pid, startedAt: current.startedAt });
  }

  async #afterUnexpectedExit(exited: CurrentProcess, exit: LaunchExit, what = `the runner ${describeExit(exit)}`): Promise<void> {
    if (this.#current !== exited) return;
    // Its descendants (those that left its process group included) are ended with it, at a crash as at a stop.
    const pid = this.#status.pid;
    const ended = await this.#endProcess(exited);
    if (!ended.ok) return this.#fail(stopFailure(pid, ended.cause));
    const exitedAt = this.#clock.now();
    this.#status.lastExit = { ...exit, at: exitedAt } satisfies RunnerExit;
    const decision = decideAfterExit(this.#policy, this.#history, { ...exit, startedAt: exited.startedAt, exitedAt });

    if (decision.action === 'do-not-restart') {
      const meaning = decision.code === EXIT_CONFIG_ERROR ? ' (EX_CONFIG: its configuration is invalid)' : '';
      return this.#fail({
        message: `${what}${meaning}; exit code ${decision.code} is set not to restart`,
        fix: 'fix the cause its last lines name, then retry; a configuration change restarts it too',
      });
    }
    if (decision.action === 'clean-stop') {
      this.#wanted = false;
      this.#transition('stopped', `${what}: a clean stop, so it is not restarted`, { nextRestartAt: null, error: null, lastLines: this.#lastLines() });
      return;
    }
    this.#history = decision.history;
    if (decision.action === 'crash-loop') {
      const error: RunnerError = {
        message: `the runner exited ${decision.unstableExits} times within ${formatDuration(this.#policy.crashLoopWindowMs)}, each time less than ${formatDuration(this.#policy.healthyAfterMs)} after starting, so it is no longer restarted`,
        fix: 'read its last lines, fix the cause, then retry',
      };
      this.#transition('crash-loop', `${what}: crash loop`, { error, lastLines: this.#lastLines() });
      return;
    }
    const nextRestartAt = exitedAt + decision.delayMs;
    this.#status.restarts += 1;
    this.#transition('backoff', `${what}; restarting in ${formatDuration(decision.delayMs)}`, {
      nextRestartAt,
      lastLines: this.#lastLines(),
    });
    this.#backoffTimer = this.#clock.setTimeout(() => {
      this.#backoffTimer = undefined;
      void this.#operations.run(async () => {
        if (this.#status.state === 'backoff') await this.#launch(`restart ${this.#status.restarts} after: ${what}`, { freshBackoff: false });
      });
    }, decision.delayMs);
  }

  /**
   * Ends the current process, if any; false when it could not be (the state is then `failed`,
   * naming why), so that nothing is started beside a runner that may still run.
   */
  async #terminateCurrent(reason: string): Promise<boolean> {
    const current = this.#current;
    if (!current) return true;
    current.expectedExit = true;
    this.#transition('stopping', reason, {});
    const pid = this.#status.pid;
    const ended = await this.#endProcess(current);
    if (!ended.ok) {
      this.#wanted = false;
      this.#fail(stopFailure(pid, ended.cause));
      return false;
    }
    const exit = await current.handle.exited;
    this.#status.lastExit = { ...exit, at: this.#clock.now() };
    return true;
  }

  /**
   * Ends whatever is left of the process tree, within `killGraceMs` + `STOP_TIMEOUT_MS` whatever
   * happens, lets its last output drain, then lets go of it. The pid file stays when the tree
   * could not be ended, so that the next start ends what is left.
   */
  async #endProcess(current: CurrentProcess): Promise<{ ok: true } | { ok: false; cause: string }> {
    current.stopListening();
    const limitMs = this.#killGraceMs + STOP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      current.handle.terminate(this.#killGraceMs).then(
        () => ({ ok: true }) as const,
        (error: unknown) => ({ ok: false, cause: error instanceof Error ? error.message : String(error) }) as const,
      ),
      new Promise<{ ok: false; cause: string }>(
        (resolve) => (timer = setTimeout(() => resolve({ ok: false, cause: `it had not ended ${formatDuration(limitMs)} after SIGTERM` }), limitMs)),
      ),
    ]);
    clearTimeout(timer);
    this.#current = undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const drained = Promise.all([current.handle.closed, current.outputDone]);
    await Promise.race([drained, new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, OUTPUT_DRAIN_MS)))]);
    clearTimeout(drainTimer);
    current.release();
    if (outcome.ok) await removePidFile(this.#options.pidFile);
    this.#status.pid = null;
    return outcome;
  }

  #configKey(): string {
    return JSON.stringify([this.#command.argv, this.#env]);
  }

  #fail(error: RunnerError): void {
    this.#transition('failed', error.message, { error, lastLines: this.#lastLines(), pid: null, nextRestartAt: null });
  }

  #cancelBackoff(): void {
    if (this.#backoffTimer === undefined) return;
    this.#clock.clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
  }

  #cancelConfigRestart(): void {
    if (this.#configTimer !== undefined) this.#clock.clearTimeout(this.#configTimer);
    this.#configTimer = undefined;
    this.#configApplied?.resolve();
    this.#configApplied = undefined;
  }

  #transition(state: RunnerState, reason: string, patch: Partial<RunnerStatus>): void {
    const from = this.#status.state;
    this.#status = { ...this.#status, ...patch, state, reason };
    if (from === state) return;
    this.#events.emit('transition', { from, status: this.getState() });
  }

  /** The runner's last lines, for a crash message, with the keys this supervisor hands it masked too. */
  #lastLines(): string[] {
    if (!this.#outputOpened || !this.#options.output) return [];
    return this.#options.output.lastLines(this.#options.tailLines ?? 20).map((line) => this.#redact(line));
  }

  /** Masks the keys this supervisor hands the runner, then whatever the host's redactor knows. */
  #redact(text: string): string {
    let masked = text;
    for (const name of RUNNER_SECRET_VARIABLES) {
      const secret = this.#env[name];
      if (secret && secret.length >= 8) masked = masked.replaceAll(secret, maskSecret(secret));
    }
    return this.#options.redact ? this.#options.redact(masked) : masked;
  }
}

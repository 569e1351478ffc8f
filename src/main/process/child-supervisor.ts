import type { RunnerError, RunnerExit, RunnerState, RunnerStatus } from '../../shared/runner-status.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';
import type { ProcessOutput } from './process-output.ts';
import { systemClock, type Clock } from './clock.ts';
import { endLaunch, openLaunch, type Launch } from './launch.ts';
import { childProcessLauncher, type LaunchExit, type LaunchSpec, type Launcher } from './launcher.ts';
import { OperationQueue } from './operation-queue.ts';
import { recordOf, stopRecordedProcess, writePidFile } from './pid-file.ts';
import { decideAfterExit, formatDuration, freshHistory, stopFailure, type RestartHistory, type RestartPolicy } from './restart-policy.ts';

/** A supervised child's lifecycle: the runner's states (src/shared/runner-status.ts), for any child. */
export type ChildState = RunnerState;
/** What a supervisor publishes; the runner adds the command it shows. */
export type ChildStatus = Omit<RunnerStatus, 'command'>;
export interface ChildTransition {
  from: ChildState;
  status: ChildStatus;
  /** Into `crash-loop`: the unstable exits that made it one. */
  unstableExits?: number;
}

/** What to launch, or why it cannot be: read afresh at every launch, so a launch always has the latest configuration. */
export type ChildPlan =
  /** `program` names it when it cannot be spawned: `runner command "x"`. */
  { ok: true; spec: LaunchSpec; program: string } | { ok: false; error: RunnerError };

/** How a child that serves came up: answering, or not (it exited first, or took too long) and why. */
export type ReadyOutcome = { ok: true } | { ok: false; error: RunnerError };

export interface ChildSupervisorOptions {
  /** How messages name the child: as a subject ("the runner") and before its pid ("runner 123"). */
  name: { subject: string; short: string };
  /** Its executable and environment now (argv, env, channel); called at each launch, never cached. */
  plan: () => ChildPlan;
  policy: RestartPolicy;
  /** Drives restart delays, the reconfiguration debounce and uptime. Kill grace periods use real time. */
  clock?: Clock | undefined;
  /** Where its pid and start time are recorded, so that a killed app's child is ended at the next start. */
  pidFile: string;
  /** Where its output goes and where its last lines are read; without it, output is discarded. */
  output?: ProcessOutput | undefined;
  /** Masks secrets in the last lines kept for a crash message. */
  redact?: ((text: string) => string) | undefined;
  /** How long a stopping child has after SIGTERM before its whole tree is SIGKILLed. */
  killGraceMs: number;
  /** Reconfigurations closer together than this cause a single trailing restart. */
  reconfigureDebounceMs?: number | undefined;
  /** How many output lines are kept for the crash-loop message. */
  tailLines?: number | undefined;
  launcher?: Launcher | undefined;
  /**
   * A child that serves is `running` only once this resolves `ok` (an `ollama serve` answering);
   * one that does not come up is `failed`, not restarted. Without it, a spawned child runs.
   */
  untilReady?: ((launch: Launch) => Promise<ReadyOutcome>) | undefined;
  /** How much of its stderr each launch keeps (`Launch.stderrTail`), for `untilReady`'s message. */
  stderrTailChars?: number | undefined;
}

/** Spawn failures for want of resources (descriptors, processes, memory), which may pass. */
const TRANSIENT_SPAWN_ERRORS = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM']);

export const describeExit = (exit: LaunchExit): string =>
  exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;

/**
 * Supervises one child process (docs/ARCHITECTURE.md §3), the runner and `ollama serve` alike:
 * launches what `plan()` says, restarts it after a crash with the policy's backoff, stops in
 * `crash-loop` after too many unstable exits, in `failed` on an exit code the policy lists or a
 * plan that cannot run, restarts once per burst of reconfigurations, stops it gracefully (SIGTERM,
 * then SIGKILL of the whole tree), and ends a child orphaned by a killed app at the next start.
 * Lifecycle operations run one at a time, in the order they were asked for.
 */
export class ChildSupervisor {
  readonly #options: ChildSupervisorOptions;
  readonly #clock: Clock;
  readonly #launcher: Launcher;
  readonly #events = new TypedEmitter<{ transition: [ChildTransition]; message: [unknown]; 'pid-file-unwritten': [string] }>();
  readonly #operations = new OperationQueue();

  #status: ChildStatus;
  #current: Launch | undefined;
  #history: RestartHistory = freshHistory();
  /** The user wants the child up: set by start/retry/restart, cleared by stop, a clean stop or a stop that failed. */
  #wanted = false;
  #backoffTimer: unknown;
  #reconfigureTimer: unknown;
  /** Callers whose change waits for the trailing restart of a burst. */
  #reconfigured: PromiseWithResolvers<void> | undefined;
  /** The plan the last launch started with: to skip a restart that would change nothing, and to say what the child was given. */
  #launched: { key: string; spec: LaunchSpec | undefined } = { key: '', spec: undefined };
  /** Whether the last launch got as far as opening output sinks, whose lines `lastLines` shows. */
  #outputOpened = false;

  constructor(options: ChildSupervisorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#launcher = options.launcher ?? childProcessLauncher;
    this.#status = {
      state: 'stopped',
      reason: 'not started yet',
      pid: null,
      startedAt: null,
      restarts: 0,
      lastExit: null,
      nextRestartAt: null,
      error: null,
      lastLines: [],
    };
  }

  getState(): ChildStatus {
    return structuredClone(this.#status);
  }

  /** What the last launch was given: in a burst of changes, the plan moves on before the restart that takes it in. */
  get launchedSpec(): Readonly<LaunchSpec> | undefined {
    return this.#launched.spec;
  }

  /** Whether the child is meant to run (the one place this is stored). */
  get wanted(): boolean {
    return this.#wanted;
  }

  /** Whether a launched child is up and has not exited: from its exit on, before the supervisor has handled it, too. */
  get alive(): boolean {
    const current = this.#current;
    return current !== undefined && current.ready && current.exit === undefined && !current.expectedExit;
  }

  /** Called with every transition, carrying its reason; returns the unsubscribe function. */
  subscribe(listener: (transition: ChildTransition) => void): () => void {
    return this.#events.on('transition', listener);
  }

  /** A launch whose pid file could not be written, so a killed app's child cannot be found: why. */
  onPidFileUnwritten(listener: (why: string) => void): () => void {
    return this.#events.on('pid-file-unwritten', listener);
  }

  /** Control messages from the child, across restarts; returns the unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void {
    return this.#events.on('message', listener);
  }

  /** Sends a control message to the child; false when it has no open control channel. */
  send(message: unknown): boolean {
    return this.#current?.handle.send(message) ?? false;
  }

  /** Starts the child, first ending one orphaned by a previous app that was killed. */
  start(reason = 'start requested'): Promise<void> {
    return this.#operations.run(() => this.#startFresh(reason));
  }

  /** After `crash-loop` or `failed`: starts again with a fresh backoff. */
  retry(): Promise<void> {
    return this.#operations.run(() => this.#startFresh('retry requested'));
  }

  /** Stops the child if it runs and starts it again with a fresh backoff. */
  restart(reason: string): Promise<void> {
    return this.#operations.run(async () => {
      this.#wanted = true;
      this.#cancelBackoff();
      if (await this.#terminateCurrent(reason)) await this.#launch(reason, { freshBackoff: true });
    });
  }

  /**
   * Resolves once the child and every process it started are gone, and no timer of the
   * supervisor is left. Safe to call in any state.
   */
  stop(): Promise<void> {
    this.#wanted = false;
    this.#cancelBackoff();
    this.#cancelReconfigure();
    return this.#operations.run(async () => {
      if (!(await this.#terminateCurrent('stop requested'))) return;
      // A child an earlier stop could not end kept its pid file: it gets another try (quit included).
      const left = await stopRecordedProcess(this.#options.pidFile, { graceMs: this.#options.killGraceMs });
      if (left.kind === 'still-running') return this.#fail(this.#stopFailure(left.pid, String(left.error)));
      this.#transition('stopped', 'stopped as requested', { nextRestartAt: null, error: null });
    });
  }

  /**
   * The configuration changed: if the child is wanted up (running, backing off, or stopped by a
   * crash loop or a bad configuration, which the change may fix), it restarts with `plan()`. The
   * first change after a quiet spell restarts at once (a switch should feel instant); changes that
   * follow within the debounce share one trailing restart, skipped when the running child already
   * has the latest plan, so a burst costs at most two restarts. Resolves once a child with this
   * configuration has started.
   */
  reconfigure(reason: string): Promise<void> {
    const leading = this.#reconfigureTimer === undefined;
    if (!leading) this.#clock.clearTimeout(this.#reconfigureTimer);
    this.#reconfigureTimer = this.#clock.setTimeout(() => this.#endReconfigureBurst(reason), this.#options.reconfigureDebounceMs ?? 500);
    if (leading) return this.#restartForPlan(reason);
    return (this.#reconfigured ??= Promise.withResolvers<void>()).promise;
  }

  /** The quiet spell after a burst: one trailing restart for the changes the leading one may have missed. */
  #endReconfigureBurst(reason: string): void {
    this.#reconfigureTimer = undefined;
    const waiting = this.#reconfigured;
    this.#reconfigured = undefined;
    if (waiting) this.#restartForPlan(reason).then(waiting.resolve, waiting.reject);
  }

  #restartForPlan(reason: string): Promise<void> {
    return this.#operations.run(async () => {
      if (!this.#wanted || (this.#current && this.#launched.key === planKey(this.#options.plan()))) return;
      this.#cancelBackoff();
      if (await this.#terminateCurrent(reason)) await this.#launch(reason, { freshBackoff: true });
    });
  }

  async #startFresh(reason: string): Promise<void> {
    this.#wanted = true;
    if (this.#current || this.#status.state === 'backoff') return;
    this.#transition('starting', reason, { error: null, nextRestartAt: null });
    const orphan = await stopRecordedProcess(this.#options.pidFile, { graceMs: this.#options.killGraceMs });
    if (orphan.kind === 'still-running') throw orphan.error;
    const orphanNote = orphan.kind === 'stopped' ? `; ended ${this.#options.name.short} ${orphan.pid} left over from a previous run` : '';
    await this.#launch(reason + orphanNote, { freshBackoff: true });
  }

  async #launch(reason: string, { freshBackoff }: { freshBackoff: boolean }): Promise<void> {
    if (!this.#wanted) return;
    if (freshBackoff) {
      this.#history = freshHistory();
      this.#status.restarts = 0;
    }
    this.#outputOpened = false;
    const plan = this.#options.plan();
    this.#launched = { key: planKey(plan), spec: plan.ok ? plan.spec : undefined };
    this.#transition('starting', reason, { error: null, nextRestartAt: null, pid: null, startedAt: null, lastLines: [] });
    if (!plan.ok) return this.#fail(plan.error);

    const launch = openLaunch(
      this.#launcher,
      plan.spec,
      this.#options.output,
      (message) => this.#events.emit('message', message),
      this.#options.stderrTailChars,
    );
    this.#outputOpened = launch.sinksOpen;
    let pid: number;
    try {
      pid = await launch.handle.started;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      const message = `${plan.program} could not be started (${code})`;
      if (TRANSIENT_SPAWN_ERRORS.has(code)) {
        // The system is short of resources, which may pass: a failed start, which the restart policy
        // handles like a run that ended at once (backoff, then crash-loop if it goes on).
        launch.startedAt = this.#clock.now();
        this.#current = launch;
        return this.#afterUnexpectedExit(launch, { code: null, signal: null }, message);
      }
      launch.stopListening();
      launch.release();
      return this.#fail({ message, fix: 'check that it is a program this system can run, or change its command' });
    }
    launch.startedAt = this.#clock.now();
    launch.ready = this.#options.untilReady === undefined;
    this.#current = launch;
    void launch.handle.exited.then((exit) => {
      launch.exit = exit;
      if (!launch.expectedExit && launch.ready) void this.#operations.run(() => this.#afterUnexpectedExit(launch, exit));
    });
    const pidFileNote = await writePidFile(this.#options.pidFile, recordOf(pid, plan.spec.argv, launch.handle.marker)).then(
      () => '',
      (error: unknown) => {
        this.#events.emit('pid-file-unwritten', String(error));
        return `; its pid file could not be written (${String(error)}), so it cannot be found if the app is killed`;
      },
    );
    if (this.#options.untilReady) {
      this.#status.pid = pid;
      const outcome = await this.#options.untilReady(launch);
      if (this.#current !== launch) return;
      if (!outcome.ok) {
        launch.expectedExit = true;
        const ended = await this.#end(launch);
        return this.#fail(ended.ok ? outcome.error : this.#stopFailure(pid, ended.cause));
      }
      launch.ready = true;
      // Uptime counts from when it answered: a slow start is not a healthy run.
      launch.startedAt = this.#clock.now();
      if (launch.exit && !launch.expectedExit) {
        const exit = launch.exit;
        void this.#operations.run(() => this.#afterUnexpectedExit(launch, exit));
      }
    }
    this.#transition('running', `started (pid ${pid}): ${reason}${pidFileNote}`, { pid, startedAt: launch.startedAt });
  }

  async #afterUnexpectedExit(exited: Launch, exit: LaunchExit, what = `${this.#options.name.subject} ${describeExit(exit)}`): Promise<void> {
    if (this.#current !== exited) return;
    // Its descendants (those that left its process group included) are ended with it, at a crash as at a stop.
    const pid = this.#status.pid;
    const ended = await this.#end(exited);
    if (!ended.ok) return this.#fail(this.#stopFailure(pid, ended.cause));
    const exitedAt = this.#clock.now();
    this.#status.lastExit = { ...exit, at: exitedAt } satisfies RunnerExit;
    const { policy } = this.#options;
    const decision = decideAfterExit(policy, this.#history, { ...exit, startedAt: exited.startedAt, exitedAt });
    switch (decision.action) {
      case 'do-not-restart': {
        const meaning = policy.exitCodeMeanings?.[decision.code];
        return this.#fail({
          message: `${what}${meaning ? ` (${meaning})` : ''}; exit code ${decision.code} is set not to restart`,
          fix: 'fix the cause its last lines name, then retry; a configuration change restarts it too',
        });
      }
      case 'clean-stop':
        this.#wanted = false;
        this.#transition('stopped', `${what}: a clean stop, so it is not restarted`, { nextRestartAt: null, error: null, lastLines: this.#lastLines() });
        return;
      case 'crash-loop': {
        this.#history = decision.history;
        const within = Number.isFinite(policy.crashLoopWindowMs) ? ` within ${formatDuration(policy.crashLoopWindowMs)}` : ' in a row';
        const error: RunnerError = {
          message: `${this.#options.name.subject} exited ${decision.unstableExits} times${within}, each time less than ${formatDuration(policy.healthyAfterMs)} after starting, so it is no longer restarted`,
          fix: 'read its last lines, fix the cause, then retry',
        };
        this.#transition('crash-loop', `${what}: crash loop`, { error, lastLines: this.#lastLines() }, { unstableExits: decision.unstableExits });
        return;
      }
      case 'restart': {
        this.#history = decision.history;
        this.#status.restarts += 1;
        this.#transition('backoff', `${what}; restarting in ${formatDuration(decision.delayMs)}`, {
          nextRestartAt: exitedAt + decision.delayMs,
          lastLines: this.#lastLines(),
        });
        this.#backoffTimer = this.#clock.setTimeout(() => {
          this.#backoffTimer = undefined;
          void this.#operations.run(async () => {
            if (this.#status.state === 'backoff') await this.#launch(`restart ${this.#status.restarts} after: ${what}`, { freshBackoff: false });
          });
        }, decision.delayMs);
      }
    }
  }

  /**
   * Ends the current process, if any; false when it could not be (the state is then `failed`,
   * naming why), so that nothing is started beside a child that may still run.
   */
  async #terminateCurrent(reason: string): Promise<boolean> {
    const current = this.#current;
    if (!current) return true;
    current.expectedExit = true;
    this.#transition('stopping', reason, {});
    const pid = this.#status.pid;
    const ended = await this.#end(current);
    if (!ended.ok) {
      this.#wanted = false;
      this.#fail(this.#stopFailure(pid, ended.cause));
      return false;
    }
    const exit = await current.handle.exited;
    this.#status.lastExit = { ...exit, at: this.#clock.now() };
    return true;
  }

  async #end(current: Launch): Promise<{ ok: true } | { ok: false; cause: string }> {
    this.#current = undefined;
    const ended = await endLaunch(current, this.#options.killGraceMs, this.#options.pidFile);
    this.#status.pid = null;
    return ended;
  }

  #stopFailure(pid: number | null, cause: string): RunnerError {
    return stopFailure(this.#options.name.subject, pid, cause);
  }

  #fail(error: RunnerError): void {
    this.#transition('failed', error.message, { error, lastLines: this.#lastLines(), pid: null, nextRestartAt: null });
  }

  #cancelBackoff(): void {
    if (this.#backoffTimer === undefined) return;
    this.#clock.clearTimeout(this.#backoffTimer);
    this.#backoffTimer = undefined;
  }

  #cancelReconfigure(): void {
    if (this.#reconfigureTimer !== undefined) this.#clock.clearTimeout(this.#reconfigureTimer);
    this.#reconfigureTimer = undefined;
    this.#reconfigured?.resolve();
    this.#reconfigured = undefined;
  }

  #transition(state: ChildState, reason: string, patch: Partial<ChildStatus>, facts: Pick<ChildTransition, 'unstableExits'> = {}): void {
    const from = this.#status.state;
    this.#status = { ...this.#status, ...patch, state, reason };
    if (from === state) return;
    this.#events.emit('transition', { from, status: this.getState(), ...facts });
  }

  /** The child's last lines, for a crash message, masked. */
  #lastLines(): string[] {
    if (!this.#outputOpened || !this.#options.output) return [];
    const lines = this.#options.output.lastLines(this.#options.tailLines ?? 20);
    const { redact } = this.#options;
    return redact ? lines.map(redact) : lines;
  }
}

/** What a launch would start, as a key: equal keys mean a restart would change nothing. */
const planKey = (plan: ChildPlan): string => JSON.stringify(plan.ok ? [plan.spec.argv, plan.spec.env, plan.spec.controlChannel] : plan.error);

import { maskSecret } from '../../shared/secret-mask.ts';
import type { RunnerStatus, RunnerTransition } from '../../shared/runner-status.ts';
import { formatRunnerCommand, locateRunnerExecutable, type RunnerCommand } from './command.ts';
import type { ProcessOutput } from '../process/process-output.ts';
import { ChildSupervisor, type ChildPlan, type ChildStatus } from '../process/child-supervisor.ts';
import type { Clock } from '../process/clock.ts';
import type { Launcher } from '../process/launcher.ts';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from '../process/restart-policy.ts';
import { RUNNER_SECRET_VARIABLES } from './runner-env.ts';

export { systemClock, type Clock } from '../process/clock.ts';

/**
 * The runner runs at a lower CPU priority than the app. Its work is mostly waiting on a model;
 * the app is what the user touches, and it also takes all the runner prints: on a busy machine
 * a runner flooding its output at the same priority kept the app off the CPU for hundreds of
 * milliseconds at a time (docs/BENCHMARKS.md, "Busy machine"). What the runner starts inherits it.
 */
export const RUNNER_NICENESS = 10;

/** What the runner is launched with: its command and its complete environment (`buildRunnerEnv`). */
export interface RunnerInputs {
  command: RunnerCommand;
  env: Record<string, string>;
}

export interface RunnerSupervisorOptions {
  /** The runner's command and environment now: read at each launch (and for the state), never cached. */
  inputs: () => RunnerInputs;
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

/**
 * Supervises the runner (docs/ARCHITECTURE.md §3) with the one child supervisor
 * (src/main/process/child-supervisor.ts): what is runner-specific is where its executable is
 * found, which control channel it gets, the command the state shows, and the keys masked in its
 * last lines.
 */
export class RunnerSupervisor {
  readonly #options: RunnerSupervisorOptions;
  readonly #child: ChildSupervisor;

  constructor(options: RunnerSupervisorOptions) {
    this.#options = options;
    this.#child = new ChildSupervisor({
      name: { subject: 'the runner', short: 'runner' },
      plan: () => this.#plan(),
      policy: { ...DEFAULT_RESTART_POLICY, ...options.policy },
      clock: options.clock,
      pidFile: options.pidFile,
      output: options.output,
      redact: (text) => this.#redact(text),
      killGraceMs: options.killGraceMs ?? 5_000,
      reconfigureDebounceMs: options.configDebounceMs,
      tailLines: options.tailLines,
      launcher: options.launcher,
    });
  }

  getState(): RunnerStatus {
    return this.#withCommand(this.#child.getState());
  }

  /** The environment the current (or last) runner was launched with; undefined before the first launch. */
  get launchedEnv(): Readonly<Record<string, string>> | undefined {
    return this.#child.launchedSpec?.env;
  }

  /** Whether the runner is meant to run: set by start/retry/restart, cleared by stop. */
  get wanted(): boolean {
    return this.#child.wanted;
  }

  /** Called with every transition, carrying its reason; returns the unsubscribe function. */
  subscribe(listener: (transition: RunnerTransition) => void): () => void {
    return this.#child.subscribe(({ from, status }) => listener({ from, status: this.#withCommand(status) }));
  }

  /** Starts the runner, first ending one orphaned by a previous app that was killed. */
  start(): Promise<void> {
    return this.#child.start();
  }

  /** After `crash-loop` or `failed`: starts again with a fresh backoff. */
  retry(): Promise<void> {
    return this.#child.retry();
  }

  /** Stops the runner if it runs and starts it again with a fresh backoff. */
  restart(reason: string): Promise<void> {
    return this.#child.restart(reason);
  }

  /** Resolves once the runner and every process it started are gone, and no timer is left. */
  stop(): Promise<void> {
    return this.#child.stop();
  }

  /**
   * The configuration changed: a runner wanted up restarts with `inputs()` (at once for the first
   * change, once more for a burst that follows; see `ChildSupervisor.reconfigure`). Resolves once a
   * runner with the latest inputs has started.
   */
  reconfigure(reason = 'configuration changed'): Promise<void> {
    return this.#child.reconfigure(reason);
  }

  /** Sends a control message to the runner; false when it has no open control channel. */
  send(message: unknown): boolean {
    return this.#child.send(message);
  }

  /** Control messages from the runner, across restarts; returns the unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void {
    return this.#child.onMessage(listener);
  }

  #plan(): ChildPlan {
    const { command, env } = this.#options.inputs();
    const cwd = this.#options.cwd ?? process.cwd();
    const located = locateRunnerExecutable(command, { cwd, env });
    if (!located.ok) return located;
    const [, ...args] = command.argv;
    const controlChannel = this.#options.controlChannel ?? (command.builtIn || (command.controlChannel === true && 'json-lines'));
    return {
      ok: true,
      spec: { argv: [located.path, ...args], env, cwd, controlChannel, niceness: RUNNER_NICENESS },
      program: `runner command ${JSON.stringify(command.argv[0])}`,
    };
  }

  #withCommand(status: ChildStatus): RunnerStatus {
    return { ...status, command: formatRunnerCommand(this.#options.inputs().command.argv) };
  }

  /** Masks the keys this supervisor hands the runner, then whatever the host's redactor knows. */
  #redact(text: string): string {
    const { env } = this.#options.inputs();
    let masked = text;
    for (const name of RUNNER_SECRET_VARIABLES) {
      const secret = env[name];
      if (secret && secret.length >= 8) masked = masked.replaceAll(secret, maskSecret(secret));
    }
    return this.#options.redact ? this.#options.redact(masked) : masked;
  }
}

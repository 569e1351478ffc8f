import { RunnerTasks } from './runner-tasks.ts';
import { isPinnedSource } from '../../shared/config.ts';
import type { PlaygroundEvent } from '../../shared/ipc.ts';
import type { AppState } from '../../shared/state-schema.ts';
import type { LogEntry } from '../../shared/logs.ts';
import type { CloudProvider } from '../../shared/providers.ts';
import type { RunnerState, RunnerStatus } from '../../shared/runner-status.ts';
import type { RunnerErrorCode } from '../../shared/runner-protocol.ts';
import type { LogPipeline } from '../logs/pipeline.ts';
import { formatRunnerCommand, type RunnerCommand } from '../runner/command.ts';
import type { Launcher } from '../process/launcher.ts';
import { pidFilePath } from '../process/pid-file.ts';
import { buildRunnerEnv, describeRunnerEnv } from '../runner/runner-env.ts';
import { RunnerSupervisor, type RunnerInputs, type RunnerSupervisorOptions } from '../runner/supervisor.ts';
import { CommandError } from './command-error.ts';
import type { Configuration } from './configuration.ts';

export interface RunnerControlDeps {
  configuration: Configuration;
  env: NodeJS.ProcessEnv;
  runDir: string;
  logs: LogPipeline;
  /** Starts the built-in runner the host's way (Electron: a `utilityProcess`). */
  builtInLauncher?: Launcher | undefined;
  runnerOptions?: Pick<RunnerSupervisorOptions, 'killGraceMs' | 'policy' | 'configDebounceMs'> | undefined;
  /** How long a custom runner given the control channel may take to say `ready` before the state says it has not (default 15 s). */
  readyWaitMs?: number | undefined;
  /** The Ollama model a runner not started yet waits for (it is downloading), if any. */
  awaitedDownload: () => string | undefined;
  /** The runner's answer to the app's provider check with this key: it verifies (or, `failedCode` 'auth', rejects) it. */
  onKeyChecked: (provider: CloudProvider, masked: string, failedCode: RunnerErrorCode | undefined) => void;
  onPlayground: (event: PlaygroundEvent) => void;
  /** Something the state shows changed. */
  onChange: () => void;
  log: (level: LogEntry['level'], msg: string) => void;
}

/** What `apply` does to bring the runner in line with the configuration. */
export type RunnerStep =
  /** The configuration is invalid: stop a runner that runs (`stop`), and start none. */
  | { kind: 'invalid'; stop: boolean }
  | { kind: 'launch' }
  /** Nothing to do yet: not wanted, or the model it needs is still downloading. */
  | { kind: 'wait' }
  | { kind: 'retry' }
  | { kind: 'start' }
  | { kind: 'apply-config' }
  | { kind: 'none' };

export interface RunnerSituation {
  valid: boolean;
  /** The supervisor's state; undefined without one. */
  current: RunnerState | undefined;
  wanted: boolean;
  awaitingDownload: boolean;
  /** The user asked for it (start, retry): a failed or stopped runner is started again. */
  retry: boolean;
  /** Its command or environment differ from what it was last given. */
  inputsChanged: boolean;
}

/** A runner that speaks the channel says `ready` at once (the Python example before its first request); 15 s leaves room for a slow start. */
const DEFAULT_READY_WAIT_MS = 15_000;

/** Started when wanted and valid, stopped when the configuration became invalid, given a changed command or environment once. Pure. */
export function planRunner(situation: RunnerSituation): RunnerStep {
  const { valid, current, wanted, awaitingDownload, retry, inputsChanged } = situation;
  if (!valid) return { kind: 'invalid', stop: current !== undefined && current !== 'stopped' };
  if (current === undefined) return !wanted || awaitingDownload ? { kind: 'wait' } : { kind: 'launch' };
  if (retry && (current === 'failed' || current === 'crash-loop')) return { kind: 'retry' };
  if (retry && current === 'stopped') return { kind: 'start' };
  return inputsChanged ? { kind: 'apply-config' } : { kind: 'none' };
}

/** Why there is no runner yet, as the Overview says it. Pure. */
export function waitingReason({ valid, wanted, awaited }: { valid: boolean; wanted: boolean; awaited: string | undefined }): string {
  if (!valid) return 'waiting for a valid configuration';
  if (!wanted) return 'waiting for setup to complete';
  return awaited ? `waiting for ${awaited} to finish downloading; it starts when the model lands` : 'starting';
}

/**
 * The runner's lifecycle: its supervisor (one per valid configuration), started, stopped and
 * restarted as the configuration and the user say, and the environment it is given. The app side
 * of the runner protocol (readiness, the provider check, Playground tasks) is `tasks` (runner-tasks.ts).
 */
export class RunnerControl {
  readonly #deps: RunnerControlDeps;
  #runner: RunnerSupervisor | undefined;
  /** The command and environment the runner was last given, so a change that leaves them as they were restarts nothing. */
  #runnerInputs = '';
  /** What the current runner was given, as the window shows it. */
  #runnerEnv: AppState['runnerEnv'] = null;
  /** The restart for the latest configuration change, which `settled` hands to whoever made it. */
  #applied: Promise<void> = Promise.resolve();
  /** Ends the current supervisor's subscriptions and output streams. */
  #releaseRunner: (() => void) | undefined;
  /** The runner should be running: set by auto-start and `runner:start`, cleared by `runner:stop`. */
  #wanted = false;
  #stopped = false;
  /** The protocol side: readiness, the provider check, Playground tasks, incidents. */
  readonly tasks: RunnerTasks;

  constructor(deps: RunnerControlDeps) {
    this.#deps = deps;
    this.tasks = new RunnerTasks({
      configuration: deps.configuration,
      logs: deps.logs,
      runner: () => this.#runner,
      readyWaitMs: deps.readyWaitMs ?? DEFAULT_READY_WAIT_MS,
      onKeyChecked: deps.onKeyChecked,
      onPlayground: deps.onPlayground,
      onChange: deps.onChange,
      log: deps.log,
    });
  }

  get env(): AppState['runnerEnv'] {
    return this.#runnerEnv;
  }

  /** Whether a supervisor exists (a runner command saved with "restart later" waits for it). */
  get exists(): boolean {
    return this.#runner !== undefined;
  }

  want(wanted: boolean): void {
    this.#wanted = wanted;
  }

  status(): RunnerStatus {
    if (this.#runner) {
      const status = this.#runner.getState();
      return { ...status, command: this.#redact(status.command) };
    }
    const resolved = this.#deps.configuration.runnerCommand;
    const command = resolved?.ok ? this.#redact(formatRunnerCommand(resolved.command.argv)) : '';
    const reason = waitingReason({ valid: this.#deps.configuration.current.errors.length === 0, wanted: this.#wanted, awaited: this.#deps.awaitedDownload() });
    return { state: 'stopped', reason, command, pid: null, startedAt: null, restarts: 0, lastExit: null, nextRestartAt: null, error: null, lastLines: [] };
  }

  /** The runner command as the Settings screen shows it (keys written into it masked). */
  commandView(savedCommand: string | undefined, savedControlChannel = false): AppState['runnerCommand'] {
    const resolved = this.#deps.configuration.runnerCommand;
    const saved = this.#deps.configuration.pendingRunnerCommand;
    const pending = saved === null ? null : this.#redact(saved);
    // An invalid STIGMER_RUNNER_CONTROL_CHANNEL is the runner command's error; the switch shows as pinned off by it.
    const channel = this.#deps.configuration.controlChannel ?? { enabled: false, source: 'env:STIGMER_RUNNER_CONTROL_CHANNEL' as const };
    const controlChannel = { value: channel.enabled, source: channel.source, pinned: isPinnedSource(channel.source), saved: savedControlChannel };
    if (resolved?.ok === true) {
      const { argv, source } = resolved.command;
      return { value: this.#redact(formatRunnerCommand(argv)), source, pinned: isPinnedSource(source), pending, controlChannel };
    }
    return { value: this.#redact(savedCommand ?? ''), source: 'settings', pinned: false, pending, controlChannel };
  }

  /** Brings the runner in line with the configuration (`planRunner`); with `retry`, an invalid configuration is the command's error. */
  async apply(reason: string, { retry = false } = {}): Promise<void> {
    if (this.#stopped) return;
    const config = this.#deps.configuration.current;
    const command = this.#deps.configuration.runnerCommand;
    const given = this.#inputs();
    const runnable = given?.command;
    const env = given?.env ?? {};
    const inputs = given ? JSON.stringify([given.command.argv, env]) : '';
    const step = planRunner({
      valid: runnable !== undefined,
      current: this.#runner?.getState().state,
      wanted: this.#wanted,
      awaitingDownload: runnable !== undefined && !this.#runner && this.#wanted && this.#deps.awaitedDownload() !== undefined,
      retry,
      inputsChanged: inputs !== this.#runnerInputs,
    });
    const record = () => {
      this.#runnerInputs = inputs;
      this.#runnerEnv = describeRunnerEnv(env, this.#deps.env, (text) => this.#redact(text));
    };
    switch (step.kind) {
      case 'invalid': {
        const error = command?.ok === false ? command.error : undefined;
        if (step.stop && this.#runner) {
          this.#deps.log('warn', `Stopping the runner until the configuration is fixed: ${error ? error.message : config.errors[0]?.message}`);
          await this.#runner.stop();
          // A stopped supervisor stays stopped; a fresh one starts once the configuration is fixed.
          this.#release();
        }
        if (retry)
          throw new CommandError(
            error ? error.message : (config.errors[0]?.message ?? 'The configuration is invalid.'),
            error ? error.fix : 'Fix the configuration first (see Overview).',
          );
        this.#deps.onChange();
        return;
      }
      case 'wait':
        if (this.#wanted) this.#deps.onChange();
        return;
      case 'launch':
        if (!runnable) return;
        this.#runner = this.#createRunner(runnable);
        record();
        this.#deps.log('info', `Starting the runner (${reason}): ${formatRunnerCommand(runnable.argv)}`);
        await this.#runner.start();
        return;
      case 'retry':
        await this.#runner?.retry();
        return;
      case 'start':
        await this.#runner?.start();
        return;
      case 'apply-config':
        record();
        this.#deps.log('info', `The runner's configuration changed: ${reason}`);
        // Not awaited here, inside the configuration queue: changes that follow must reach the
        // supervisor while it restarts, to share its next restart (the caller awaits `settled`).
        this.#applied = this.#runner?.reconfigure('configuration changed') ?? Promise.resolve();
        // Handled here too: a restart superseded by a newer change is awaited by nobody.
        this.#applied.catch(() => undefined);
        return;
      case 'none':
        return;
    }
  }

  /** Resolves once the runner has restarted for the latest configuration change (at once if none is pending). */
  settled(): Promise<void> {
    return this.#applied;
  }

  /** `runner:restart`: a running supervisor restarts; without one, the runner is started. */
  async restart(): Promise<void> {
    this.#wanted = true;
    if (this.#runner) await this.#runner.restart('restarted by the user');
    else await this.apply('started by the user', { retry: true });
  }

  async stop(): Promise<void> {
    this.#wanted = false;
    await this.#runner?.stop();
  }

  /** Stops the runner for good (the app is quitting). */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    this.tasks.settle();
    this.#wanted = false;
    await this.#runner?.stop();
    this.#releaseRunner?.();
  }

  /**
   * Masks known keys and key shapes as the log pipeline does, for text that leaves the core some
   * other way: a key written into the runner command.
   */
  #redact(text: string): string {
    return this.#deps.logs.redactor.redact(text);
  }

  #release(): void {
    this.#releaseRunner?.();
    this.#releaseRunner = undefined;
    this.#runner = undefined;
  }

  /**
   * The runner's command and environment as the configuration gives them now (undefined while it
   * is invalid): the one function a launch reads them from.
   */
  #inputs(): RunnerInputs | undefined {
    const config = this.#deps.configuration.current;
    const command = this.#deps.configuration.runnerCommand;
    if (config.errors.length > 0 || command?.ok !== true) return undefined;
    return { command: command.command, env: buildRunnerEnv(config, this.#deps.env, { controlChannel: command.command.controlChannel === true }) };
  }

  #createRunner(command: RunnerCommand): RunnerSupervisor {
    const { logs, builtInLauncher, runnerOptions } = this.#deps;
    // A configuration that turned invalid stops this supervisor (`apply`); until then it keeps what it last launched.
    let last: RunnerInputs | undefined;
    const supervisor = new RunnerSupervisor({
      inputs: () => (last = this.#inputs() ?? last)!,
      pidFile: pidFilePath(this.#deps.runDir, 'runner'),
      output: logs.processOutput('runner'),
      redact: (text) => logs.redactor.redact(text),
      ...(builtInLauncher && command.builtIn ? { launcher: builtInLauncher } : {}),
      ...runnerOptions,
    });
    const unsubscribers = [
      supervisor.subscribe((transition) => {
        this.tasks.follow(transition);
        const { status } = transition;
        const stuck = status.state === 'crash-loop' || status.state === 'failed';
        const text = stuck && status.error ? `${status.error.message} — ${status.error.fix}` : status.reason;
        this.#deps.log(stuck ? 'error' : 'info', `Runner ${status.state}: ${text}`);
        this.#deps.onChange();
      }),
      supervisor.onMessage((message) => this.tasks.handle(message)),
    ];
    this.#releaseRunner = () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
    };
    return supervisor;
  }
}

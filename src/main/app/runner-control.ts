import { randomUUID } from 'node:crypto';
import { isPinnedSource, type ConfigSource } from '../../shared/config.ts';
import type { CommandResponse, PlaygroundEvent } from '../../shared/ipc.ts';
import type { AppState, UserError } from '../../shared/state-schema.ts';
import type { LogEntry } from '../../shared/logs.ts';
import type { CloudProvider, Provider } from '../../shared/providers.ts';
import { maskSecret } from '../../shared/secret-mask.ts';
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
import { ReadyWatch } from './ready-watch.ts';
import { RunnerProtocol } from './runner-protocol-handler.ts';
import { noTaskChannelFix } from '../../shared/runner-channel.ts';

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
 * The runner: its supervisor's lifecycle (one supervisor per valid configuration), the
 * environment it is given, and the app side of the runner protocol (readiness, the start-up
 * provider check, playground tasks, incidents it reports).
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
  /** The running process sent `ready`: a custom runner is sent tasks only then, so one that never reads its channel is never sent any. */
  #announced = false;
  readonly #readyWatch: ReadyWatch;
  readonly #protocol: RunnerProtocol;

  constructor(deps: RunnerControlDeps) {
    this.#deps = deps;
    this.#readyWatch = new ReadyWatch({
      waitMs: deps.readyWaitMs ?? DEFAULT_READY_WAIT_MS,
      onSilent: (waitedMs) => {
        deps.log('warn', `The runner has not said "ready" on its control channel after ${waitedMs / 1000} s; the Playground cannot use it until it does`);
        deps.onChange();
      },
    });
    this.#protocol = new RunnerProtocol({
      log: deps.log,
      logRunner: (level, msg) => deps.logs.log('runner', level, msg),
      redact: (text) => this.#redact(text),
      given: () => {
        const { provider, model, baseUrl } = deps.configuration.current;
        return { provider: provider.value, model: model.value, baseUrl: baseUrl.value };
      },
      onReady: (check) => {
        this.#announced = true;
        this.#readyWatch.announced();
        // A "has not said ready" problem shown before a late ready goes away.
        deps.onChange();
        // One cheap authenticated call proves the key and the model before the user relies on them.
        if (check) this.#sendCheck(check);
      },
      onKeyChecked: (provider, failedCode) => {
        const key = deps.configuration.current.keys[provider];
        if (key) deps.onKeyChecked(provider, maskSecret(key.value), failedCode);
      },
      onPlayground: deps.onPlayground,
      onChange: deps.onChange,
    });
  }

  /** A runner given the control channel that has not said `ready` in a while: where its channel came from, and how long it was waited for. */
  get silentChannel(): { waitedMs: number; source: ConfigSource } | null {
    const waitedMs = this.#readyWatch.silentFor;
    const channel = this.#deps.configuration.controlChannel;
    return waitedMs === null || !channel ? null : { waitedMs, source: channel.source };
  }

  /** A problem the runner reported outside any task (its start-up provider check). */
  get incident(): UserError | null {
    return this.#protocol.incident;
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
    this.#readyWatch.settle();
    this.#wanted = false;
    await this.#runner?.stop();
    this.#releaseRunner?.();
  }

  runTask(prompt: string, system: string | undefined): CommandResponse<'playground:run'> {
    const runner = this.#runner;
    if (!runner || runner.getState().state !== 'running') {
      throw new CommandError('The runner is not running.', 'Start it from the Overview or the tray, then try again.');
    }
    const command = this.#deps.configuration.runnerCommand;
    if (!command?.ok || !(command.command.builtIn || command.command.controlChannel)) {
      throw new CommandError(
        'The playground needs the built-in runner; a custom runner has no task channel.',
        noTaskChannelFix(this.#deps.configuration.controlChannel?.source ?? 'env:STIGMER_RUNNER_CONTROL_CHANNEL'),
      );
    }
    if (!this.#takesTasks()) {
      throw new CommandError(
        'The runner has not said it takes tasks: no "ready" message came on its control channel.',
        'A runner given the control channel sends {"type":"ready",…} on the descriptor named by STIGMER_CONTROL_FD; see its logs.',
      );
    }
    const taskId = randomUUID();
    this.#protocol.asked(taskId, { kind: 'task' });
    if (!runner.send({ type: 'task', id: taskId, prompt, ...(system ? { system } : {}) })) {
      throw new CommandError('The task could not be sent to the runner.', 'Restart the runner and try again.');
    }
    return { taskId };
  }

  cancelTask(taskId: string): void {
    this.#runner?.send({ type: 'cancel', id: taskId });
  }

  /**
   * What the runner reported (Ollama unreachable, a model missing) may be fixed now that Ollama
   * changed: the report is dropped and the runner checks again, so a cause that is gone no
   * longer shows, and one that remains is reported afresh.
   */
  recheckIncident(): void {
    if (!this.#protocol.incident) return;
    this.#protocol.clearIncident();
    if (this.#runner?.getState().state === 'running' && this.#takesTasks()) this.#sendCheck(this.#deps.configuration.current.provider.value);
  }

  /** Asks the runner to check its provider; only the answer to this question is believed. */
  #sendCheck(provider: Provider): void {
    const id = randomUUID();
    this.#protocol.asked(id, { kind: 'check', provider });
    this.#runner?.send({ type: 'check', id });
  }

  /**
   * Masks known keys and key shapes as the log pipeline does, for text that leaves the core some
   * other way: a key written into the runner command.
   */
  #redact(text: string): string {
    return this.#deps.logs.redactor.redact(text);
  }

  /** The built-in runner always listens; a custom one once it has announced itself. */
  #takesTasks(): boolean {
    const command = this.#deps.configuration.runnerCommand;
    if (!command?.ok) return false;
    return command.command.builtIn || (command.command.controlChannel === true && this.#announced);
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
      supervisor.subscribe(({ from, status }) => {
        // A new process announces itself afresh, and answers only what it was asked.
        if (status.state !== 'running') this.#announced = false;
        // As a process is about to start, not once it runs: its `ready` may come before the supervisor says "running".
        if (status.state === 'starting' || from === 'running') this.#protocol.newLaunch();
        // The configuration's command, not the one this supervisor began with: a change of the channel alone restarts the same supervisor.
        const current = this.#deps.configuration.runnerCommand;
        const channelled = current?.ok === true && current.command.controlChannel === true;
        if (status.state === 'running' && channelled && status.startedAt !== null) this.#readyWatch.running(status.startedAt);
        else this.#readyWatch.settle();
        const stuck = status.state === 'crash-loop' || status.state === 'failed';
        const text = stuck && status.error ? `${status.error.message} — ${status.error.fix}` : status.reason;
        this.#deps.log(stuck ? 'error' : 'info', `Runner ${status.state}: ${text}`);
        this.#deps.onChange();
      }),
      supervisor.onMessage((message) => this.#protocol.handle(message)),
    ];
    this.#releaseRunner = () => {
      for (const unsubscribe of unsubscribers) unsubscribe();
    };
    return supervisor;
  }
}

import { randomUUID } from 'node:crypto';
import type { ConfigSource } from '../../shared/config.ts';
import type { CommandResponse, PlaygroundEvent } from '../../shared/ipc.ts';
import type { UserError } from '../../shared/state-schema.ts';
import type { LogEntry } from '../../shared/logs.ts';
import type { CloudProvider, Provider } from '../../shared/providers.ts';
import { maskSecret } from '../../shared/secret-mask.ts';
import type { RunnerTransition } from '../../shared/runner-status.ts';
import type { HistoryMessage, RunnerErrorCode } from '../../shared/runner-protocol.ts';
import { noTaskChannelFix } from '../../shared/runner-channel.ts';
import type { LogPipeline } from '../logs/pipeline.ts';
import type { RunnerSupervisor } from '../runner/supervisor.ts';
import { givenByEnv } from '../runner/runner-env.ts';
import { CommandError } from './command-error.ts';
import type { Configuration } from './configuration.ts';
import { ReadyWatch } from './ready-watch.ts';
import { RunnerProtocol } from './runner-protocol-handler.ts';

export interface RunnerTasksDeps {
  configuration: Configuration;
  logs: LogPipeline;
  /** The current supervisor, if any (`RunnerControl` owns its lifecycle). */
  runner: () => RunnerSupervisor | undefined;
  /** How long a custom runner given the control channel may take to say `ready` before the state says it has not. */
  readyWaitMs: number;
  /** The runner's answer to the app's provider check with this key: it verifies (or, `failedCode` 'auth', rejects) it. */
  onKeyChecked: (provider: CloudProvider, masked: string, failedCode: RunnerErrorCode | undefined) => void;
  onPlayground: (event: PlaygroundEvent) => void;
  onChange: () => void;
  log: (level: LogEntry['level'], msg: string) => void;
}

/**
 * The app side of the runner protocol (docs/ARCHITECTURE.md): readiness (`ready`, and a custom
 * runner that never says it), the start-up provider check, Playground tasks, and the incidents
 * the runner reports. The runner's lifecycle is `RunnerControl`'s.
 */
export class RunnerTasks {
  readonly #deps: RunnerTasksDeps;
  readonly #readyWatch: ReadyWatch;
  readonly #protocol: RunnerProtocol;
  /** The running process sent `ready`: a custom runner is sent tasks only then, so one that never reads its channel is never sent any. */
  #announced = false;

  constructor(deps: RunnerTasksDeps) {
    this.#deps = deps;
    this.#readyWatch = new ReadyWatch({
      waitMs: deps.readyWaitMs,
      onSilent: (waitedMs) => {
        deps.log('warn', `The runner has not said "ready" on its control channel after ${waitedMs / 1000} s; the Playground cannot use it until it does`);
        deps.onChange();
      },
    });
    this.#protocol = new RunnerProtocol({
      log: deps.log,
      logRunner: (level, msg) => deps.logs.log('runner', level, msg),
      redact: (text) => deps.logs.redactor.redact(text),
      // What the running runner was launched with, not the configuration now: in a burst of changes the
      // configuration moves on before the restart that takes it in, and the runner is not to blame.
      given: () => {
        const launched = givenByEnv(deps.runner()?.launchedEnv);
        if (launched) return launched;
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

  /** A message from the runner's control channel. */
  handle(message: unknown): void {
    this.#protocol.handle(message);
  }

  /** Follows the supervisor: a new process announces itself afresh, and answers only what it was asked. */
  follow({ from, status }: RunnerTransition): void {
    if (status.state !== 'running') this.#announced = false;
    // As a process is about to start, not once it runs: its `ready` may come before the supervisor says "running".
    if (status.state === 'starting' || from === 'running') this.#protocol.newLaunch();
    // The configuration's command, not the one this supervisor began with: a change of the channel alone restarts the same supervisor.
    const current = this.#deps.configuration.runnerCommand;
    const channelled = current?.ok === true && current.command.controlChannel === true;
    if (status.state === 'running' && channelled && status.startedAt !== null) this.#readyWatch.running(status.startedAt);
    else this.#readyWatch.settle();
  }

  /** The app is quitting: no more "has not said ready". */
  settle(): void {
    this.#readyWatch.settle();
  }

  /** Sends a Playground prompt; the conversation before it goes along only to a runner that reads it (`withHistory` says whether it did). */
  run(prompt: string, system: string | undefined, history: readonly HistoryMessage[] = []): CommandResponse<'playground:run'> {
    const runner = this.#deps.runner();
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
    const withHistory = this.#protocol.takesHistory;
    const earlier = withHistory && history.length > 0 ? { history: [...history] } : {};
    if (!runner.send({ type: 'task', id: taskId, prompt, ...(system ? { system } : {}), ...earlier })) {
      throw new CommandError('The task could not be sent to the runner.', 'Restart the runner and try again.');
    }
    return { taskId, withHistory };
  }

  cancel(taskId: string): void {
    this.#deps.runner()?.send({ type: 'cancel', id: taskId });
  }

  /**
   * What the runner reported (Ollama unreachable, a model missing) may be fixed now that Ollama
   * changed: the report is dropped and the runner checks again, so a cause that is gone no
   * longer shows, and one that remains is reported afresh.
   */
  recheckIncident(): void {
    if (!this.#protocol.incident) return;
    this.#protocol.clearIncident();
    if (this.#deps.runner()?.getState().state === 'running' && this.#takesTasks()) this.#sendCheck(this.#deps.configuration.current.provider.value);
  }

  /** Asks the runner to check its provider; only the answer to this question is believed. */
  #sendCheck(provider: Provider): void {
    const id = randomUUID();
    this.#protocol.asked(id, { kind: 'check', provider });
    this.#deps.runner()?.send({ type: 'check', id });
  }

  /** The built-in runner always listens; a custom one once it has announced itself. */
  #takesTasks(): boolean {
    const command = this.#deps.configuration.runnerCommand;
    if (!command?.ok) return false;
    return command.command.builtIn || (command.command.controlChannel === true && this.#announced);
  }
}

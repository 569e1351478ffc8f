import type { PlaygroundEvent } from '../../shared/ipc.ts';
import type { LogEntry } from '../../shared/logs.ts';
import { isCloudProvider, type CloudProvider, type Provider } from '../../shared/providers.ts';
import { CONTROL_RATE, RunnerToAppSchema, type RunnerErrorCode } from '../../shared/runner-protocol.ts';
import type { UserError } from '../../shared/state-schema.ts';
import { InvalidControlLine } from '../process/json-lines-channel.ts';
import { neutralizeControls } from '../logs/control-chars.ts';
import { ControlRate } from './control-rate.ts';

/**
 * The app's side of what a runner says on its control channel. A runner is another program: what
 * it says is believed only where it answers a question the app asked, and what it writes is shown
 * as its own words, never as the app's.
 *
 * - `check-result` is taken only for a check the app sent in this launch, about the provider the
 *   app asked about and the runner announced; `delta`, `done` and a task's `error` only for a task
 *   the app sent and that has not ended. Anything else is dropped as a protocol violation.
 * - Text the runner wrote (its model and base URL, an incident's message and fix, a failed
 *   check's message) is masked, has its control characters made visible (no newline, no line
 *   separator, no bidi override survives to forge a line), is cut to `MAX_RUNNER_TEXT`, quoted,
 *   and logged under the runner's name. An incident's fix is the app's own sentence.
 * - Messages are rate-limited per launch (`ControlRate`): the excess is dropped, said once per
 *   episode; what was dropped without a word is counted and summed up when the launch ends.
 */

/** The longest piece of runner text the app quotes; enough for any real error message. */
export const MAX_RUNNER_TEXT = 300;

/** What the app gave the runner it launched. */
export interface GivenConfig {
  provider: Provider;
  model: string;
  baseUrl: string;
}

export interface RunnerProtocolDeps {
  /** The app's own words (source `app`). */
  log: (level: LogEntry['level'], msg: string) => void;
  /** Words about, or quoted from, the runner (source `runner`). */
  logRunner: (level: LogEntry['level'], msg: string) => void;
  /** Masks keys and key shapes, as the log pipeline does. */
  redact: (text: string) => string;
  given: () => GivenConfig;
  /** The runner said `ready`; `check` when, in its launch's first `ready`, it announced the cloud provider it was given, whose key the app wants checked. */
  onReady: (check: CloudProvider | null) => void;
  /** The runner's answer to a check the app asked about `provider`; `failedCode` set when a check failed. */
  onKeyChecked: (provider: CloudProvider, failedCode: RunnerErrorCode | undefined) => void;
  onPlayground: (event: PlaygroundEvent) => void;
  /** Something the state shows changed (the incident). */
  onChange: () => void;
}

/** A question the app asked in this launch, by its id. */
type Question = { kind: 'task' } | { kind: 'check'; provider: Provider };

/** The app's own fix for an incident of each kind: the runner's suggestion is quoted in its log, never offered as the fix. */
const APP_FIX: Partial<Record<RunnerErrorCode, string>> = {
  auth: 'Check the API key in Settings, then press Test.',
  'model-not-found': 'Check the model in Settings; an Ollama model must be installed (see Models).',
  'not-found': 'Check the base URL in Settings.',
  'wrong-server': 'Check the base URL in Settings: something else answers there.',
  unreachable: "Check that the provider's server runs and can be reached at the base URL in Settings.",
  'rate-limit': 'Wait a little, then try again: the provider is limiting requests.',
  server: 'Try again later: the provider reported a failure of its own.',
  timeout: 'Check the network and the provider, then try again.',
};
const DEFAULT_FIX = "See the runner's logs; its own words are quoted there.";
const UNFINISHED = {
  message: 'the runner stopped before it finished this task',
  fix: 'Start the runner on the Overview page if it does not restart, then send the prompt again.',
};

/** Runner text as the app quotes it: masked, controls made visible, bounded, in quotes it cannot close. */
export function quoteRunner(text: string, redact: (text: string) => string, max = MAX_RUNNER_TEXT): string {
  const clean = neutralizeControls(redact(text)).replace(/[“”]/g, '"');
  if (clean.length <= max) return `“${clean}”`;
  // Never half a surrogate pair at the cut.
  const cut = clean.slice(0, max).replace(/[\ud800-\udbff]$/, '');
  return `“${cut}…” (${clean.length - cut.length} more characters)`;
}

export class RunnerProtocol {
  readonly #deps: RunnerProtocolDeps;
  #open = new Map<string, Question>();
  /** The provider the runner announced in its `ready`; null before. */
  #announced: Provider | null = null;
  #lastReady = '';
  /** This launch's runner said in its `ready` that it reads a task's `history`. */
  #takesHistory = false;
  #incident: UserError | null = null;
  #rate: ControlRate;
  /** Violations of this launch by kind: the first of each is logged, the rest counted. */
  #violations = new Map<string, number>();

  constructor(deps: RunnerProtocolDeps) {
    this.#deps = deps;
    this.#rate = new ControlRate();
  }

  /** A problem the runner reported outside any task (its start-up provider check), in the app's words and the runner's quoted. */
  get incident(): UserError | null {
    return this.#incident;
  }

  /** Whether a task may carry the conversation so far: only to a runner that said it reads it, so a strict one is never sent a field it refuses. */
  get takesHistory(): boolean {
    return this.#takesHistory;
  }

  clearIncident(): void {
    this.#incident = null;
  }

  /** The app sent the runner a task or a check with this id: its answers are expected. */
  asked(id: string, question: Question): void {
    this.#open.set(id, question);
  }

  /**
   * A new runner process, or none: the previous one's questions, announcement and limits end with
   * it. A task it left unanswered ends here, in the app's words, so the window does not wait forever.
   */
  newLaunch(): void {
    for (const [taskId, question] of this.#open) {
      if (question.kind === 'task') this.#deps.onPlayground({ type: 'error', taskId, code: 'unknown', ...UNFINISHED });
    }
    const unlogged = [...this.#violations.values()].reduce((sum, count) => sum + count - 1, 0);
    if (this.#rate.dropped > 0 || unlogged > 0) {
      this.#deps.logRunner(
        'warn',
        `The runner's control channel, over its last launch: ${this.#rate.dropped} messages dropped over the rate limit, ${unlogged} more protocol violations not logged one by one`,
      );
    }
    this.#open.clear();
    this.#announced = null;
    this.#lastReady = '';
    this.#takesHistory = false;
    this.#violations.clear();
    this.#rate = new ControlRate();
  }

  handle(raw: unknown): void {
    const verdict = this.#rate.take();
    if (verdict === 'throttle') {
      const { perSecond } = CONTROL_RATE;
      this.#deps.logRunner(
        'warn',
        `The runner sends more than ${perSecond} control messages a second: the app drops the excess until it slows down (counted, and said once)`,
      );
    }
    if (verdict !== 'pass') return;
    if (raw instanceof InvalidControlLine) return this.#violation(raw.problem, raw.problem);
    const parsed = RunnerToAppSchema.safeParse(raw);
    if (!parsed.success) return this.#violation('schema', 'a message that does not match the protocol');
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.#takesHistory = message.history === true;
        return this.#ready(message.provider, message.model, message.baseUrl);
      case 'delta':
        if (!this.#isTask(message.id, 'delta')) return;
        return this.#deps.onPlayground({ type: 'delta', taskId: message.id, text: message.text });
      case 'done': {
        if (!this.#isTask(message.id, 'done')) return;
        this.#open.delete(message.id);
        const { id, model, ...done } = message;
        return this.#deps.onPlayground({ ...done, taskId: id, model: neutralizeControls(model).slice(0, MAX_RUNNER_TEXT) });
      }
      case 'error': {
        const { id, code, message: text, fix } = message;
        const question = id === undefined ? undefined : this.#open.get(id);
        if (id !== undefined && question === undefined)
          return this.#violation('unknown-error', 'an error for a task or check the app did not send, or that has ended');
        if (id !== undefined) this.#open.delete(id);
        if (id !== undefined && question?.kind === 'task') {
          const bounded = (value: string) => neutralizeControls(this.#deps.redact(value)).slice(0, MAX_RUNNER_TEXT);
          return this.#deps.onPlayground({ type: 'error', taskId: id, code, message: bounded(text), ...(fix ? { fix: bounded(fix) } : {}) });
        }
        return this.#report('The runner reports', code, text, fix);
      }
      case 'check-result': {
        const question = this.#open.get(message.id);
        if (question?.kind !== 'check') return this.#violation('unknown-check', 'a check result for a check the app did not send, or already answered');
        this.#open.delete(message.id);
        if (message.provider !== question.provider || message.provider !== this.#announced) {
          return this.#violation(
            'check-provider',
            `a check result about ${message.provider}, when the app asked about ${question.provider} and the runner announced ${this.#announced ?? 'nothing'}`,
          );
        }
        const failed = message.checks.find((check) => check.status === 'error');
        if (isCloudProvider(question.provider)) this.#deps.onKeyChecked(question.provider, failed ? (failed.code ?? 'unknown') : undefined);
        if (failed) return this.#report("The runner's provider check failed", failed.code, failed.message, failed.fix);
        const given = this.#deps.given();
        this.#setIncident(null);
        return this.#deps.log('info', `Provider check passed: ${given.provider} ${given.model}`);
      }
    }
  }

  #ready(provider: Provider, model: string, baseUrl: string): void {
    const key = JSON.stringify([provider, model, baseUrl]);
    // Said again, it tells nothing new: no line, no second check.
    if (key === this.#lastReady) return;
    this.#lastReady = key;
    // Only the launch's first `ready` asks for a check: a runner that keeps changing its story cannot make the app ask again and again.
    const first = this.#announced === null;
    this.#announced = provider;
    const given = this.#deps.given();
    // The app states what it gave the runner; what the runner claims is quoted only where it differs.
    this.#deps.log('info', `Runner ready: ${given.provider} ${given.model} at ${given.baseUrl}`);
    if (provider !== given.provider || model !== given.model || baseUrl !== given.baseUrl) {
      const quote = (text: string) => quoteRunner(text, this.#deps.redact);
      this.#deps.logRunner('warn', `The runner says it is ready with ${quote(provider)}, model ${quote(model)} at ${quote(baseUrl)}, not what the app gave it`);
    }
    this.#setIncident(null);
    this.#deps.onReady(first && isCloudProvider(given.provider) && provider === given.provider ? given.provider : null);
  }

  #isTask(id: string, type: string): boolean {
    if (this.#open.get(id)?.kind === 'task') return true;
    this.#violation(`unknown-${type}`, `a ${type} for a task the app did not send, or that has ended`);
    return false;
  }

  /** An incident the runner reported: its words quoted under its name, the app's fix. */
  #report(lead: string, code: RunnerErrorCode | undefined, text: string, fix: string | undefined): void {
    const quote = (value: string) => quoteRunner(value, this.#deps.redact);
    const incident = { message: `${lead}: ${quote(text)}`, fix: (code && APP_FIX[code]) ?? DEFAULT_FIX };
    if (this.#incident?.message === incident.message) return;
    this.#deps.logRunner('error', `${incident.message}${fix ? `; it suggests ${quote(fix)}` : ''}`);
    this.#setIncident(incident);
  }

  #setIncident(incident: UserError | null): void {
    const changed = this.#incident?.message !== incident?.message;
    this.#incident = incident;
    if (changed) this.#deps.onChange();
  }

  #violation(kind: string, problem: string): void {
    const count = (this.#violations.get(kind) ?? 0) + 1;
    this.#violations.set(kind, count);
    if (count === 1)
      this.#deps.logRunner(
        'warn',
        `The runner sent ${problem} on its control channel; dropped as a protocol violation (more of the kind are counted, not logged)`,
      );
  }
}

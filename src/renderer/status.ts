import { sourceName, type ConfigFieldName, type PublicConfig } from '../shared/config.ts';
import type { AppState, KeyVerification } from '../shared/state-schema.ts';
import type { OllamaState } from '../shared/ollama.ts';
import type { AppProblem } from '../shared/problems.ts';
import { PROVIDER_SPECS, isCloudProvider, type Provider } from '../shared/providers.ts';
import type { RunnerStatus } from '../shared/runner-status.ts';

/** A pill's colour; the word beside it always says the same. Plain TS, so status words are testable in Node. */
export type Tone = 'ok' | 'working' | 'error' | 'neutral';

export interface StatusText {
  tone: Tone;
  text: string;
}

/** Whole seconds until a runner in backoff restarts; the pill and the hint both say this number. */
const secondsUntilRestart = (runner: RunnerStatus, now: number): number | null =>
  runner.state === 'backoff' && runner.nextRestartAt !== null ? Math.max(0, Math.ceil((runner.nextRestartAt - now) / 1000)) : null;

/** The runner's state as a pill. */
export function runnerStatus(runner: RunnerStatus, now: number): StatusText {
  switch (runner.state) {
    case 'running':
      return { tone: 'ok', text: 'Running' };
    case 'starting':
      return { tone: 'working', text: 'Starting' };
    case 'stopping':
      return { tone: 'working', text: 'Stopping' };
    case 'backoff': {
      const seconds = secondsUntilRestart(runner, now);
      return { tone: 'working', text: seconds === null ? 'Restarting' : `Restarting in ${seconds}s` };
    }
    case 'crash-loop':
      return { tone: 'error', text: 'Crash loop' };
    case 'failed':
      return { tone: 'error', text: 'Failed' };
    case 'stopped':
      return { tone: 'neutral', text: 'Stopped' };
  }
}

/**
 * Why the runner is in its state. In backoff the supervisor's sentence names the delay from the
 * exit; it is replaced by the time left, counted like the pill's.
 */
export function runnerHint(runner: RunnerStatus, now: number): string {
  const seconds = secondsUntilRestart(runner, now);
  return seconds === null ? runner.reason : runner.reason.replace(/restarting in .+$/, `restarting in ${seconds}s`);
}

/**
 * Whether Ollama is simply not in use: a cloud provider is active and no server answers (one
 * that does is shown running), so "stopped" would suggest something went wrong.
 */
export const ollamaNotInUse = (ollama: OllamaState, provider: Provider | undefined): boolean =>
  provider !== undefined && provider !== 'ollama' && ollama.server.phase === 'stopped' && ollama.serverVersion === null;

/** Ollama's server phase as a pill; with a cloud provider an unwatched Ollama is "not in use", not "stopped". */
export function ollamaStatus(ollama: OllamaState, provider?: Provider): StatusText {
  if (ollamaNotInUse(ollama, provider)) return { tone: 'neutral', text: 'Not in use' };
  switch (ollama.server.phase) {
    case 'running':
      return { tone: 'ok', text: ollama.server.owner === 'managed' ? 'Running' : `Running (${ollama.server.owner})` };
    case 'starting':
      return { tone: 'working', text: 'Starting' };
    case 'waiting':
      return { tone: 'working', text: 'Not answering yet' };
    case 'stopped':
      return { tone: 'neutral', text: 'Stopped' };
    case 'not-installed':
      return { tone: 'neutral', text: 'Not installed' };
    case 'unhealthy':
      return { tone: 'error', text: 'Not responding' };
    case 'failed':
      return { tone: 'error', text: 'Failed' };
  }
}

/** Whether a held key was verified with its provider, as a pill; null when nothing is known yet. */
export function keyStatus(verification: KeyVerification | null): StatusText | null {
  switch (verification?.state) {
    case 'verified':
      return { tone: 'ok', text: 'Verified' };
    case 'unverified':
      return { tone: 'working', text: 'Not verified yet' };
    case 'rejected':
      return { tone: 'error', text: 'Rejected' };
    default:
      return null;
  }
}

/** The binary row: a server that answers needs no binary here, so "not found" is not a problem then. */
export function ollamaBinaryText(ollama: OllamaState): { text: string; muted: boolean } {
  if (ollama.binary) return { text: ollama.binary.path, muted: false };
  if (ollama.server.phase === 'running') return { text: 'not needed (the server is already running)', muted: true };
  return { text: 'not found', muted: true };
}

/** The API key row: a cloud provider without a key is missing one, only Ollama needs none. */
export function apiKeyText(config: PublicConfig): { text: string; tone: 'value' | 'muted' | 'error' } {
  if (config.apiKey.value !== null) return { text: config.apiKey.value, tone: 'value' };
  const provider = config.provider.value;
  return isCloudProvider(provider) ? { text: `missing (${PROVIDER_SPECS[provider].label} needs one)`, tone: 'error' } : { text: 'not needed', tone: 'muted' };
}

/**
 * A wizard step behind the current one is done, except the Ollama step when no Ollama
 * answers: passing it means the user went on without one, which is not a tick.
 */
export function wizardStepMark(index: number, current: number, ollama: OllamaState): 'done' | 'skipped' | 'current' | 'todo' {
  if (index === current) return 'current';
  if (index > current) return 'todo';
  return index === 0 && ollama.server.phase !== 'running' ? 'skipped' : 'done';
}

/**
 * A field whose flag or environment value is invalid: the cascade fell through to a lower layer,
 * but that value is not what the user asked for, so it is shown as the invalid input, not as a
 * quiet "Ollama (default)". Null when the field is valid.
 */
export function invalidFieldText(config: PublicConfig, field: ConfigFieldName): string | null {
  const issue = config.errors.find((candidate) => candidate.field === field && field !== 'apiKey');
  return issue ? `not valid: ${sourceName(issue.source)} (see the problem above)` : null;
}

/**
 * The problem whose fix is a setup step's one primary button: the first error that offers an
 * action, since the runner cannot answer until it is dealt with. Null when there is none: then the
 * step's own button (Looks good, Start runner…) leads, and a download under way or a key not
 * verified yet keeps its buttons secondary, as going on is what to do. Pure.
 */
export function leadingFix(problems: readonly AppProblem[]): string | null {
  return problems.find((problem) => problem.severity === 'error' && problem.actions.length > 0)?.id ?? null;
}

/**
 * The one primary button of the Detect Ollama step: a problem's fix when one is listed, else
 * starting an installed Ollama that is not running, else installing it, else Continue. Pure.
 */
export function detectStepLead(ollama: OllamaState, problems: readonly AppProblem[]): { problem: string } | 'start' | 'install' | 'continue' {
  const fix = leadingFix(problems);
  if (fix !== null) return { problem: fix };
  const { phase } = ollama.server;
  if ((phase === 'stopped' || phase === 'failed') && ollama.binary) return 'start';
  if (phase === 'not-installed' && problems.length === 0) return 'install';
  return 'continue';
}

export type LastStepAction = 'start' | 'retry' | 'send' | 'finish';

/**
 * The one primary button of the last step: what takes the user on from here. Start a stopped
 * runner (unless it waits for its model's download: then Finish, the runner starts when the model
 * lands), Retry a stuck one, send the first prompt once it runs, and Finish once it answered.
 * Pure.
 */
export function lastStepPrimary({
  runner,
  stuck,
  downloading,
  answered,
}: {
  runner: AppState['runner']['state'];
  stuck: boolean;
  downloading: boolean;
  answered: boolean;
}): LastStepAction {
  if (downloading && runner !== 'running') return 'finish';
  if (runner === 'stopped') return 'start';
  if (stuck) return 'retry';
  if (runner === 'running' && !answered) return 'send';
  return 'finish';
}

import { isPinnedSource, sourceName, type ConfigIssue, type ConfigSource, type PublicConfig } from '../../shared/config.ts';
import { formatBytes } from '../../shared/format-bytes.ts';
import type { AppState, UserError } from '../../shared/state-schema.ts';
import type { OllamaState } from '../../shared/ollama.ts';
import { downloadSizeOf } from '../../shared/ollama-download-sizes.ts';
import { ollamaInstallProblem } from './ollama-install-problems.ts';
import { OLLAMA_DOWNLOAD_URL, type AppProblem, type ProblemAction } from '../../shared/problems.ts';
import { PROVIDER_SPECS, isCloudProvider } from '../../shared/providers.ts';
import { CONTROL_CHANNEL_LABEL, CONTROL_CHANNEL_PLACE, CONTROL_CHANNEL_README } from '../../shared/runner-channel.ts';
import { sentence } from '../../shared/sentence.ts';
import type { RunnerStatus } from '../../shared/runner-status.ts';

export interface HealthInputs {
  config: PublicConfig;
  ollama: OllamaState;
  runner: RunnerStatus;
  keyChecks: AppState['keyChecks'];
  /** A problem the runner reported outside any task (its start-up provider check). */
  incident: UserError | null;
  /** Installing Ollama, or an update of the app's own; absent where nothing installs (tests of other concerns). */
  ollamaInstall?: AppState['ollamaInstall'] | undefined;
  /** A running custom runner given the control channel has not said `ready` for `waitedMs`; `source` gave it the channel. */
  silentChannel?: { waitedMs: number; source: ConfigSource } | null | undefined;
  /** Where the runner command comes from: one pinned by a flag or the environment cannot be edited in Settings. */
  runnerCommandSource?: ConfigSource | undefined;
}

const OPEN_LOGS: ProblemAction = { kind: 'open', label: 'Open logs', route: 'logs' };
const CHOOSE_ANOTHER: ProblemAction = { kind: 'open', label: 'Choose another', route: 'models' };

/**
 * A configuration error, with the fix where it can be made. A value pinned by the environment
 * or a flag cannot be changed in Settings, so the user is told how to unset it instead.
 */
function configProblem(issue: ConfigIssue, index: number): AppProblem {
  const base = { id: `config:${issue.field}:${index}`, severity: 'error' as const, title: sentence(issue.message) };
  const name = sourceName(issue.source);
  if (issue.field === 'apiKey') {
    // The issue's source is the provider's: a pinned provider cannot be switched from here.
    const pinned = isPinnedSource(issue.source);
    return {
      ...base,
      detail: pinned
        ? `The runner starts once the provider has a key; the provider itself is set by ${name}.`
        : 'The runner starts once the provider has a key.',
      actions: [
        { kind: 'open', label: 'Add a key', route: 'settings' },
        ...(pinned ? [] : [{ kind: 'use-provider' as const, label: 'Use Ollama instead', provider: 'ollama' as const }]),
      ],
    };
  }
  if (issue.source.startsWith('env:')) {
    return {
      ...base,
      detail: `${name} is set in the environment the app was started from, and it overrides the app's own settings. Unset it (\`unset ${name}\` in the shell, or remove it from your shell profile or service file), or set a valid value, then start the app again.`,
      actions: [],
    };
  }
  if (issue.source.startsWith('flag:')) {
    return {
      ...base,
      detail: `${name} was given on the command line, and it overrides the app's own settings. Start the app without it, or with a valid value.`,
      actions: [],
    };
  }
  return { ...base, detail: 'Change it in Settings.', actions: [{ kind: 'open', label: 'Open Settings', route: 'settings' }] };
}

/** A warning of the cascade: the configuration works, with a catch the user should know. */
function configWarning(issue: ConfigIssue, index: number): AppProblem {
  const pinned = issue.source.startsWith('env:') || issue.source.startsWith('flag:');
  return {
    id: `config-warning:${issue.field}:${index}`,
    severity: 'warning',
    title: sentence(issue.message),
    detail: pinned
      ? `${sourceName(issue.source)} is set outside the app and overrides its settings.`
      : 'It is used as it is; change it in Settings if that is not what you meant.',
    actions: pinned ? [] : [{ kind: 'open', label: 'Open Settings', route: 'settings' }],
  };
}

function runnerProblem(runner: RunnerStatus, commandSource: ConfigSource | undefined): AppProblem | null {
  if (!runner.error || (runner.state !== 'failed' && runner.state !== 'crash-loop')) return null;
  // A command pinned by --runner-command or STIGMER_RUNNER_COMMAND cannot be edited in Settings: no button that does nothing.
  const pinnedBy = commandSource !== undefined && isPinnedSource(commandSource) ? sourceName(commandSource) : null;
  return {
    id: `runner:${runner.state}`,
    severity: 'error',
    // "The runner keeps crashing: the runner exited…" says the subject twice; "it exited…" once.
    title: sentence(
      `${runner.state === 'crash-loop' ? 'The runner keeps crashing' : 'The runner cannot run'}: ${runner.error.message.replace(/^the runner /i, 'it ')}`,
    ),
    detail: pinnedBy
      ? `${sentence(runner.error.fix)} The runner command is set by ${pinnedBy}, so it cannot be edited here: change it where ${pinnedBy} is given, then start the app again.`
      : sentence(runner.error.fix),
    actions: pinnedBy
      ? [OPEN_LOGS, { kind: 'retry-runner', label: 'Retry' }]
      : [OPEN_LOGS, { kind: 'open', label: 'Edit runner command', route: 'settings' }, { kind: 'retry-runner', label: 'Retry' }],
  };
}

/**
 * The runner runs and logs, but has not said `ready` on the channel it was given: the Playground
 * and the provider check cannot use it. A warning, since the runner itself may be fine without
 * tasks; the likely cause is a runner that does not read the channel, so the fix is where it was
 * turned on.
 */
function silentChannelProblem({ waitedMs, source }: { waitedMs: number; source: ConfigSource }): AppProblem {
  const pinned = isPinnedSource(source);
  const turnOff = pinned ? `start the app without ${sourceName(source)}` : `untick "${CONTROL_CHANNEL_LABEL}" in ${CONTROL_CHANNEL_PLACE}`;
  return {
    id: 'runner:channel-silent',
    severity: 'warning',
    title: `The runner has not said it is ready on its control channel after ${Math.round(waitedMs / 1000)} s.`,
    detail: `It was given the channel (STIGMER_CONTROL_FD) by ${pinned ? sourceName(source) : 'Settings'}; the Playground sends it tasks once it sends {"type":"ready",…} there. If this runner does not read the channel, ${turnOff}; otherwise see its logs and ${CONTROL_CHANNEL_README}.`,
    actions: pinned ? [OPEN_LOGS] : [OPEN_LOGS, { kind: 'open', label: 'Open Settings', route: 'settings' }],
  };
}

/** What keeps Ollama, the provider in use, from answering. */
function ollamaProblem(ollama: OllamaState, modelSource: ConfigSource): AppProblem | null {
  const pinnedModel = isPinnedSource(modelSource);
  const { server } = ollama;
  if (server.phase === 'not-installed') {
    return {
      id: 'ollama:not-installed',
      severity: 'error',
      title: 'Ollama is not installed.',
      // The manager's reason starts with the title's words; only the why is repeated.
      detail: `${sentence(server.reason.replace(/^ollama is not installed[:;,]?\s*/i, ''))} Install Ollama downloads the official release for this user (no admin rights), or install it yourself and check again, or use a cloud provider instead.`,
      actions: [
        { kind: 'install-ollama', label: 'Install Ollama' },
        { kind: 'link', label: 'Download Ollama', url: OLLAMA_DOWNLOAD_URL },
        { kind: 'start-ollama', label: 'Check again' },
        { kind: 'open', label: 'Use a cloud provider', route: 'setup' },
      ],
    };
  }
  if (server.phase === 'failed' || server.phase === 'unhealthy') {
    return {
      id: `ollama:${server.phase}`,
      severity: 'error',
      title: sentence(`Ollama: ${server.reason}`),
      detail: sentence(server.fix),
      // An unhealthy server is checked every few seconds (and a managed one restarted) already.
      actions: server.phase === 'failed' ? [{ kind: 'start-ollama', label: 'Start again' }, OPEN_LOGS] : [OPEN_LOGS],
    };
  }
  const model = ollama.configuredModel;
  if (!model || !ollama.configuredModelMissing) return null;
  const pull = ollama.pulls[model] ?? ollama.pulls[`${model}:latest`];
  if (pull) {
    return {
      id: `model-downloading:${model}`,
      severity: 'info',
      title: `${model} is downloading${pull.percent === null ? '' : ` (${Math.floor(pull.percent)}%)`}.`,
      detail: 'The runner starts with it once the download is complete.',
      actions: [{ kind: 'cancel-pull', label: 'Cancel', model }],
    };
  }
  const size = downloadSizeOf(model);
  return {
    id: `model-missing:${model}`,
    severity: 'error',
    title: `${model} is not installed.`,
    detail: `Ollama answers, but the configured model is not among its models, so the runner cannot answer. Pull it${size === null ? '' : ` (a ${formatBytes(size)} download)`}, or ${pinnedModel ? `set ${sourceName(modelSource)} to an installed model and start the app again` : 'choose an installed model'}.`,
    actions: [
      { kind: 'pull', label: size === null ? `Pull ${model}` : `Pull ${model} (${formatBytes(size)})`, model, sizeBytes: size },
      // A model pinned by LLM_MODEL or --llm-model cannot be switched from the window: the detail says so.
      ...(pinnedModel ? [] : [CHOOSE_ANOTHER]),
    ],
  };
}

/** The key of the cloud provider in use: rejected, or saved offline and not checked yet. */
function keyProblem(config: PublicConfig, keyChecks: AppState['keyChecks']): AppProblem | null {
  const provider = config.provider.value;
  if (!isCloudProvider(provider) || !config.keys[provider]) return null;
  const check = keyChecks[provider];
  const label = PROVIDER_SPECS[provider].label;
  if (check?.state === 'rejected') {
    return {
      id: `key-rejected:${provider}`,
      severity: 'error',
      title: sentence(check.message),
      detail: check.fix ? sentence(check.fix) : `Replace the ${label} key.`,
      actions: [
        { kind: 'open', label: 'Replace key', route: 'settings' },
        { kind: 'check-key', label: 'Check again', provider },
      ],
    };
  }
  if (check?.state === 'unverified') {
    return {
      id: `key-unverified:${provider}`,
      severity: 'warning',
      title: `The ${label} key is not verified yet.`,
      // Plainly what happens next: a key saved offline looks finished otherwise.
      detail: `${sentence(check.message)} The runner starts with it as it is; if ${label} rejects it, the runner cannot answer and this says so, with "Replace key". It is checked again when the app starts, or now with "Check now".`,
      actions: [{ kind: 'check-key', label: 'Check now', provider }],
    };
  }
  return null;
}

/**
 * Every problem the user should act on, most fundamental first, each once, with the actions
 * that fix it. Pure: the Overview banner, the tray and `lastError` are all views of this list.
 */
export function deriveProblems({ config, ollama, runner, keyChecks, incident, silentChannel, ollamaInstall, runnerCommandSource }: HealthInputs): AppProblem[] {
  const problems: AppProblem[] = config.errors.map(configProblem);
  const installing = ollamaInstall ? ollamaInstallProblem(ollamaInstall) : null;
  const runnerStuck = runnerProblem(runner, runnerCommandSource);
  if (runnerStuck) problems.push(runnerStuck);
  if (silentChannel && runner.state === 'running') problems.push(silentChannelProblem(silentChannel));
  // While Ollama installs, its progress stands in for "not installed".
  const ollamaIssue =
    config.provider.value === 'ollama' && !(installing && ollama.server.phase === 'not-installed') ? ollamaProblem(ollama, config.model.source) : null;
  if (ollamaIssue) problems.push(ollamaIssue);
  if (installing) problems.push(installing);
  const key = keyProblem(config, keyChecks);
  if (key) problems.push(key);
  // The cascade's own "not installed" warning is the model problem above, already shown with its button.
  const modelShown = ollamaIssue?.id.startsWith('model-') === true;
  config.warnings.forEach((issue, index) => {
    if (!(modelShown && issue.field === 'model')) problems.push(configWarning(issue, index));
  });
  // What the runner reports is the consequence of a cause above when there is one: shown once, as the cause.
  if (incident && problems.length === 0) {
    problems.push({ id: 'runner:incident', severity: 'error', title: sentence(incident.message), detail: sentence(incident.fix), actions: [OPEN_LOGS] });
  }
  return problems;
}

/** The one problem the window and tray lead with, as a message and a fix. */
export function leadingError(problems: readonly AppProblem[]): UserError | null {
  const first = problems.find((problem) => problem.severity === 'error');
  return first ? { message: first.title, fix: first.detail } : null;
}

/**
 * Whether the wizard is offered again: only for what setup can fix. A value pinned by a flag or the
 * environment cannot be fixed in the window (the Overview tells how to unset it), and a model that
 * went missing after setup is one banner with "Pull" and "Choose another", not five steps again.
 * A missing key stays a setup matter even with a pinned provider: the wizard's key step adds it.
 */
export function deriveNeedsSetup({ config, ollama, setupCompleted }: Pick<HealthInputs, 'config' | 'ollama'> & { setupCompleted: boolean }): boolean {
  if (config.errors.some((issue) => issue.field === 'apiKey' || !isPinnedSource(issue.source))) return true;
  if (config.errors.length > 0 || config.provider.value !== 'ollama') return false;
  return ollama.server.phase === 'not-installed' || (ollama.configuredModelMissing && !setupCompleted);
}

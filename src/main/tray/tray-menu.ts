import { sourceName } from '../../shared/config.ts';
import type { CommandName, CommandRequest } from '../../shared/ipc.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { networkExposure } from '../../shared/ollama-exposure.ts';
import { formatGigabytes } from '../../shared/model-catalog.ts';
import { endpointChoices, providerChoices } from '../../shared/provider-availability.ts';
import { actionCommand } from '../../shared/problem-actions.ts';
import type { AppProblem, ProblemAction } from '../../shared/problems.ts';
import { PROVIDER_SPECS } from '../../shared/providers.ts';
import { canRestartToUpdate } from '../updates/update-policy.ts';

/** What a tray item does when clicked: a contract command, a window screen, or quitting. */
export type TrayAction =
  | { [C in CommandName]: { kind: 'command'; command: C; payload: CommandRequest<C> } }[CommandName]
  | { kind: 'open'; route: 'overview' | 'models' | 'logs' | 'settings' | 'setup' }
  /** Opens a page in the browser; only Ollama's download page is ever offered. */
  | { kind: 'open-url'; url: string }
  | { kind: 'toggle-start-at-login' }
  | { kind: 'quit' };

/** An Electron-independent menu item; the Electron host turns it into a `MenuItemConstructorOptions`. */
export interface TrayMenuItem {
  type?: 'normal' | 'separator' | 'radio' | 'checkbox' | 'submenu';
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  submenu?: TrayMenuItem[];
  action?: TrayAction;
}

export type TrayHealth = 'ok' | 'working' | 'error';

export interface TrayView {
  health: TrayHealth;
  tooltip: string;
  menu: TrayMenuItem[];
}

const separator: TrayMenuItem = { type: 'separator' };
const command = <C extends CommandName>(name: C, payload: CommandRequest<C>): TrayAction => ({ kind: 'command', command: name, payload }) as TrayAction;

const WORKING_RUNNER_STATES = new Set(['starting', 'backoff', 'stopping']);

/** Error when the user must act, working while something is on its way, ok otherwise. */
export function trayHealth(state: AppState): TrayHealth {
  if (state.problems.some((problem) => problem.severity === 'error') || state.runner.state === 'failed' || state.runner.state === 'crash-loop') return 'error';
  const ollamaBusy = state.ollama.server.phase === 'starting' || Object.keys(state.ollama.pulls).length > 0;
  return WORKING_RUNNER_STATES.has(state.runner.state) || ollamaBusy ? 'working' : 'ok';
}

function ollamaSummary(state: AppState): string {
  const server = state.ollama.server;
  return server.phase === 'running' || server.phase === 'unhealthy' ? `${server.phase} (${server.owner})` : server.phase;
}

const statusLine = (state: AppState): string => `Runner: ${state.runner.state} · Ollama: ${ollamaSummary(state)}`;

/** Tooltips are short on every OS (Windows cuts at 127 characters). */
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function modelItems(state: AppState): TrayMenuItem[] {
  const { provider, model, endpoint } = state.config;
  // An endpoint's models are the ones saved with it; its model is chosen where it was added.
  const endpointModels = state.config.endpoints.find((known) => known.id === endpoint?.id)?.models;
  if (endpointModels)
    return [...new Set([model.value, ...endpointModels])].map((name) => ({ type: 'radio', label: name, checked: name === model.value, enabled: false }));
  const pinned = model.pinned ? ` (pinned by ${sourceName(model.source)})` : '';
  const names =
    provider.value === 'ollama'
      ? state.ollama.models.map((installed) => installed.name)
      : [...new Set([model.value, ...PROVIDER_SPECS[provider.value].suggestedModels])];
  // The fix (pull the configured model) is the problem line at the top of the menu.
  if (names.length === 0) return [{ label: 'No models installed', enabled: false }];
  return names.map((name) => {
    const selected = name === model.value || (provider.value === 'ollama' && name === `${model.value}:latest`);
    return {
      type: 'radio',
      label: selected ? `${name}${pinned}` : name,
      checked: selected,
      enabled: !model.pinned,
      action: command('config:set-model', { provider: provider.value, model: name }),
    };
  });
}

/** 65 → "1 min left", 3700 → "62 min left": a tray line has room for minutes only. */
const timeLeft = (seconds: number): string => (seconds < 60 ? 'under a minute left' : `${Math.round(seconds / 60)} min left`);

/** One line per model being downloaded; a click opens the Models screen with the Downloads panel. */
function downloadItems(state: AppState): TrayMenuItem[] {
  return state.downloads
    .filter((download) => download.state === 'pulling')
    .map((download) => {
      const parts = [
        download.percent === null ? download.phase : `${Math.round(download.percent)}%`,
        download.totalBytes > 0 ? `${formatGigabytes(download.completedBytes)} of ${formatGigabytes(download.totalBytes)}` : null,
        download.etaSeconds !== null && download.etaSeconds > 0 ? timeLeft(download.etaSeconds) : null,
      ].filter(Boolean);
      return { label: `Downloading ${download.model} — ${parts.join(' · ')}`, action: { kind: 'open', route: 'models' } };
    });
}

function runnerItems(state: AppState): TrayMenuItem[] {
  const runner = state.runner.state;
  const canStart = runner === 'stopped' || runner === 'failed' || runner === 'crash-loop';
  return [
    {
      label: canStart && runner !== 'stopped' ? 'Retry runner' : 'Start runner',
      enabled: canStart && state.config.errors.length === 0,
      action: command(runner === 'stopped' ? 'runner:start' : 'runner:retry', {}),
    },
    { label: 'Stop runner', enabled: runner === 'running' || runner === 'starting' || runner === 'backoff', action: command('runner:stop', {}) },
    { label: 'Restart runner', enabled: runner === 'running', action: command('runner:restart', {}) },
  ];
}

function ollamaItems(state: AppState): TrayMenuItem[] {
  const { server, binary, pid } = state.ollama;
  // Only an installed Ollama on this machine can be started or stopped by the app.
  if (!binary || (server.phase === 'running' && server.owner === 'remote')) return [];
  const managedRunning = server.phase === 'running' && pid !== null;
  return [
    { label: 'Start Ollama', enabled: server.phase === 'stopped' || server.phase === 'failed', action: command('ollama:start', {}) },
    { label: 'Stop Ollama', enabled: managedRunning, action: command('ollama:stop', {}) },
  ];
}

function trayAction(action: ProblemAction): TrayAction {
  const run = actionCommand(action);
  if (run) return command(run.command, run.payload);
  return action.kind === 'link' ? { kind: 'open-url', url: action.url } : { kind: 'open', route: action.kind === 'open' ? action.route : 'overview' };
}

/** Shown at most: the menu is not the place for a long list, the window has all of them. */
const TRAY_PROBLEMS = 3;

/**
 * Each problem once, with its fix: one action makes the line itself the button
 * ("The Anthropic key is not verified yet — Check now"); several become a submenu.
 */
function problemItems(problems: readonly AppProblem[]): TrayMenuItem[] {
  return problems.slice(0, TRAY_PROBLEMS).map((problem) => {
    const title = problem.title.replace(/\.$/, '');
    const mark = problem.severity === 'info' ? '↓' : '⚠';
    const [only, ...more] = problem.actions;
    if (!only) return { label: clip(`${mark} ${title}`, 90), enabled: false };
    if (more.length === 0) return { label: clip(`${mark} ${title} — ${only.label}`, 90), action: trayAction(only) };
    return {
      type: 'submenu',
      label: clip(`${mark} ${title}`, 90),
      submenu: problem.actions.map((action) => ({ label: action.label, action: trayAction(action) })),
    };
  });
}

/**
 * The tray, as a pure function of the app state: icon health, tooltip and menu. Unusable
 * providers are disabled with the reason in their label.
 */
export function trayView(state: AppState, { startAtLogin }: { startAtLogin: boolean }): TrayView {
  const health = trayHealth(state);
  const exposure = networkExposure(state);
  const { provider, model } = state.config;
  const summary = `${state.config.endpoint?.name ?? PROVIDER_SPECS[provider.value].label} · ${model.value}`;
  const lead = state.problems[0];
  const tooltip = clip(`Stigmer Desktop — ${lead ? lead.title : `${summary} · runner ${state.runner.state}`}`, 127);

  const providers: TrayMenuItem[] = providerChoices(state).map((choice) => ({
    type: 'radio',
    label: choice.disabledReason ? `${choice.label} — ${choice.disabledReason}` : choice.label,
    checked: choice.selected,
    enabled: choice.disabledReason === null,
    action: command('config:set-provider', { provider: choice.provider }),
  }));
  // The user's OpenAI-compatible endpoints switch like providers.
  const endpoints: TrayMenuItem[] = endpointChoices(state).map((choice) => ({
    type: 'radio',
    label: choice.disabledReason ? `${choice.label} — ${choice.disabledReason}` : choice.label,
    checked: choice.selected,
    enabled: choice.disabledReason === null,
    action: command('endpoints:use', { id: choice.id }),
  }));

  const menu: TrayMenuItem[] = [
    { label: statusLine(state), enabled: false },
    ...(canRestartToUpdate(state.update) ? [{ label: `Restart to update (${state.update.version})`, action: command('app:restart-to-update', {}) }] : []),
    ...problemItems(state.problems),
    ...(exposure ? [{ label: exposure.short, enabled: false }] : []),
    ...downloadItems(state),
    separator,
    { label: 'Provider', enabled: false },
    ...providers,
    ...endpoints,
    { type: 'submenu', label: `Model: ${model.alias ? `${model.alias.alias} → ` : ''}${model.value}`, submenu: modelItems(state) },
    separator,
    ...runnerItems(state),
    ...ollamaItems(state),
    separator,
    { label: 'Open window', action: { kind: 'open', route: 'overview' } },
    { label: 'Show logs', action: { kind: 'open', route: 'logs' } },
    { label: 'Setup…', action: { kind: 'open', route: 'setup' } },
    { type: 'checkbox', label: 'Start at login', checked: startAtLogin, action: { kind: 'toggle-start-at-login' } },
    separator,
    { label: 'Quit Stigmer Desktop', action: { kind: 'quit' } },
  ];
  return { health, tooltip, menu };
}

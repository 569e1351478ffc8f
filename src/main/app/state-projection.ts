import { perProvider } from '../../shared/providers.ts';
import type { PublicConfig } from '../../shared/config.ts';
import type { AppState, Download, HostKind, UserError } from '../../shared/state-schema.ts';
import type { OllamaState } from '../../shared/ollama.ts';
import type { RunnerStatus } from '../../shared/runner-status.ts';
import type { Settings } from '../../shared/settings.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { deriveNeedsSetup, deriveProblems, leadingError, type HealthInputs } from './app-state.ts';

/** What the services report, read once per state push. */
export interface StateSources {
  host: HostKind;
  config: PublicConfig;
  settings: Settings;
  secrets: Pick<SecretStore, 'persistence' | 'notice'>;
  /** The host can switch to weaker persistent key storage (`secrets:accept-weak-storage`). */
  weakStorageAvailable: boolean;
  keyChecks: AppState['keyChecks'];
  ollama: OllamaState;
  ollamaInstall: AppState['ollamaInstall'];
  runner: RunnerStatus;
  runnerCommand: AppState['runnerCommand'];
  runnerEnv: AppState['runnerEnv'];
  incident: UserError | null;
  silentChannel?: HealthInputs['silentChannel'];
  downloads: Download[];
  logsDir: string;
  update?: AppState['update'];
}

/** The app state the window and the tray show, as a function of what the services report. Pure. */
export function projectState(sources: StateSources): AppState {
  const { config, settings, secrets, ollama, runner, keyChecks } = sources;
  const problems = deriveProblems({
    config,
    ollama,
    runner,
    keyChecks,
    incident: sources.incident,
    silentChannel: sources.silentChannel,
    ollamaInstall: sources.ollamaInstall,
    runnerCommandSource: sources.runnerCommand.source,
  });
  return {
    host: sources.host,
    config,
    runnerCommand: sources.runnerCommand,
    secrets: {
      persistence: secrets.persistence,
      ...(secrets.notice ? { notice: secrets.notice } : {}),
      weakStorageOffered: secrets.persistence === 'session' && sources.weakStorageAvailable,
    },
    keyChecks,
    ollama,
    ollamaInstall: sources.ollamaInstall,
    ollamaOptions: {
      modelsDir: settings.ollama.modelsDir ?? null,
      contextLength: settings.ollama.contextLength ?? null,
      keepAlive: settings.ollama.keepAlive ?? null,
      exposeToNetwork: settings.ollama.exposeToNetwork,
    },
    runner,
    runnerEnv: sources.runnerEnv,
    problems,
    lastError: leadingError(problems),
    firstRun: !settings.firstRunCompleted,
    needsSetup: deriveNeedsSetup({ config, ollama, setupCompleted: settings.firstRunCompleted }),
    savedBaseUrls: perProvider((provider) => settings.providers[provider].baseUrl ?? null),
    downloads: sources.downloads,
    setupDeferred: settings.setupDeferred === true,
    logsDir: sources.logsDir,
    startAtLogin: settings.startAtLogin,
    update: sources.update ?? null,
  };
}

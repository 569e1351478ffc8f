import type { LogEntry } from '../../shared/logs.ts';
import type { OllamaInstallProgress, OllamaInstallResult, OllamaUpdateCheck } from '../../shared/ollama-install.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { readOllamaVersion } from '../ollama/find-binary.ts';
import { UPDATE_CHECK_INTERVAL_MS, type OllamaInstaller } from '../ollama/install/installer.ts';
import { ManagedOllama, describeResult } from '../ollama/install/managed-ollama.ts';
import type { OllamaControl } from './ollama-control.ts';

export interface OllamaInstallControlDeps {
  installer: OllamaInstaller;
  ollama: OllamaControl;
  onProgress: (progress: OllamaInstallProgress) => void;
  /** Something the state shows changed. */
  onChange: () => void;
  log: (level: LogEntry['level'], msg: string) => void;
}

/**
 * "Install Ollama" / "Update Ollama" for the app: one flow at a time, its progress in the state
 * and as events, and the update check (at start and daily while the app runs, only for an Ollama
 * this app installed; on demand for anyone).
 */
export class OllamaInstallControl {
  readonly #deps: OllamaInstallControlDeps;
  readonly #flow: ManagedOllama;
  #progress: OllamaInstallProgress | null = null;
  #update: OllamaUpdateCheck | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: OllamaInstallControlDeps) {
    this.#deps = deps;
    this.#flow = new ManagedOllama({
      installer: deps.installer,
      server: () => ({
        locate: () => deps.ollama.manager.locateBinary(),
        versionOf: async (path) => (await readOllamaVersion(path)) ?? null,
        stop: () => deps.ollama.manager.stop(),
        start: () => deps.ollama.manager.start(),
      }),
    });
  }

  status(): AppState['ollamaInstall'] {
    return { progress: this.#progress, update: this.#update };
  }

  async install(): Promise<OllamaInstallResult> {
    const result = await this.#flow.install((progress) => {
      this.#progress = progress;
      this.#deps.onProgress(progress);
      this.#deps.onChange();
    });
    this.#progress = null;
    if (result.status === 'installed' || result.status === 'updated' || result.status === 'up-to-date') this.#update = null;
    this.#deps.log(result.status === 'failed' ? 'error' : 'info', describeResult(result));
    this.#deps.onChange();
    return result;
  }

  cancel(): void {
    this.#flow.cancel();
  }

  async check(force: boolean): Promise<OllamaUpdateCheck> {
    const result = await this.#flow.check(force);
    this.#update = result;
    if (result.updateAvailable) this.#deps.log('info', result.message);
    this.#deps.onChange();
    return result;
  }

  /** Checks now and then daily, only while the Ollama in use is this app's own (a check is a request to GitHub). */
  startDailyCheck(): void {
    const run = () => {
      if (this.#flow.managedBinary() === undefined) return;
      this.check(false).catch((error: unknown) => this.#deps.log('warn', `Ollama update check failed: ${String(error)}`));
    };
    run();
    this.#timer = setInterval(run, UPDATE_CHECK_INTERVAL_MS);
    this.#timer.unref();
  }

  shutdown(): void {
    clearInterval(this.#timer);
    this.#flow.cancel();
  }
}

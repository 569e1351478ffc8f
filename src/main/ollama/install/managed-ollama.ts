/**
 * "Install Ollama" and "Update Ollama", one flow: an Ollama installed by the system or the user is
 * never touched (the answer names it and where it is); the app's own is installed, or replaced by
 * a newer release only once that one answers `/api/version`, and rolled back otherwise.
 */
import type { OllamaState } from '../../../shared/ollama.ts';
import type { OllamaInstallProgress, OllamaInstallResult, OllamaUpdateCheck } from '../../../shared/ollama-install.ts';
import type { FindOllamaResult } from '../find-binary.ts';
import { DownloadError } from './download.ts';
import type { InstalledOllama, OllamaInstaller } from './installer.ts';
import { compareVersions } from './release.ts';

/** The Ollama manager as this flow needs it. */
export interface ManagedServer {
  /** Which `ollama` the app would launch now, without launching it. */
  locate(): FindOllamaResult;
  /** The version `ollama --version` gives for a binary (null when it cannot be read). */
  versionOf(path: string): Promise<string | null>;
  stop(): Promise<void>;
  /** Launches (or connects); resolves with the state once it answers or failed. */
  start(): Promise<OllamaState>;
}

const SOURCE_NAMES: Record<Exclude<Extract<FindOllamaResult, { found: true }>['source'], 'app-installed'>, string> = {
  flag: 'given by --ollama-path',
  settings: 'set in Settings',
  path: 'found on PATH',
  'install-location': 'in its usual install location',
};

/** What a launch must show before the new Ollama counts as installed: it runs, launched by the app, from the new binary. */
const answersFrom = (state: OllamaState, binaryPath: string): boolean =>
  state.server.phase === 'running' && state.server.owner === 'managed' && state.binary?.path === binaryPath;

const failed = (reason: string, fix: string): OllamaInstallResult => ({ status: 'failed', reason, fix });

export class ManagedOllama {
  readonly #installer: OllamaInstaller;
  readonly #server: () => ManagedServer;
  #running: { controller: AbortController; done: Promise<OllamaInstallResult> } | undefined;

  constructor(options: { installer: OllamaInstaller; server: () => ManagedServer }) {
    this.#installer = options.installer;
    this.#server = options.server;
  }

  /** The binary of the app's own Ollama, for find-binary's last resort. */
  managedBinary(): string | undefined {
    return this.#installer.current()?.path;
  }

  /** Installs Ollama, or updates the app's own; a second call while one runs joins it. */
  install(onProgress: (progress: OllamaInstallProgress) => void): Promise<OllamaInstallResult> {
    if (this.#running) return this.#running.done;
    const controller = new AbortController();
    const done = this.#install(controller.signal, onProgress)
      .catch((error: unknown): OllamaInstallResult => {
        if (controller.signal.aborted) return { status: 'cancelled' };
        if (error instanceof DownloadError) return failed(error.message, error.fix);
        return failed(`Installing Ollama failed: ${error instanceof Error ? error.message : String(error)}.`, 'try again; the log has the details');
      })
      .finally(() => (this.#running = undefined));
    this.#running = { controller, done };
    return done;
  }

  /** Cancels an install or update in progress; the partial download is kept for the next attempt. */
  cancel(): boolean {
    this.#running?.controller.abort();
    return this.#running !== undefined;
  }

  /** Compares the Ollama in use with the newest release (asked at most daily unless `force`). */
  async check(force: boolean): Promise<OllamaUpdateCheck> {
    const found = this.#server().locate();
    const binary = found.found ? { path: found.path, source: found.source, version: await this.#server().versionOf(found.path) } : null;
    const managed = found.found && found.source === 'app-installed';
    let latest: { version: string; checkedAt: string } | undefined;
    let offline: string | undefined;
    try {
      latest = await this.#installer.checkLatest({ force, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      offline = error instanceof DownloadError ? `${error.message} ` : `${String(error)} `;
    }
    const installedVersion = managed ? (this.#installer.current()?.version ?? binary?.version ?? null) : (binary?.version ?? null);
    const updateAvailable = managed && latest !== undefined && installedVersion !== null && compareVersions(latest.version, installedVersion) > 0;
    const newest = latest ? `The newest Ollama is ${latest.version}.` : '';
    let message: string;
    if (!found.found) message = `Ollama is not installed. ${newest} Install Ollama installs it for this user in ${this.#installer.dataDir}.`;
    else if (!managed) {
      message = `Using the Ollama ${binary?.version ?? ''} at ${found.path} (${SOURCE_NAMES[found.source as keyof typeof SOURCE_NAMES]}); this app did not install it and never replaces it. ${newest} Update it the way it was installed.`;
    } else if (updateAvailable) message = `This app's Ollama ${installedVersion} (${found.path}) can be updated to ${latest?.version}.`;
    else message = `This app's Ollama ${installedVersion} (${found.path}) is up to date.`;
    return {
      found: binary,
      managed,
      latest: latest?.version ?? null,
      updateAvailable,
      message: `${offline ?? ''}${message}`.replace(/\s+/g, ' ').trim(),
      checkedAt: latest?.checkedAt ?? null,
    };
  }

  async #install(signal: AbortSignal, onProgress: (progress: OllamaInstallProgress) => void): Promise<OllamaInstallResult> {
    const found = this.#server().locate();
    if (found.found && found.source !== 'app-installed') {
      return failed(
        `Ollama is already installed at ${found.path} (${SOURCE_NAMES[found.source]}); this app never replaces an Ollama it did not install.`,
        'update that Ollama the way it was installed, or start it with "Check again"',
      );
    }
    const previous = this.#installer.current();
    const prepared = await this.#installer.prepare({ signal, onProgress });
    if (previous && compareVersions(prepared.version, previous.version) <= 0) {
      return { status: 'up-to-date', version: previous.version, path: previous.path };
    }
    signal.throwIfAborted();
    onProgress({
      stage: 'starting',
      version: prepared.version,
      completedBytes: 0,
      totalBytes: 0,
      percent: null,
      bytesPerSecond: null,
      etaSeconds: null,
      resumedFromBytes: 0,
    });
    return previous ? this.#switch(previous, prepared) : this.#first(prepared);
  }

  async #first(release: InstalledOllama): Promise<OllamaInstallResult> {
    this.#installer.activate(release);
    const state = await this.#server().start();
    if (answersFrom(state, release.path)) return { status: 'installed', version: release.version, path: release.path };
    const why = 'reason' in state.server ? state.server.reason : `it is ${state.server.phase}`;
    return failed(
      `Ollama ${release.version} was installed at ${release.path} but did not start: ${why}.`,
      'look at the ollama log; "Check again" tries to start it again',
    );
  }

  /** Stops the old, starts the new; back to the old when the new does not answer. */
  async #switch(previous: InstalledOllama, next: InstalledOllama): Promise<OllamaInstallResult> {
    await this.#server().stop();
    this.#installer.activate(next);
    const state = await this.#server().start();
    if (answersFrom(state, next.path)) {
      this.#installer.remove(previous.version);
      return { status: 'updated', version: next.version, previous: previous.version, path: next.path };
    }
    const why = 'reason' in state.server ? state.server.reason : `it is ${state.server.phase}`;
    await this.#server().stop();
    this.#installer.activate(previous);
    this.#installer.remove(next.version);
    await this.#server().start();
    return failed(
      `Ollama ${next.version} did not start (${why}), so ${previous.version} was kept and restarted.`,
      'look at the ollama log; try the update again later',
    );
  }
}

/** The log line for an outcome. Pure. */
export function describeResult(result: OllamaInstallResult): string {
  switch (result.status) {
    case 'installed':
      return `Ollama ${result.version} installed at ${result.path} and started`;
    case 'updated':
      return `Ollama updated from ${result.previous} to ${result.version} (${result.path})`;
    case 'up-to-date':
      return `Ollama ${result.version} is already the newest release`;
    case 'cancelled':
      return 'Ollama install cancelled; the partial download is kept and resumed next time';
    case 'failed':
      return `Ollama install failed: ${result.reason} — ${result.fix}`;
  }
}

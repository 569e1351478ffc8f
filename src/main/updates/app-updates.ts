import type { UpdateState } from '../../shared/updates.ts';
import { CHECK_INTERVAL_MS, canRestartToUpdate, initialUpdateState, nextUpdateState, updateLogLine, type UpdaterEvent } from './update-policy.ts';

/** What the host's updater does (electron-updater in the Electron host); its outcomes arrive as `UpdaterEvent`s. */
export interface UpdaterPort {
  /** Checks the feed; a newer version is downloaded in the background. Failures arrive as an `error` event. */
  check(): Promise<void>;
  /** Installs the downloaded update and relaunches; the app quits. */
  quitAndInstall(): void;
}

export interface AppUpdatesOptions {
  port: UpdaterPort;
  feed: UpdateState['feed'];
  enabled: boolean;
  /** Stops the runner and Ollama as Quit does (the core's `shutdown`). */
  shutdown: () => Promise<unknown>;
  onChange: () => void;
  log: (level: 'info' | 'warn', message: string) => void;
  intervalMs?: number;
  now?: () => number;
}

/**
 * The desktop app's updates: checks on start and daily while enabled, follows the updater's
 * events into the state, and installs only after the runner was stopped cleanly.
 */
export class AppUpdates {
  readonly #options: AppUpdatesOptions;
  #state: UpdateState;
  #timer: NodeJS.Timeout | undefined;
  #installing = false;

  constructor(options: AppUpdatesOptions) {
    this.#options = options;
    this.#state = initialUpdateState(options.enabled, options.feed);
  }

  get state(): UpdateState {
    return this.#state;
  }

  /** The check on start, then one a day; nothing while the user opted out. */
  start(): void {
    if (this.#timer) return;
    if (!this.#state.enabled) return this.#options.log('info', 'Updates are off (Settings): not checking for a new version');
    this.#timer = setInterval(() => void this.#check(), this.#options.intervalMs ?? CHECK_INTERVAL_MS).unref();
    void this.#check();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  setEnabled(enabled: boolean): void {
    this.#state = { ...this.#state, enabled };
    if (enabled) this.start();
    else this.stop();
    this.#options.onChange();
  }

  handle(event: UpdaterEvent): void {
    const before = this.#state;
    this.#state = nextUpdateState(before, event, (this.#options.now ?? Date.now)());
    const line = updateLogLine(before, this.#state, event);
    if (line) this.#options.log(line.level, line.message);
    this.#options.onChange();
  }

  /** "Restart to update": the runner and Ollama stop as at Quit, then the verified download is installed. False: nothing to install. */
  async restartToUpdate(): Promise<boolean> {
    const state = this.#state;
    if (!canRestartToUpdate(state)) return false;
    if (this.#installing) return true;
    this.#installing = true;
    this.stop();
    this.#options.log('info', `Restarting to update to ${state.version}: stopping the runner first`);
    await this.#options.shutdown();
    this.#options.log('info', `Installing update ${state.version}`);
    this.#options.port.quitAndInstall();
    return true;
  }

  async #check(): Promise<void> {
    try {
      await this.#options.port.check();
    } catch (error) {
      // The port reports failures as events too; one that only threw is reported here.
      if (this.#state.status === 'checking') this.handle({ kind: 'error', error: { message: error instanceof Error ? error.message : String(error) } });
    }
  }
}

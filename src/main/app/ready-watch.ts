/**
 * Notices a custom runner that was given the control channel and never says `ready`: it runs and
 * logs, but the Playground cannot use it, and without this watch the user would only learn so
 * when a task is refused. One watch per runner process: armed when it is running, settled by its
 * `ready` or its end.
 */
export interface ReadyWatchOptions {
  /** How long a running runner may take to say `ready` before the user is told. */
  waitMs: number;
  /** The runner has been silent for `waitMs`: the state has something new to show. */
  onSilent: (waitedMs: number) => void;
}

export class ReadyWatch {
  readonly #options: ReadyWatchOptions;
  #timer: NodeJS.Timeout | undefined;
  /** The process being watched (its start time), so a repeated `running` status does not re-arm it. */
  #watching: number | null = null;
  #silentFor: number | null = null;

  constructor(options: ReadyWatchOptions) {
    this.#options = options;
  }

  /** How long the current runner has been silent, once that is worth telling; null otherwise. */
  get silentFor(): number | null {
    return this.#silentFor;
  }

  /** A runner process with the channel is running (`startedAt` tells one process from the next). */
  running(startedAt: number): void {
    if (this.#watching === startedAt) return;
    this.settle();
    this.#watching = startedAt;
    const { waitMs, onSilent } = this.#options;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#silentFor = waitMs;
      onSilent(waitMs);
    }, waitMs);
    // The watch never keeps a quitting app alive.
    this.#timer.unref();
  }

  /** The process being watched said `ready`. */
  announced(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#silentFor = null;
  }

  /** The runner stopped, or is not one to watch. */
  settle(): void {
    this.announced();
    this.#watching = null;
  }
}

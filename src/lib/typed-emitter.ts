/**
 * Listeners keyed by event name, with the arguments of each event typed. Unlike
 * `node:events`, a listener that throws is reported and skipped: the emitter's owner is
 * usually half-way through a state change, and the other listeners still hear of it.
 */
export type EventMap = Record<string, unknown[]>;

export interface TypedEmitterOptions {
  /** Told of every listener that threw. Default: `console.error`. */
  onListenerError?: (error: unknown, event: string) => void;
}

const reportToConsole = (error: unknown, event: string): void => console.error(`A listener of "${event}" threw; the others still ran:`, error);

export class TypedEmitter<Events extends EventMap> {
  readonly #listeners: { [E in keyof Events]?: Set<(...args: Events[E]) => void> } = {};
  readonly #onListenerError: (error: unknown, event: string) => void;

  constructor(options: TypedEmitterOptions = {}) {
    this.#onListenerError = options.onListenerError ?? reportToConsole;
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof Events>(event: E, listener: (...args: Events[E]) => void): () => void {
    const listeners = (this.#listeners[event] ??= new Set());
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners[event]?.size ?? 0;
  }

  /** Calls every listener of `event` in the order they were added, each in isolation. */
  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    const listeners = this.#listeners[event];
    if (!listeners) return;
    // A copy, so that a listener that unsubscribes (itself or another) does not skip anyone.
    for (const listener of [...listeners]) {
      try {
        listener(...args);
      } catch (error) {
        try {
          this.#onListenerError(error, String(event));
        } catch {
          // A failing error report must not break the emit either.
        }
      }
    }
  }
}

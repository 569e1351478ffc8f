import { parseEvent, type AppState, type EventName } from '../../shared/ipc.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';
import { describe } from './command-error.ts';

export type AppEventListener = (event: EventName, payload: unknown) => void;

export interface AppEventsOptions {
  /** Whether there is a state to show yet (not before `prepare`). */
  ready: () => boolean;
  state: () => AppState;
  /** Called with every state push, window or not; unlike a subscriber, it costs no event validation. */
  onState?: ((state: AppState) => void) | undefined;
  /** An event that does not match the contract (it is not sent). */
  onInvalid: (message: string) => void;
}

/** The core's events: validated against the contract, pushed to subscribers; state pushes coalesced. */
export class AppEvents {
  readonly #options: AppEventsOptions;
  readonly #events = new TypedEmitter<{ event: Parameters<AppEventListener> }>();
  #statePending = false;

  constructor(options: AppEventsOptions) {
    this.#options = options;
  }

  subscribe(listener: AppEventListener): () => void {
    return this.#events.on('event', listener);
  }

  emit(event: EventName, payload: unknown): void {
    // Validating costs most in a log flood; with no window open there is no one to send to.
    if (this.#events.listenerCount('event') === 0) return;
    let checked: unknown;
    try {
      checked = parseEvent(event, payload);
    } catch (error) {
      this.#options.onInvalid(describe(error));
      return;
    }
    this.#events.emit('event', event, checked);
  }

  /** State changes come in bursts (a restart is several transitions): one push per tick. */
  scheduleState(): void {
    if (this.#statePending || !this.#options.ready()) return;
    this.#statePending = true;
    setImmediate(() => {
      this.#statePending = false;
      const state = this.#options.state();
      this.#options.onState?.(state);
      this.emit('state', state);
    });
  }
}

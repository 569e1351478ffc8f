import type { EventName } from '../../shared/ipc.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';

export type AppEventListener = (event: EventName, payload: unknown) => void;

export interface AppEventsOptions {
  /** Called with every state push, window or not, without a transport in between. */
  onState?: ((state: AppState) => void) | undefined;
}

/**
 * The core's events, pushed to subscribers; state pushes coalesced. Each transport (the Electron
 * IPC bridge, the WebSocket bridge) validates what it sends against the contract, once.
 */
export class AppEvents {
  readonly #options: AppEventsOptions;
  readonly #events = new TypedEmitter<{ event: Parameters<AppEventListener> }>();
  #statePending = false;
  /** Where the state is projected from: set by `open`, once every service exists (before, there is no state to push). */
  #state: (() => AppState) | undefined;

  constructor(options: AppEventsOptions) {
    this.#options = options;
  }

  /** The second phase of wiring: from now on, state changes are pushed, projected by `state`. */
  open(state: () => AppState): void {
    this.#state = state;
  }

  subscribe(listener: AppEventListener): () => void {
    return this.#events.on('event', listener);
  }

  emit(event: EventName, payload: unknown): void {
    this.#events.emit('event', event, payload);
  }

  /** State changes come in bursts (a restart is several transitions): one push per tick. */
  scheduleState(): void {
    const project = this.#state;
    if (this.#statePending || !project) return;
    this.#statePending = true;
    setImmediate(() => {
      this.#statePending = false;
      // Projected once per push: subscribers and `onState` get this one state.
      const state = project();
      this.#options.onState?.(state);
      this.emit('state', state);
    });
  }
}

import type { EventName } from '../../shared/ipc.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';

export type AppEventListener = (event: EventName, payload: unknown) => void;

export interface AppEventsOptions {
  /** Whether there is a state to show yet (not before `prepare`). */
  ready: () => boolean;
  state: () => AppState;
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

  constructor(options: AppEventsOptions) {
    this.#options = options;
  }

  subscribe(listener: AppEventListener): () => void {
    return this.#events.on('event', listener);
  }

  emit(event: EventName, payload: unknown): void {
    this.#events.emit('event', event, payload);
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

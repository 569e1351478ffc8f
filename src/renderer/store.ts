import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { AppState } from '../shared/state-schema.ts';
import type { Bridge, ConnectionStatus } from './bridge.ts';
import { LogBuffer } from './log-buffer.ts';

/** How many recent lines the window asks for when it (re)connects. */
const INITIAL_LOG_LINES = 5000;

type Topic = 'state' | 'logs';

/**
 * What the window knows about the app: the latest state snapshot (downloads included) and
 * the log lines. Fed by the bridge's events; components subscribe per topic.
 */
export class AppStore {
  readonly bridge: Bridge;
  readonly logs = new LogBuffer();
  state: AppState | null = null;
  connection: ConnectionStatus = 'connecting';
  /** Why the state could not be loaded, shown instead of the app. */
  loadError: string | null = null;
  readonly #listeners: Record<Topic, Set<() => void>> = { state: new Set(), logs: new Set() };
  /** Bumped on every change of a topic, so a view can tell it missed one. */
  readonly #versions: Record<Topic, number> = { state: 0, logs: 0 };
  #logFramePending = false;

  constructor(bridge: Bridge) {
    this.bridge = bridge;
    bridge.on('state', (state) => {
      this.state = state;
      this.#notify('state');
    });
    bridge.on('logs', (batch) => {
      this.logs.append(batch.entries, batch.skipped);
      this.#scheduleLogNotify();
    });
    bridge.on('navigate', ({ route }) => {
      window.location.hash = `#/${route}`;
    });
    bridge.onConnection((status) => {
      this.connection = status;
      this.#notify('state');
      if (status === 'open') void this.#load();
    });
  }

  /** Re-reads everything the events may have missed while disconnected. */
  async #load(): Promise<void> {
    try {
      this.state = await this.bridge.invoke('state:get', {});
      this.loadError = null;
      this.#notify('state');
      const recent = await this.bridge.invoke('logs:recent', { limit: INITIAL_LOG_LINES });
      // Lines already received as events are skipped by sequence number.
      this.logs.append(recent.entries, 0);
      this.#scheduleLogNotify();
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
      this.#notify('state');
    }
  }

  /** Changes whenever `topic` does. */
  version(topic: Topic): number {
    return this.#versions[topic];
  }

  subscribe(topic: Topic, listener: () => void): () => void {
    this.#listeners[topic].add(listener);
    return () => this.#listeners[topic].delete(listener);
  }

  #notify(topic: Topic): void {
    this.#versions[topic] += 1;
    this.#listeners[topic].forEach((listener) => listener());
  }

  /** After the log buffer changed other than by an event (lines loaded from the files). */
  logsChanged(): void {
    this.#scheduleLogNotify();
  }

  /** Log lines may arrive hundreds of times a second: repaint at most once a frame. */
  #scheduleLogNotify(): void {
    if (this.#logFramePending) return;
    this.#logFramePending = true;
    requestAnimationFrame(() => {
      this.#logFramePending = false;
      this.#notify('logs');
    });
  }
}

export const StoreContext = createContext<AppStore | null>(null);

export function useStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useStore needs a StoreContext provider');
  return store;
}

/** Re-renders the caller whenever `topic` changes; returns a counter that changes with it. */
export function useTopic(topic: Topic): number {
  const store = useStore();
  const [, rerender] = useState(0);
  const rendered = store.version(topic);
  useEffect(() => {
    const unsubscribe = store.subscribe(topic, () => rerender((count) => count + 1));
    // Effects run after paint: a change in between (the state arriving on a fast connection)
    // notified no one, and the view would wait for the next one, which may never come.
    if (store.version(topic) !== rendered) rerender((count) => count + 1);
    return unsubscribe;
  }, [store, topic]);
  return rendered;
}

/** The latest app state (screens render only once it is known). */
export function useAppState(): AppState {
  const store = useStore();
  useTopic('state');
  if (!store.state) throw new Error('useAppState before the state arrived');
  return store.state;
}

import type {
  CommandFailure,
  CommandName,
  CommandReply,
  CommandRequest,
  CommandResponse,
  EventName,
  EventPayload,
  StigmerPreloadApi,
  WsServerMessage,
} from '../shared/ipc.ts';

/** A command the host refused or that failed: the message names the problem, `fix` the way out. */
export class CommandError extends Error {
  readonly fix: string | undefined;
  readonly field: string | undefined;

  constructor(failure: CommandFailure) {
    super(failure.message);
    this.name = 'CommandError';
    this.fix = failure.fix;
    this.field = failure.field;
  }
}

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting';

/** The renderer's only way to reach the app: the same calls over Electron IPC or the headless WebSocket. */
export interface Bridge {
  invoke<C extends CommandName>(command: C, payload: CommandRequest<C>): Promise<CommandResponse<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Told when the transport connects, drops or reconnects (Electron's is always open). */
  onConnection(listener: (status: ConnectionStatus) => void): () => void;
}

// The reply's type is the command's (main checked it against the command's schema); T names it for the caller.
// oxlint-disable-next-line typescript/no-unnecessary-type-parameters
const unwrap = <T>(reply: CommandReply): T => {
  if (!reply.ok) throw new CommandError(reply.error);
  return reply.value as T;
};

function electronBridge(api: StigmerPreloadApi): Bridge {
  return {
    invoke: async (command, payload) => unwrap(await api.invoke(command, payload)),
    on: (event, listener) => api.on(event, listener as (payload: unknown) => void),
    onConnection: (listener) => {
      listener('open');
      return () => {};
    },
  };
}

type Listener = (payload: unknown) => void;

export interface SocketBridgeOptions {
  /** The WebSocket URL, token included. */
  url: string;
  /** Reconnect delays grow from `minDelayMs` to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** The headless host's transport: requests paired with replies by id, events pushed, reconnects with backoff. */
export function socketBridge({ url, minDelayMs = 250, maxDelayMs = 5000 }: SocketBridgeOptions): Bridge {
  const pending = new Map<number, { resolve: (reply: CommandReply) => void; reject: (error: Error) => void }>();
  const listeners = new Map<string, Set<Listener>>();
  const connectionListeners = new Set<(status: ConnectionStatus) => void>();
  const outbox: string[] = [];
  let socket: WebSocket | undefined;
  let nextId = 1;
  let delay = minDelayMs;
  let status: ConnectionStatus = 'connecting';

  const setStatus = (next: ConnectionStatus) => {
    status = next;
    connectionListeners.forEach((listener) => listener(next));
  };

  const connect = () => {
    const current = new WebSocket(url);
    socket = current;
    current.addEventListener('open', () => {
      delay = minDelayMs;
      setStatus('open');
      for (const frame of outbox.splice(0)) current.send(frame);
    });
    current.addEventListener('message', (message) => {
      const data = JSON.parse(String(message.data)) as WsServerMessage;
      if (data.type === 'event') {
        listeners.get(data.event)?.forEach((listener) => listener(data.payload));
      } else if (data.id !== null) {
        pending.get(data.id)?.resolve(data);
        pending.delete(data.id);
      }
    });
    current.addEventListener('close', () => {
      for (const waiter of pending.values()) waiter.reject(new Error('The connection to Stigmer was lost; reconnecting…'));
      pending.clear();
      setStatus('reconnecting');
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, maxDelayMs);
    });
  };
  connect();

  return {
    invoke: (command, payload) =>
      new Promise<CommandReply>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const frame = JSON.stringify({ id, command, payload });
        if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else outbox.push(frame);
      }).then((reply) => unwrap(reply)),
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
    onConnection: (listener) => {
      connectionListeners.add(listener);
      listener(status);
      return () => connectionListeners.delete(listener);
    },
  };
}

/** Where the page keeps the token: per tab and per origin (port included), so no other port reads it. */
const TOKEN_KEY = 'stigmer-ui-token';

/**
 * The access token: taken from the page URL (`?token=` or `#token=`), which then loses it, so it
 * stays out of the address bar, history and screenshots; kept in sessionStorage for reloads. It is
 * never in a cookie: cookies ignore ports and would reach every other server on 127.0.0.1.
 */
function takeToken(): string | undefined {
  const url = new URL(window.location.href);
  const fromQuery = url.searchParams.get('token');
  const fromHash = new URLSearchParams(url.hash.replace(/^#/, '')).get('token');
  const fromUrl = fromQuery ?? fromHash ?? undefined;
  if (fromUrl === undefined) return window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  url.searchParams.delete('token');
  if (fromHash !== null) url.hash = '';
  window.history.replaceState(null, '', url);
  window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
  return fromUrl;
}

declare global {
  interface Window {
    stigmer?: StigmerPreloadApi;
  }
}

/** Electron's preload API when present, otherwise the headless host's WebSocket. */
export function createBridge(): Bridge {
  if (window.stigmer) return electronBridge(window.stigmer);
  const token = takeToken();
  // A tab opened at the app path without the printed URL (say, a copied address): the server's
  // answer to a request without the token says which URL to open.
  if (token === undefined) window.location.replace('/');
  const url = new URL('/ws', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = token ? `?token=${encodeURIComponent(token)}` : '';
  return socketBridge({ url: url.href });
}

import WebSocket from 'ws';
import { messageText } from '../../src/main/headless/ui/ws-bridge.ts';

/** The status a WebSocket upgrade gets: 101 when accepted, else the HTTP status of the refusal. */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      socket.terminate();
    });
    socket.on('open', () => {
      resolve(101);
      socket.close();
    });
    // A refusal is also reported as an error after 'unexpected-response'; only other errors count.
    socket.on('error', (error) => {
      if (!error.message.includes('Unexpected server response')) reject(error);
    });
  });
}

/** A page's connection to the headless host's UI, as the renderer's bridge speaks it. */
export interface UiClient {
  /** Sends a command and resolves with its reply envelope. */
  request(command: string, payload?: unknown): Promise<{ ok: boolean; value?: unknown; error?: unknown }>;
  /** The payloads of every event of that name received so far. */
  events(name: string): unknown[];
  close(): void;
}

/** Connects to the UI at `uiUrl` (the address the host prints) as its own page would. */
export async function connectUi(uiUrl: string): Promise<UiClient> {
  const url = new URL(uiUrl);
  const wsUrl = new URL(url);
  wsUrl.protocol = 'ws:';
  wsUrl.pathname = `${url.pathname.replace(/\/$/, '')}/ws`;
  const socket = new WebSocket(wsUrl, { headers: { Origin: url.origin } });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const received = new Map<string, unknown[]>();
  const pending = new Map<number, (reply: { ok: boolean; value?: unknown; error?: unknown }) => void>();
  let nextId = 1;
  socket.on('message', (data) => {
    const message = JSON.parse(messageText(data)) as { type: string; id?: number; event?: string; payload?: unknown; ok: boolean };
    if (message.type === 'event') {
      const list = received.get(message.event!) ?? [];
      list.push(message.payload);
      received.set(message.event!, list);
    } else if (message.type === 'reply' && message.id !== undefined) {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    }
  });
  return {
    request(command, payload = {}) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, command, payload }));
      });
    },
    events: (name) => received.get(name) ?? [],
    close: () => socket.close(),
  };
}

import type { RawData, WebSocket } from 'ws';
import { dispatchCommand, type CommandHandler } from '../../../shared/dispatch.ts';
import { parseEvent, WsRequestSchema, type EventName, type EventPayload, type WsServerMessage } from '../../../shared/ipc.ts';

/** Largest message a page may send; a bigger one closes the connection (1009). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * A socket that lags this far behind gets no more log batches until it catches up; the
 * lines it missed are reported in the next batch's `skipped`, as the main side's sampling is.
 */
export const LOG_BACKLOG_BYTES = 8 * 1024 * 1024;

const send = (socket: WebSocket, message: WsServerMessage): void => {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
};

/** Answers one message: a request is validated against the contract before the core sees it. */
/** A message's text: ws hands it over as one Buffer, an ArrayBuffer or fragments, by the socket's binaryType. */
export function messageText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

async function answer(socket: WebSocket, data: RawData, isBinary: boolean, handleCommand: CommandHandler): Promise<void> {
  if (isBinary) {
    send(socket, { type: 'reply', id: null, ok: false, error: { message: 'Binary messages are not accepted; send JSON text.' } });
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(messageText(data));
  } catch {
    send(socket, { type: 'reply', id: null, ok: false, error: { message: 'The message is not valid JSON.' } });
    return;
  }
  const request = WsRequestSchema.safeParse(json);
  if (!request.success) {
    const id = typeof json === 'object' && json !== null && 'id' in json && Number.isSafeInteger(json.id) ? (json.id as number) : null;
    send(socket, {
      type: 'reply',
      id,
      ok: false,
      error: { message: 'A message must be {"id": number, "command": string, "payload": object}.' },
    });
    return;
  }
  const { id, command, payload } = request.data;
  send(socket, { type: 'reply', id, ...(await dispatchCommand(command, payload, handleCommand)) });
}

/** Wires one accepted page connection to the core. */
export function serveSocket(socket: WebSocket, handleCommand: CommandHandler): void {
  // Errors (an oversized frame, a reset) end the connection; ws closes it with the right code.
  socket.on('error', () => socket.terminate());
  socket.on('message', (data, isBinary) => void answer(socket, data, isBinary, handleCommand));
}

/** Pushes events to every open page, each validated (and stripped of unknown keys) once. */
export class EventBroadcaster {
  readonly #sockets: Set<WebSocket>;
  /** Log lines each lagging socket missed, to report in its next batch. */
  readonly #missedLogLines = new WeakMap<WebSocket, number>();

  constructor(sockets: Set<WebSocket>) {
    this.#sockets = sockets;
  }

  broadcast(event: EventName, payload: unknown): void {
    const checked = parseEvent(event, payload);
    if (event === 'logs') {
      this.#broadcastLogs(checked as EventPayload<'logs'>);
      return;
    }
    const frame = JSON.stringify({ type: 'event', event, payload: checked } satisfies WsServerMessage);
    for (const socket of this.#sockets) if (socket.readyState === socket.OPEN) socket.send(frame);
  }

  #broadcastLogs(batch: EventPayload<'logs'>): void {
    let sharedFrame: string | undefined;
    for (const socket of this.#sockets) {
      if (socket.readyState !== socket.OPEN) continue;
      const missed = this.#missedLogLines.get(socket) ?? 0;
      if (socket.bufferedAmount > LOG_BACKLOG_BYTES) {
        this.#missedLogLines.set(socket, missed + batch.skipped + batch.entries.length);
        continue;
      }
      if (missed > 0) {
        this.#missedLogLines.delete(socket);
        const payload = { entries: batch.entries, skipped: batch.skipped + missed };
        socket.send(JSON.stringify({ type: 'event', event: 'logs', payload } satisfies WsServerMessage));
        continue;
      }
      sharedFrame ??= JSON.stringify({ type: 'event', event: 'logs', payload: batch } satisfies WsServerMessage);
      socket.send(sharedFrame);
    }
  }
}

import type { Duplex } from 'node:stream';
import { MAX_CONTROL_LINE_BYTES } from '../../shared/runner-protocol.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';
import { LineSplitter } from '../../lib/line-splitter.ts';

/** A line from the runner that is not one JSON value; delivered to listeners so the app can say so, never thrown. */
export class InvalidControlLine {
  readonly problem: string;
  constructor(problem: string) {
    this.problem = problem;
  }
}

export interface JsonLinesChannel {
  /** False when the channel is closed. Never blocks: unread messages wait in memory, as Node's IPC does. */
  send(message: unknown): boolean;
  onMessage(listener: (message: unknown) => void): () => void;
  /**
   * Ends the app's end of the socket and stops delivering: whatever arrives afterwards (from a
   * descendant that inherited the runner's end) reaches no listener.
   */
  close(): void;
}

/**
 * The app's end of a custom runner's control socket: one JSON value per line both ways (the same
 * framing as Node's `serialization: 'json'` IPC). Unlike Node's IPC, whose parser throws in the
 * parent on a line that is not JSON, a malformed or over-long line is reported as an
 * `InvalidControlLine` and the channel goes on; a runner that closes its end just ends it.
 */
export function jsonLinesChannel(socket: Duplex, maxLineBytes = MAX_CONTROL_LINE_BYTES): JsonLinesChannel {
  const events = new TypedEmitter<{ message: [unknown] }>();
  let open = true;
  const splitter = new LineSplitter({
    maxLineBytes,
    onLine(line, droppedBytes) {
      if (!open) return;
      if (droppedBytes > 0) return events.emit('message', new InvalidControlLine(`a line longer than ${maxLineBytes} bytes`));
      if (line.trim() === '') return;
      try {
        events.emit('message', JSON.parse(line));
      } catch {
        events.emit('message', new InvalidControlLine('a line that is not JSON'));
      }
    },
  });
  socket.on('data', (chunk: Buffer) => splitter.write(chunk));
  // EPIPE or ECONNRESET once the runner closed its end or exited: the channel is over, nothing more.
  socket.on('error', () => (open = false));
  socket.on('close', () => (open = false));
  socket.on('end', () => (open = false));
  return {
    send(message) {
      if (!open || !socket.writable) return false;
      socket.write(`${JSON.stringify(message)}\n`);
      return true;
    },
    onMessage: (listener) => events.on('message', listener),
    close() {
      open = false;
      socket.destroy();
    },
  };
}

import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closes every connection that has not sent a complete request head within `deadlineMs` of
 * connecting. Node's `headersTimeout` is not enough on its own: it is measured by the HTTP parser,
 * so whether it covers a socket that never sends a byte depends on the Node release (the attack
 * round found such sockets open after 60 s, and 128 of them fill `maxConnections`). This timer starts
 * at the TCP connection itself, whatever Node does.
 *
 * Returns `settle`, to be called once a socket has sent its first complete request head (or became an
 * authenticated WebSocket): from there Node's `requestTimeout` bounds the body and `keepAliveTimeout`
 * an idle keep-alive, and an open tab's WebSocket may stay idle.
 */
export function closeWithoutFirstRequest(server: Server, deadlineMs: number): (socket: Socket) => void {
  const timers = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), deadlineMs).unref();
    timers.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  return (socket) => clearTimeout(timers.get(socket));
}

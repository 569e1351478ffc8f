/**
 * `app.requestSingleInstanceLock`: like Chromium's process singleton on Linux, a lock and a socket
 * in the userData folder. The first instance listens; a second one finds the lock held by a live
 * process, sends its argv and working directory, and the first emits `second-instance`
 * (docs: app `second-instance` event). The answer is synchronous, as Electron's.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isGone } from '../../support/processes.ts';

const LOCK = 'SingletonLock';
const SOCKET = 'SingletonSocket';

export interface SingleInstance {
  /** Resolves once a second instance's message is on its way (a second instance waits for it before exiting). */
  notified: Promise<void>;
  release(): void;
}

export function acquire(
  userDataDir: string,
  additionalData: unknown,
  onSecondInstance: (argv: string[], cwd: string, data: unknown) => void,
): { held: true; lock: SingleInstance } | { held: false; notified: Promise<void> } {
  fs.mkdirSync(userDataDir, { recursive: true });
  const lockFile = path.join(userDataDir, LOCK);
  const socketFile = path.join(userDataDir, SOCKET);
  let holder: number | undefined;
  try {
    holder = Number(fs.readFileSync(lockFile, 'utf8'));
  } catch {
    holder = undefined;
  }
  if (holder !== undefined && holder !== process.pid && !isGone(holder)) {
    const notified = new Promise<void>((resolve) => {
      const socket = net.connect(socketFile, () =>
        socket.end(JSON.stringify({ argv: process.argv, cwd: process.cwd(), data: additionalData ?? null }), resolve),
      );
      socket.on('error', () => resolve());
    });
    return { held: false, notified };
  }
  fs.writeFileSync(lockFile, String(process.pid));
  fs.rmSync(socketFile, { force: true });
  const server = net.createServer((socket) => {
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => {
      const message = JSON.parse(text) as { argv: string[]; cwd: string; data: unknown };
      onSecondInstance(message.argv, message.cwd, message.data);
    });
  });
  server.listen(socketFile);
  // The socket is not what keeps the app alive; app.ts does that until quit.
  server.unref();
  return {
    held: true,
    lock: {
      notified: Promise.resolve(),
      release() {
        server.close();
        fs.rmSync(lockFile, { force: true });
        fs.rmSync(socketFile, { force: true });
      },
    },
  };
}

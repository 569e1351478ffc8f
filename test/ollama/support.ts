/** Helpers shared by the Ollama tests. */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { FakeOllamaConfig } from '../doubles/ollama/server.ts';

export { waitFor } from '../support/processes.ts';

/** A loopback port that was free a moment ago (nothing listens on it now). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server on a loopback port, closed when the test ends. */
export async function listenTcp(t: { after(fn: () => Promise<void> | void): void }, onConnection: (socket: net.Socket) => void, port = 0): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

/** Writes a config for the fake `ollama` executable; pass the path as FAKE_OLLAMA_CONFIG. */
export function writeFakeConfig(dir: string, config: FakeOllamaConfig): string {
  const file = path.join(dir, 'fake-ollama.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

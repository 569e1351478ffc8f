import net from 'node:net';

/** A loopback port that accepts connections and never answers: a hung server, for timeouts. */
export async function startBlackhole(): Promise<{ port: number; close: () => Promise<void> }> {
  const silent = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    silent.add(socket);
    socket.on('close', () => silent.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const socket of silent) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CONTROL_MAX_LINE_BYTES, ControlRequestSchema, type ControlServerMessage } from '../../shared/control-socket.ts';
import { parseEvent, type EventName } from '../../shared/ipc.ts';
import { dispatchCommand, type CommandHandler } from '../../shared/dispatch.ts';
import { InvalidControlLine, jsonLinesChannel, type JsonLinesChannel } from '../process/json-lines-channel.ts';
import { controlSocketPath } from './socket-path.ts';

export interface ControlSocketOptions {
  /** `controlSocketPath(userDataDir)`. */
  socketPath: string;
  /** The app core: runs one already-validated command (`AppCore.execute`). */
  handleCommand: CommandHandler;
  /** Registers for the core's events; returns the function that unregisters. */
  subscribe: (listener: (event: EventName, payload: unknown) => void) => () => void;
  /** Told about an event the core pushed that does not match the contract (it is not sent). */
  onContractViolation?: (message: string) => void;
}

export interface ControlSocket {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * A client this far behind gets no more log batches until it catches up; the lines it missed are
 * counted in the next batch's `skipped`, as the window's bridge does. `stigmer logs -f` piped into
 * a pager that is not read must not grow the app's memory.
 */
export const CONTROL_LOG_BACKLOG_BYTES = 8 * 1024 * 1024;

interface Client {
  socket: net.Socket;
  channel: JsonLinesChannel;
  events: ReadonlySet<EventName>;
  missedLogLines: number;
}

const isWindowsPipe = (socketPath: string) => socketPath.startsWith('\\\\');

/** True when an app answers on the socket; false when nothing listens (a socket file left by a crash). */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

const listen = (server: net.Server, socketPath: string): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: socketPath, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });

/**
 * Owner-only, by the file system: the run directory is made 0700 and the socket 0600, so the
 * kernel refuses `connect` to any other user (connecting needs write permission on the socket and
 * search permission on every directory above it). A socket file that nothing answers on was left
 * by an app that crashed: it is replaced. One that answers belongs to a running app: refused.
 */
async function prepareSocketFile(socketPath: string): Promise<void> {
  const runDir = path.dirname(socketPath);
  fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(runDir, 0o700);
  let existing: fs.Stats;
  try {
    existing = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!existing.isSocket()) throw new Error(`${socketPath} exists and is not a socket; remove it to let the stigmer command reach this app`);
  if (await answers(socketPath)) throw new Error(`another app already answers on ${socketPath}`);
  fs.rmSync(socketPath, { force: true });
}

/**
 * Serves the IPC contract to the `stigmer` command on a local socket: the same commands, validated
 * and dispatched as the window's (`dispatchCommand`), and the same events, each checked against the
 * contract once and sent only to the clients that subscribed to it.
 */
export async function startControlSocket(options: ControlSocketOptions): Promise<ControlSocket> {
  const { socketPath } = options;
  if (!isWindowsPipe(socketPath)) await prepareSocketFile(socketPath);
  const clients = new Set<Client>();

  const reply = (client: Client, message: ControlServerMessage) => client.channel.send(message);

  async function answer(client: Client, message: unknown): Promise<void> {
    if (message instanceof InvalidControlLine) {
      reply(client, { type: 'reply', id: null, ok: false, error: { message: `The app received ${message.problem}; send one JSON object per line.` } });
      if (message.problem.startsWith('a line longer')) client.socket.destroy();
      return;
    }
    const request = ControlRequestSchema.safeParse(message);
    if (!request.success) {
      const error = { message: 'A line must be {"id": number, "command": string, "payload": object} or {"id": number, "subscribe": [event, …]}.' };
      const id = typeof message === 'object' && message !== null && 'id' in message && Number.isSafeInteger(message.id) ? (message.id as number) : null;
      reply(client, { type: 'reply', id, ok: false, error });
      return;
    }
    if ('subscribe' in request.data) {
      client.events = new Set(request.data.subscribe);
      reply(client, { type: 'reply', id: request.data.id, ok: true, value: { subscribed: [...client.events] } });
      return;
    }
    const { id, command, payload } = request.data;
    reply(client, { type: 'reply', id, ...(await dispatchCommand(command, payload, options.handleCommand)) });
  }

  const server = net.createServer((socket) => {
    const client: Client = { socket, channel: jsonLinesChannel(socket, CONTROL_MAX_LINE_BYTES), events: new Set(), missedLogLines: 0 };
    clients.add(client);
    socket.on('close', () => clients.delete(client));
    client.channel.onMessage((message) => void answer(client, message));
  });
  await listen(server, socketPath);
  if (!isWindowsPipe(socketPath)) fs.chmodSync(socketPath, 0o600);

  function push(event: EventName, payload: unknown): void {
    const listening = [...clients].filter((client) => client.events.has(event));
    if (listening.length === 0) return;
    let checked: unknown;
    try {
      checked = parseEvent(event, payload);
    } catch (error) {
      options.onContractViolation?.(error instanceof Error ? error.message : String(error));
      return;
    }
    for (const client of listening) {
      if (event !== 'logs') {
        reply(client, { type: 'event', event, payload: checked });
        continue;
      }
      const batch = checked as { entries: unknown[]; skipped: number };
      if (client.socket.writableLength > CONTROL_LOG_BACKLOG_BYTES) {
        client.missedLogLines += batch.skipped + batch.entries.length;
        continue;
      }
      reply(client, { type: 'event', event, payload: { entries: batch.entries, skipped: batch.skipped + client.missedLogLines } });
      client.missedLogLines = 0;
    }
  }
  const unsubscribe = options.subscribe(push);

  return {
    path: socketPath,
    close: async () => {
      unsubscribe();
      for (const client of clients) client.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Node removes the socket file when the server closes; a Windows pipe has none.
    },
  };
}

/**
 * What both hosts call: the control socket for their user-data folder, or undefined (and a warning
 * in the log saying why) when it cannot be made; the app runs on without it.
 */
export async function serveControlSocket(
  userDataDir: string,
  options: Omit<ControlSocketOptions, 'socketPath' | 'onContractViolation'> & { log: (level: 'warn' | 'error', message: string) => void },
): Promise<ControlSocket | undefined> {
  try {
    return await startControlSocket({
      ...options,
      socketPath: controlSocketPath(userDataDir),
      onContractViolation: (message) => options.log('error', message),
    });
  } catch (error) {
    options.log('warn', `The stigmer command cannot reach this app: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

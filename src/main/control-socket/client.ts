import net from 'node:net';
import { CONTROL_MAX_LINE_BYTES, ControlServerMessageSchema } from '../../shared/control-socket.ts';
import { parseResponse, type CommandFailure, type CommandName, type CommandRequest, type CommandResponse, type EventName } from '../../shared/ipc.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';
import { jsonLinesChannel, type JsonLinesChannel } from '../process/json-lines-channel.ts';

/** No app listens on the socket: the file is missing, or was left by an app that is gone. */
export class NoAppRunning extends Error {}

/** The app answered a command with a failure (`CommandFailure`), or did not answer it at all. */
export class CommandFailed extends Error {
  readonly fix: string | undefined;
  constructor(failure: CommandFailure) {
    super(failure.message);
    this.fix = failure.fix;
  }
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** The `stigmer` command's end of the control socket: contract commands in, replies and subscribed events out. */
export class ControlClient {
  readonly #socket: net.Socket;
  readonly #channel: JsonLinesChannel;
  readonly #pending = new Map<number, Pending>();
  readonly #events = new TypedEmitter<{ event: [EventName, unknown]; closed: [] }>();
  #nextId = 1;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    this.#channel = jsonLinesChannel(socket, CONTROL_MAX_LINE_BYTES);
    this.#channel.onMessage((message) => this.#receive(message));
    socket.on('close', () => {
      for (const pending of this.#pending.values())
        pending.reject(new CommandFailed({ message: 'The app closed the connection before it answered (it may be shutting down).' }));
      this.#pending.clear();
      this.#events.emit('closed');
    });
  }

  /** Connects to the app listening on `socketPath`; rejects with `NoAppRunning` when none does. */
  static connect(socketPath: string): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => socket.destroy());
        resolve(new ControlClient(socket));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') reject(new NoAppRunning(socketPath));
        else reject(new Error(`Cannot reach the app at ${socketPath}: ${error.message}`));
      });
    });
  }

  /** Runs one command of the contract; its answer is checked against the contract's schema. */
  async request<C extends CommandName>(command: C, payload: CommandRequest<C>): Promise<CommandResponse<C>> {
    return parseResponse(command, await this.#send({ command, payload }));
  }

  /** Asks for these events from now on; `listener` gets them (unvalidated here: the app checked them against the contract). */
  async subscribe(events: readonly EventName[], listener: (event: EventName, payload: unknown) => void): Promise<void> {
    this.#events.on('event', listener);
    await this.#send({ subscribe: events });
  }

  /** Called once the app closes the connection (it stopped). */
  onClosed(listener: () => void): void {
    this.#events.on('closed', listener);
  }

  close(): void {
    this.#socket.end();
  }

  #send(body: object): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (!this.#channel.send({ id, ...body })) {
        this.#pending.delete(id);
        reject(new CommandFailed({ message: 'The connection to the app is closed.' }));
      }
    });
  }

  #receive(raw: unknown): void {
    const parsed = ControlServerMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'event') {
      this.#events.emit('event', message.event, message.payload);
      return;
    }
    const pending = message.id === null ? undefined : this.#pending.get(message.id);
    if (!pending) {
      // A line the app could not read has no id: it can only be ours, the oldest unanswered one.
      if (message.ok || message.id !== null) return;
      const [oldest] = this.#pending.keys();
      if (oldest === undefined) return;
      this.#pending.get(oldest)?.reject(new CommandFailed(message.error));
      this.#pending.delete(oldest);
      return;
    }
    this.#pending.delete(message.id!);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new CommandFailed(message.error));
  }
}

/**
 * The runner's end of the control channel: Node's IPC channel when spawned by
 * `child_process` with an 'ipc' stdio slot, or Electron's `process.parentPort` when run as a
 * utilityProcess. Messages arrive unvalidated; the caller checks them against the protocol.
 */
export interface ControlChannel {
  kind: 'node-ipc' | 'electron-parent-port';
  send(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
  /** Called once when the parent closes the channel or goes away. */
  onDisconnect(handler: () => void): void;
}

/** The slice of Electron's `ParentPort` used here; typed locally so the runner never imports 'electron'. */
interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

function electronParentPort(): ParentPortLike | undefined {
  const port = (process as { parentPort?: unknown }).parentPort;
  return typeof port === 'object' && port !== null && 'postMessage' in port ? (port as ParentPortLike) : undefined;
}

function nodeIpcChannel(): ControlChannel {
  return {
    kind: 'node-ipc',
    send(message) {
      // A parent that has just gone away makes send fail; the disconnect handler ends the runner.
      if (process.connected) process.send?.(message, undefined, undefined, () => {});
    },
    onMessage(handler) {
      process.on('message', handler);
    },
    onDisconnect(handler) {
      process.once('disconnect', handler);
    },
  };
}

function electronChannel(port: ParentPortLike): ControlChannel {
  return {
    kind: 'electron-parent-port',
    send: (message) => port.postMessage(message),
    onMessage: (handler) => port.on('message', (event) => handler(event.data)),
    // Electron ends a utilityProcess together with its parent; the ppid watch covers the rest.
    onDisconnect: () => {},
  };
}

/** The channel to the parent, or undefined when the runner was started by hand. */
export function openControlChannel(): ControlChannel | undefined {
  const port = electronParentPort();
  if (port) return electronChannel(port);
  if (typeof process.send === 'function' && process.connected) return nodeIpcChannel();
  return undefined;
}

/** `ipcMain`: the main end of the renderer's `invoke` and `send`, with Electron's event shapes. */
import { EventEmitter } from 'node:events';
import { violation } from './rules.ts';

export interface SenderInfo {
  sender: unknown;
  senderFrame: unknown;
  processId: number;
  frameId: number;
}

type InvokeHandler = (event: SenderInfo, ...args: unknown[]) => unknown;

class IpcMain extends EventEmitter {
  readonly #handlers = new Map<string, InvokeHandler>();

  handle(channel: string, handler: InvokeHandler): void {
    // Docs (ipcMain.handle): a second handler for one channel is an error.
    if (this.#handlers.has(channel)) violation(`Attempted to register a second handler for '${channel}'`);
    this.#handlers.set(channel, handler);
  }

  handleOnce(channel: string, handler: InvokeHandler): void {
    this.handle(channel, (event, ...args) => {
      this.removeHandler(channel);
      return handler(event, ...args);
    });
  }

  removeHandler(channel: string): void {
    this.#handlers.delete(channel);
  }

  /** What `ipcRenderer.invoke` reaches; with no handler the renderer's promise rejects, as in Electron. */
  async invokeFromRenderer(sender: SenderInfo, channel: string, args: unknown[]): Promise<unknown> {
    const handler = this.#handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    // Arguments cross a process boundary: the structured clone is what arrives.
    return structuredClone(await handler(sender, ...structuredClone(args)));
  }

  /** What `ipcRenderer.send` reaches. */
  sendFromRenderer(sender: SenderInfo, channel: string, args: unknown[]): void {
    this.emit(channel, { ...sender, returnValue: undefined, reply: () => {} }, ...structuredClone(args));
  }
}

export const ipcMain = new IpcMain();

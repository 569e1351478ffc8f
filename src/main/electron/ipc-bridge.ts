import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { IPC_CHANNELS } from '../../shared/ipc-channels.ts';
import { parseEvent, type CommandReply, type EventName } from '../../shared/ipc.ts';
import { dispatchCommand, type CommandHandler } from '../../shared/dispatch.ts';
import { isAppOrigin } from './origins.ts';

/**
 * Only the app's own renderer, loaded from its own origin in the main frame, may send commands.
 * The origin is the frame's as Chromium reports it: Node's `URL` would call `app://…` opaque.
 */
function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow | undefined, allowedOrigin: string): boolean {
  const frame = event.senderFrame;
  if (!window || window.isDestroyed() || event.sender !== window.webContents || !frame || frame !== window.webContents.mainFrame) return false;
  return isAppOrigin(frame.origin, allowedOrigin);
}

export interface IpcBridgeOptions {
  getWindow: () => BrowserWindow | undefined;
  /** `app://renderer`, or the dev server's origin in development. */
  allowedOrigin: string;
  handleCommand: CommandHandler;
  subscribe: (listener: (event: EventName, payload: unknown) => void) => () => void;
  /** An event that does not match the contract: it is not sent, and this says why. */
  onContractViolation: (message: string) => void;
}

/** The Electron transport of the contract: commands through `invoke`, events pushed to the window. */
export function installIpcBridge(options: IpcBridgeOptions): () => void {
  ipcMain.handle(IPC_CHANNELS.invoke, async (event, name: unknown, payload: unknown): Promise<CommandReply> => {
    if (!isTrustedSender(event, options.getWindow(), options.allowedOrigin)) {
      return { ok: false, error: { message: 'Refused: the command did not come from the app window.' } };
    }
    return dispatchCommand(name, payload, options.handleCommand);
  });
  const unsubscribe = options.subscribe((name, payload) => {
    const window = options.getWindow();
    if (!window || window.isDestroyed()) return;
    try {
      window.webContents.send(IPC_CHANNELS.event, name, parseEvent(name, payload));
    } catch (error) {
      options.onContractViolation(error instanceof Error ? error.message : String(error));
    }
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_CHANNELS.invoke);
  };
}

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS } from '../shared/ipc-channels.ts';
import type { CommandReply, StigmerPreloadApi } from '../shared/ipc.ts';

/**
 * The renderer's only door to main: two functions, no raw `ipcRenderer`. Main validates every
 * command and payload against the contract, so nothing here needs to trust the page.
 */
const api: StigmerPreloadApi = {
  invoke: (command, payload) => ipcRenderer.invoke(IPC_CHANNELS.invoke, command, payload) as Promise<CommandReply>,
  on(event, listener) {
    const forward = (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_CHANNELS.event, forward);
    // A block body: `off` returns ipcRenderer itself, which contextBridge would hand to the page.
    return () => {
      ipcRenderer.off(IPC_CHANNELS.event, forward);
    };
  },
};

contextBridge.exposeInMainWorld('stigmer', api);

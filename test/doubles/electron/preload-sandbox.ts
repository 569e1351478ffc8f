/**
 * A sandboxed preload, run as Electron runs it: one CommonJS file whose `require` reaches only
 * `electron`'s renderer modules, `events`, `timers` and `url` (docs: tutorial/sandbox, "Preload
 * scripts"). It runs in this process, in a world of its own; what it passes to
 * `contextBridge.exposeInMainWorld` is what the page gets (bridged by renderer-page.ts).
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import events from 'node:events';
import timers from 'node:timers';
import url from 'node:url';
import vm from 'node:vm';
import { violation } from './rules.ts';

export interface PreloadHost {
  invoke(channel: string, args: unknown[]): Promise<unknown>;
  send(channel: string, args: unknown[]): void;
}

export interface PreloadWorld {
  /** What the preload exposed, by the key it chose. */
  exposed: Map<string, unknown>;
  /** Delivers `webContents.send` to the preload's `ipcRenderer` listeners. */
  deliver(channel: string, args: unknown[]): void;
}

const RENDERER_MODULES = ['contextBridge', 'crashReporter', 'ipcRenderer', 'nativeImage', 'webFrame', 'webUtils'];
const NODE_MODULES: Record<string, unknown> = { events, timers, url };

export function runPreload(file: string, host: PreloadHost): PreloadWorld {
  const exposed = new Map<string, unknown>();
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoke: (channel: string, ...args: unknown[]) => host.invoke(channel, args),
    send: (channel: string, ...args: unknown[]) => host.send(channel, args),
  });
  const contextBridge = {
    exposeInMainWorld(key: string, api: unknown) {
      if (exposed.has(key)) violation(`contextBridge.exposeInMainWorld('${key}') called twice`);
      exposed.set(key, api);
    },
  };
  const available: Record<string, unknown> = { contextBridge, ipcRenderer };
  const electron = new Proxy(available, {
    get(target, name: string) {
      if (name in target) return target[name];
      if (RENDERER_MODULES.includes(name)) throw new Error(`electron.${name} is not modelled by the double`);
      return violation(`a sandboxed preload has no electron.${name} (main-process module)`);
    },
  });
  const sandboxRequire = (id: string): unknown => {
    if (id === 'electron') return electron;
    if (id in NODE_MODULES) return NODE_MODULES[id];
    return violation(`a sandboxed preload may not require('${id}'): only electron, events, timers and url`);
  };
  const module = { exports: {} as unknown };
  const body = vm.compileFunction(fs.readFileSync(file, 'utf8'), ['require', 'module', 'exports', 'Buffer', 'process', 'setImmediate', 'clearImmediate'], {
    filename: file,
  });
  // The sandbox's `process` is a small polyfill, not Node's.
  const sandboxProcess = { platform: process.platform, versions: process.versions, env: {}, type: 'renderer', sandboxed: true, contextIsolated: true };
  body(sandboxRequire, module, module.exports, Buffer, sandboxProcess, setImmediate, clearImmediate);
  return {
    exposed,
    deliver(channel, args) {
      ipcRenderer.emit(channel, { sender: ipcRenderer, senderId: 0 }, ...structuredClone(args));
    },
  };
}

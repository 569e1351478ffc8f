/**
 * `app`: the lifecycle Electron documents. The main process lives until `quit()` or `exit()`
 * (Node alone would end when the loop empties); `ready` fires once the main script has been
 * evaluated (main.ts); `quit()` emits `before-quit`, closes every window, then `will-quit`, and
 * each step can be cancelled; `exit()` skips all of that.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { moment, phase } from './lifecycle.ts';
import { doubleOptions } from './options.ts';
import { acquire, type SingleInstance } from './single-instance.ts';
import { BrowserWindow, windowEvents } from './windows.ts';

export interface AppIdentity {
  /** The folder `electron <dir>` was given (development) or where the app lives (packaged). */
  appPath: string;
  name: string;
  version: string;
}

const cancellable = () => {
  const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
  return event;
};

class App extends EventEmitter {
  #identity: AppIdentity = { appPath: process.cwd(), name: 'Electron', version: '45.0.0' };
  readonly #paths = new Map<string, string>();
  #ready = Promise.withResolvers<void>();
  #quitting = false;
  #ended = false;
  #singleInstance: SingleInstance | undefined;
  #pendingNotice: Promise<void> = Promise.resolve();
  #keepAlive: NodeJS.Timeout | undefined;
  readonly commandLine = { appendSwitch() {}, hasSwitch: () => false, getSwitchValue: () => '' };
  readonly dock = undefined;

  constructor() {
    super();
    windowEvents.on('all-closed', () => {
      if (this.#quitting) return;
      // Docs (app `window-all-closed`): without a listener, the default is to quit.
      if (this.listenerCount('window-all-closed') > 0) this.emit('window-all-closed');
      else this.quit();
    });
  }

  identify(identity: AppIdentity): void {
    this.#identity = identity;
  }

  /** Electron's main process does not end when its script does: main.ts holds it until quit or exit. */
  holdProcess(): void {
    this.#keepAlive = setInterval(() => {}, 2 ** 30);
  }

  /** main.ts calls this once the main script has been evaluated. */
  markReady(): void {
    // An app that quit while its script ran (a second instance) never gets ready.
    if (this.#ended) return;
    phase.ready = true;
    phase.readyAt = moment();
    this.emit('will-finish-launching');
    this.emit('ready', {}, {});
    this.#ready.resolve();
  }

  whenReady(): Promise<void> {
    return this.#ready.promise;
  }

  isReady(): boolean {
    return phase.ready;
  }

  get isPackaged(): boolean {
    return doubleOptions.packagedResources !== undefined;
  }

  getName(): string {
    return this.#identity.name;
  }

  getVersion(): string {
    return this.#identity.version;
  }

  getAppPath(): string {
    return this.#identity.appPath;
  }

  getPath(name: string): string {
    const home = os.homedir();
    const appData = process.env.XDG_CONFIG_HOME ?? path.join(home, '.config');
    const defaults: Record<string, string> = {
      home,
      appData,
      userData: path.join(appData, this.#identity.name),
      sessionData: this.#paths.get('userData') ?? path.join(appData, this.#identity.name),
      temp: os.tmpdir(),
      exe: doubleOptions.exe ?? process.execPath,
      logs: path.join(this.#paths.get('userData') ?? path.join(appData, this.#identity.name), 'logs'),
    };
    const found = this.#paths.get(name) ?? defaults[name];
    if (found === undefined) throw new Error(`Failed to get '${name}' path`);
    return found;
  }

  setPath(name: string, value: string): void {
    this.#paths.set(name, value);
  }

  requestSingleInstanceLock(additionalData?: unknown): boolean {
    const result = acquire(this.getPath('userData'), additionalData, (argv, cwd, data) => this.emit('second-instance', {}, argv, cwd, data));
    if (result.held) this.#singleInstance = result.lock;
    else this.#pendingNotice = result.notified;
    return result.held;
  }

  hasSingleInstanceLock(): boolean {
    return this.#singleInstance !== undefined;
  }

  releaseSingleInstanceLock(): void {
    this.#singleInstance?.release();
    this.#singleInstance = undefined;
  }

  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin: boolean; openAsHidden: boolean; wasOpenedAsHidden: boolean } {
    return { openAtLogin: false, wasOpenedAtLogin: false, openAsHidden: false, wasOpenedAsHidden: false };
  }

  setLoginItemSettings(): void {}

  setAppUserModelId(): void {}

  /** Docs (app.quit): before-quit, then every window is closed, then will-quit; any of them may cancel. */
  quit(): void {
    if (this.#quitting) return;
    const beforeQuit = cancellable();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    this.#quitting = true;
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.close()) {
        this.#quitting = false;
        return;
      }
    }
    const willQuit = cancellable();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) {
      this.#quitting = false;
      return;
    }
    this.emit('quit', {}, 0);
    this.#end(0);
  }

  /** Docs (app.exit): windows closed at once, no before-quit or will-quit. */
  exit(code = 0): void {
    this.#quitting = true;
    for (const window of BrowserWindow.getAllWindows()) window.destroy();
    this.#end(code);
  }

  #end(code: number): void {
    this.#ended = true;
    clearInterval(this.#keepAlive);
    this.releaseSingleInstanceLock();
    // A second instance's message to the first must leave before this process does.
    void this.#pendingNotice.then(() => process.exit(code));
  }
}

export const app = new App();

/** `dialog`, `shell` and `session`: recorded, so the harness can see what the app asked of the desktop. */
import { EventEmitter } from 'node:events';
import { requireReady } from './lifecycle.ts';

/** What the app asked of the desktop (URLs opened, folders revealed, error boxes); control.ts forwards them. */
export const desktopEvents = new EventEmitter();

export const dialog = {
  /** Docs (dialog.showErrorBox): before ready on Linux the message goes to stderr; the double always writes it there. */
  showErrorBox(title: string, content: string): void {
    process.stderr.write(`${title}\n${content}\n`);
    desktopEvents.emit('event', { kind: 'error-box', title, content });
  },
  async showMessageBox(): Promise<{ response: number; checkboxChecked: boolean }> {
    return { response: 0, checkboxChecked: false };
  },
};

export const shell = {
  async openExternal(url: string): Promise<void> {
    desktopEvents.emit('event', { kind: 'open-external', url });
  },
  /** Resolves '' on success, as Electron's. */
  async openPath(target: string): Promise<string> {
    desktopEvents.emit('event', { kind: 'open-path', path: target });
    return '';
  },
  showItemInFolder(target: string): void {
    desktopEvents.emit('event', { kind: 'show-item', path: target });
  },
};

class Session {
  permissionRequestHandler: unknown;
  permissionCheckHandler: unknown;
  setPermissionRequestHandler(handler: unknown): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: unknown): void {
    this.permissionCheckHandler = handler;
  }
}

let defaultSession: Session | undefined;

export const session = {
  get defaultSession(): Session {
    requireReady('session');
    return (defaultSession ??= new Session());
  },
  fromPartition(): Session {
    requireReady('session');
    return new Session();
  },
};

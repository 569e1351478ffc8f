/**
 * `BrowserWindow` and `webContents`: a window is a Chromium page (renderer-page.ts) unless the
 * test turned pages off; its events follow Electron's docs (`close` is cancellable, `closed`
 * follows, `window-all-closed` when the last one goes; `ready-to-show` after the first load).
 */
import { EventEmitter } from 'node:events';
import { WebFrameMain } from './frames.ts';
import { requireReady } from './lifecycle.ts';
import { doubleOptions } from './options.ts';
import { attachPage, type RendererPage } from './renderer-page.ts';

let nextId = 1;
const windows = new Set<BrowserWindow>();
/** app.ts listens here for `window-all-closed`, without windows importing the app. */
export const windowEvents = new EventEmitter();

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

export class WebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame: WebFrameMain;
  readonly preload: string | undefined;
  readonly viewport: { width: number; height: number };
  url = '';
  destroyed = false;
  windowOpenHandler: WindowOpenHandler | undefined;
  #page: Promise<RendererPage> | undefined;

  constructor(preload: string | undefined, viewport: { width: number; height: number }) {
    super();
    this.preload = preload;
    this.viewport = viewport;
    this.mainFrame = new WebFrameMain(() => this.url);
  }

  /** The page behind this webContents, created on first use. */
  page(): Promise<RendererPage> {
    this.#page ??= attachPage(this);
    return this.#page;
  }

  async loadURL(url: string): Promise<void> {
    if (!doubleOptions.browser) {
      this.url = url;
    } else {
      await (await this.page()).load(url);
    }
    this.emit('did-finish-load');
  }

  getURL(): string {
    return this.url;
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    if (this.#page) void this.#page.then((page) => page.deliver(channel, args));
  }

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  focus(): void {}

  /** Fires a navigation event as Chromium would before leaving the page: true when the app let it through. */
  navigationAllowed(kind: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    const event = { url, preventDefault: () => (prevented = true), defaultPrevented: false, frame: this.mainFrame, isMainFrame: true };
    this.emit(kind, event, url);
    return !prevented;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    this.mainFrame.detached = true;
    if (this.#page) await (await this.#page).close();
  }
}

export class BrowserWindow extends EventEmitter {
  readonly id: number;
  readonly webContents: WebContents;
  readonly options: Record<string, unknown>;
  #visible = false;
  #focused = false;
  #destroyed = false;

  constructor(options: Record<string, unknown> & { webPreferences?: { preload?: string }; width?: number; height?: number } = {}) {
    super();
    requireReady('BrowserWindow');
    this.options = options;
    this.webContents = new WebContents(options.webPreferences?.preload, { width: options.width ?? 800, height: options.height ?? 600 });
    this.id = this.webContents.id;
    windows.add(this);
    this.webContents.once('did-finish-load', () => this.emit('ready-to-show'));
    if (options.show !== false) this.show();
  }

  static getAllWindows(): BrowserWindow[] {
    return [...windows];
  }

  static fromWebContents(contents: unknown): BrowserWindow | null {
    return [...windows].find((window) => window.webContents === contents) ?? null;
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }

  show(): void {
    this.#visible = true;
    this.#focused = true;
    this.emit('show');
  }

  hide(): void {
    this.#visible = false;
    this.#focused = false;
    this.emit('hide');
  }

  focus(): void {
    this.#focused = true;
    this.emit('focus');
  }

  isVisible(): boolean {
    return this.#visible;
  }

  isFocused(): boolean {
    return this.#focused;
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  setIcon(): void {}

  /** As the user's close button: `close` may be cancelled; otherwise the window goes. Resolves true if it closed. */
  close(): boolean {
    if (this.#destroyed) return true;
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true), defaultPrevented: false });
    if (prevented) return false;
    this.destroy();
    return true;
  }

  /** Docs (BrowserWindow.destroy): no `close`, but `closed`. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#visible = false;
    windows.delete(this);
    void this.webContents.destroy();
    this.emit('closed');
    if (windows.size === 0) windowEvents.emit('all-closed');
  }
}

/**
 * The harness's view into the app process (Node's IPC channel, which does not keep the app
 * alive): the windows, the tray and its menu, the CDP endpoint of the windows' Chromium, and
 * clicks on the tray or a window's close button. What the app asked of the desktop is pushed.
 */
import { app } from './app.ts';
import { phase, type Moment } from './lifecycle.ts';
import { desktopEvents } from './platform.ts';
import { cdpEndpoint, chromiumPid } from './renderer-page.ts';
import { standInUrl } from './protocol.ts';
import { snapshot, trays } from './tray.ts';
import { BrowserWindow } from './windows.ts';

export interface ControlRequest {
  id: number;
  op: 'state' | 'tray-click' | 'window-close' | 'quit' | 'throw-uncaught';
  labels?: string[];
}

export interface DoubleState {
  ready: boolean;
  /** When `ready` fired. */
  readyAt: Moment | undefined;
  cdpEndpoint: string | undefined;
  chromiumPid: number | undefined;
  windows: Array<{ id: number; url: string; pageUrl: string; origin: string; visible: boolean; focused: boolean; icon: string | undefined }>;
  /** `menuSetAt`: when the tray first had a menu. */
  trays: Array<{ toolTip: string; image: string; imageEmpty: boolean; menuSetAt: Moment | undefined; menu: ReturnType<typeof snapshot> }>;
}

function state(): DoubleState {
  return {
    ready: app.isReady(),
    readyAt: phase.readyAt,
    cdpEndpoint,
    chromiumPid: chromiumPid(),
    windows: BrowserWindow.getAllWindows().map((window) => ({
      id: window.id,
      url: window.webContents.mainFrame.url,
      pageUrl: standInUrl(window.webContents.mainFrame.url),
      origin: window.webContents.mainFrame.origin,
      visible: window.isVisible(),
      focused: window.isFocused(),
      icon: typeof window.options.icon === 'string' ? window.options.icon : undefined,
    })),
    trays: [...trays].map((tray) => ({
      toolTip: tray.toolTip,
      image: tray.image.path,
      imageEmpty: tray.image.isEmpty(),
      menuSetAt: tray.menuSetAt,
      menu: snapshot(tray.contextMenu),
    })),
  };
}

const OPS: Record<ControlRequest['op'], (request: ControlRequest) => unknown> = {
  state,
  'tray-click': ({ labels = [] }) => {
    const [tray] = trays;
    if (!tray) throw new Error('there is no tray');
    tray.click(labels);
  },
  'window-close': () => BrowserWindow.getAllWindows().map((window) => window.close()),
  quit: () => app.quit(),
  // An error thrown by main-process code outside any handler's try, like a bug in an event listener.
  'throw-uncaught': () =>
    setImmediate(() => {
      throw new Error('A test made main throw this');
    }),
};

export function openControlChannel(): void {
  if (!process.send || !process.channel) return;
  process.channel.unref();
  process.on('message', (request: ControlRequest) => {
    let reply: unknown;
    try {
      reply = { id: request.id, ok: true, result: OPS[request.op](request) ?? null };
    } catch (error) {
      reply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    process.send?.(reply);
  });
  desktopEvents.on('event', (event) => process.send?.({ event }));
}

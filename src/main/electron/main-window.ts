import { BrowserWindow, session, shell } from 'electron';
import { APP_STANDARD_SCHEMES } from './app-protocol.ts';
import { chromiumOrigin, isAppOrigin, windowMayUse } from './origins.ts';

/** Sites the window may send the user to (installing Ollama); anything else is simply denied. */
const EXTERNAL_ORIGINS = new Set(['https://ollama.com']);

const isAllowedExternalUrl = (url: string): boolean => {
  try {
    return EXTERNAL_ORIGINS.has(new URL(url).origin);
  } catch {
    return false;
  }
};

export interface MainWindowOptions {
  preloadPath: string;
  /** `app://renderer/index.html`, or electron-vite's dev server in development. */
  url: string;
  iconPath?: string;
}

/**
 * The one window, hardened per Electron's security checklist: isolated, sandboxed, no Node,
 * no navigation away from the renderer, no new windows, no permission but the clipboard's write.
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1180,
    height: 760,
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'Stigmer Desktop',
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A middle click must not open links in a new window either.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const allowedOrigin = chromiumOrigin(options.url, APP_STANDARD_SCHEMES);
  // Navigation and redirects stay on the app's origin: nothing in the app leaves it.
  const stayOnAppOrigin = (event: { preventDefault(): void }, url: string) => {
    if (!isAppOrigin(chromiumOrigin(url, APP_STANDARD_SCHEMES), allowedOrigin)) event.preventDefault();
  };
  const contents = window.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    // The few documentation links the UI has open in the user's browser, never inside the app.
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => stayOnAppOrigin(event, url));
  contents.on('will-redirect', (event, url) => stayOnAppOrigin(event, url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // Chromium asks the check handler before navigator.clipboard.writeText, the request handler when a page asks.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(windowMayUse(permission, chromiumOrigin(details.requestingUrl, APP_STANDARD_SCHEMES), allowedOrigin)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    windowMayUse(permission, chromiumOrigin(requestingOrigin, APP_STANDARD_SCHEMES), allowedOrigin),
  );
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.url);
  return window;
}

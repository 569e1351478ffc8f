/**
 * The module `import 'electron'` resolves to under the double (register.ts): Electron 45's
 * main-process API as far as the app uses it. See README.md for each rule and its source.
 */
import { app } from './app.ts';
import { ipcMain } from './ipc.ts';
import { autoUpdater, net } from './net.ts';
import { dialog, session, shell } from './platform.ts';
import { protocol } from './protocol.ts';
import { safeStorage } from './safe-storage.ts';
import { Menu, MenuItem, Tray, nativeImage } from './tray.ts';
import { utilityProcess } from './utility-process.ts';
import { BrowserWindow } from './windows.ts';

export { app, autoUpdater, BrowserWindow, dialog, ipcMain, Menu, MenuItem, nativeImage, net, protocol, safeStorage, session, shell, Tray, utilityProcess };

export default {
  app,
  autoUpdater,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MenuItem,
  nativeImage,
  net,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
  utilityProcess,
};

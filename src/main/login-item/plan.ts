/**
 * What "start at login" means on each OS. macOS and Windows register a login item through
 * Electron's `app.setLoginItemSettings`; Linux (and other freedesktop systems) use an XDG
 * autostart file. The Electron host applies the plan; this module only decides.
 */
import { APP_NAME } from '../profile/paths.ts';
import { linuxAutostartEntry } from './desktop-entry.ts';

/** Passed on Windows and Linux so the app can start in the tray without opening its window. */
export const LAUNCHED_AT_LOGIN_FLAG = '--launched-at-login';

/** The subset of Electron's `Settings` for `app.setLoginItemSettings` used here. */
export interface LoginItemSettings {
  openAtLogin: boolean;
  /** Windows: the registered executable. Omitted on macOS, where the app bundle is registered. */
  path?: string;
  /** Windows: arguments for the registered executable. */
  args?: string[];
}

export type LoginItemPlan = { kind: 'electron-login-item'; settings: LoginItemSettings } | { kind: 'xdg-autostart'; enabled: boolean; entry: string };

export interface LoginItemPlanOptions {
  platform: NodeJS.Platform;
  /** The `startAtLogin` setting. */
  enabled: boolean;
  /** `process.execPath` of the running app. */
  execPath: string;
  /** `$APPIMAGE` when running from an AppImage: the file to start, since execPath is inside its mount. */
  appImagePath?: string | undefined;
  /** Linux icon: a theme name or an absolute path. Defaults to the name the deb package installs. */
  linuxIcon?: string;
}

export function loginItemPlan(options: LoginItemPlanOptions): LoginItemPlan {
  const { platform, enabled, execPath } = options;
  if (platform === 'darwin') return { kind: 'electron-login-item', settings: { openAtLogin: enabled } };
  if (platform === 'win32') {
    // The same path and args are given when turning the item off, so the same registry value is removed.
    return { kind: 'electron-login-item', settings: { openAtLogin: enabled, path: execPath, args: [LAUNCHED_AT_LOGIN_FLAG] } };
  }
  const entry = linuxAutostartEntry({
    execPath: options.appImagePath?.trim() || execPath,
    args: [LAUNCHED_AT_LOGIN_FLAG],
    name: APP_NAME,
    comment: 'Start Stigmer Desktop in the tray when you log in',
    icon: options.linuxIcon ?? 'stigmer-desktop',
  });
  return { kind: 'xdg-autostart', enabled, entry };
}

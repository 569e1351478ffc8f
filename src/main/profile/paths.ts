import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Stigmer Desktop';

/**
 * `$XDG_CONFIG_HOME`, or `~/.config` when it is unset, empty or relative (the Base Directory
 * Specification says a relative value is invalid and must be ignored).
 */
export function xdgConfigHome(env: Readonly<Record<string, string | undefined>> = process.env, home: string = os.homedir()): string {
  const configured = env.XDG_CONFIG_HOME?.trim();
  return configured && path.isAbsolute(configured) ? configured : path.join(home, '.config');
}

/**
 * Where Electron's `app.getPath('userData')` puts this app's data on each OS, so the headless
 * host and the desktop app share settings when neither is given `--user-data-dir`.
 */
export function defaultUserDataDir(
  platform: NodeJS.Platform = process.platform,
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return path.win32.join(env.APPDATA ?? path.win32.join(home, 'AppData', 'Roaming'), APP_NAME);
  return path.posix.join(xdgConfigHome(env, home), APP_NAME);
}

/** Everything the app keeps on disk, all under the user-data folder. */
export function appPaths(userDataDir: string) {
  return {
    userDataDir,
    settingsFile: path.join(userDataDir, 'settings.json'),
    logsDir: path.join(userDataDir, 'logs'),
    runDir: path.join(userDataDir, 'run'),
  };
}

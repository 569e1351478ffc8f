import { createHash } from 'node:crypto';
import path from 'node:path';
import { appPaths } from '../profile/paths.ts';

/**
 * Where the app for a user-data folder listens for the `stigmer` command. On Linux and macOS a
 * unix socket in the folder's `run/` directory, so the folder's permissions guard it. Windows has
 * no socket files there: a named pipe, named after the folder (hashed, so any path fits the name
 * and each folder has its own app).
 */
export function controlSocketPath(userDataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const id = createHash('sha256').update(path.win32.resolve(userDataDir).toLowerCase()).digest('hex').slice(0, 32);
    return `\\\\.\\pipe\\stigmer-control-${id}`;
  }
  return path.join(appPaths(userDataDir).runDir, 'control.sock');
}

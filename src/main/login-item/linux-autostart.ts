/** Writes or removes the XDG autostart entry (Linux and other freedesktop systems). */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const AUTOSTART_FILE_NAME = 'stigmer-desktop.desktop';

export const autostartFilePath = (configHome: string) => path.join(configHome, 'autostart', AUTOSTART_FILE_NAME);

export interface LinuxAutostartOptions {
  enabled: boolean;
  /** Usually `xdgConfigHome()`. */
  configHome: string;
  /** The `.desktop` text from `linuxAutostartEntry`; written only when enabled. */
  entry: string;
}

/**
 * Makes the autostart file match the setting. Enabling replaces the file atomically (a reader
 * never sees half an entry); disabling removes it and is a no-op when it is already gone.
 * Returns the file's path.
 */
export async function setLinuxAutostart({ enabled, configHome, entry }: LinuxAutostartOptions): Promise<string> {
  const file = autostartFilePath(configHome);
  if (!enabled) {
    await fs.rm(file, { force: true });
    return file;
  }
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(temporary, entry, { mode: 0o644 });
    await fs.rename(temporary, file);
  } catch (error) {
    // Best effort: when the folder itself is the problem there is no temporary file to remove.
    await fs.rm(temporary, { force: true }).catch(() => {});
    throw new Error(`Could not write the autostart entry ${file}: ${(error as Error).message}. Check that the folder is writable.`, {
      cause: error,
    });
  }
  return file;
}

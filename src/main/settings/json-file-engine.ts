import fs from 'node:fs';
import path from 'node:path';

/** What the settings store needs of `conf` (and so of `electron-store`, which extends it). */
export interface SettingsEngine {
  store: Record<string, unknown>;
}

export interface SettingsEngineOptions {
  cwd: string;
  configName: string;
  configFileMode: number;
  clearInvalidConfig: false;
  watch: false;
  accessPropertiesByDotNotation: false;
}

/**
 * The engine outside Electron: the one thing the store asks of `conf`, saving the whole object,
 * done as conf does it (tab-indented JSON, written to a temporary file, synced, then renamed over
 * the file, which a link is followed to; created with the configured mode), without conf. conf
 * brings ajv, ajv-formats, fast-uri and semver for schemas and migrations the store does with
 * zod itself: ~420 kB of the headless bundle compiled at every start, and ~10 MB resident.
 */
export function jsonFileEngine(options: SettingsEngineOptions): SettingsEngine {
  const file = path.join(options.cwd, `${options.configName}.json`);
  let current: Record<string, unknown> = {};
  return {
    get store() {
      return current;
    },
    set store(value) {
      writeJsonAtomically(file, value, options.configFileMode);
      current = value;
    },
  };
}

function writeJsonAtomically(file: string, value: unknown, mode: number): void {
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    // Not there yet: its folder may not be either.
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }
  const temporary = `${target}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, 'w', mode);
  try {
    try {
      // Whatever the umask, as conf does.
      fs.fchmodSync(fd, mode);
      fs.writeSync(fd, JSON.stringify(value, undefined, '\t'));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

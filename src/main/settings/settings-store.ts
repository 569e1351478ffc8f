import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS_VERSION, SettingsSchema, defaultSettings, type Settings } from '../../shared/settings.ts';
import { loadSettings } from './migrations.ts';
import { TypedEmitter } from '../../lib/typed-emitter.ts';
import type { SettingFix } from './repair.ts';
import { MAX_SETTINGS_BYTES, readSettingsFile } from './settings-file.ts';
import { jsonFileEngine, type SettingsEngine, type SettingsEngineOptions } from './json-file-engine.ts';

export type { SettingsEngine, SettingsEngineOptions } from './json-file-engine.ts';

export interface SettingsStoreOptions {
  /** The folder that holds `settings.json`. */
  userDataDir: string;
  /** Builds the engine; the Electron host passes one that returns an `electron-store`. */
  createEngine?: (options: SettingsEngineOptions) => SettingsEngine;
  /** Clock for backup file names. */
  now?: () => Date;
  /** The one-shot commands (`--print-config`, `--doctor`): repair in memory only, never write a file. */
  readOnly?: boolean;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const MIB = 1024 * 1024;
const formatMiB = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

/**
 * Copies the original beside itself as `settings.json.corrupt-<time>`, once: an identical copy
 * already there (from an earlier start that could not save the repair) is reused. `move`: the
 * original goes (a file that is not JSON cannot be written over by conf or electron-store, which read it first).
 */
function backUpOnce(file: string, bytes: Buffer, now: Date, move: boolean): string {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.corrupt-`;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const candidate = path.join(dir, name);
    try {
      if (fs.statSync(candidate).size === bytes.length && fs.readFileSync(candidate).equals(bytes)) {
        if (move) fs.unlinkSync(file);
        return candidate;
      }
    } catch {
      // Unreadable: not the copy we are looking for.
    }
  }
  const backup = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  if (move) fs.renameSync(file, backup);
  else fs.writeFileSync(backup, bytes, { flag: 'wx', mode: 0o600 });
  return backup;
}

const describeFixes = (fixes: readonly SettingFix[]): string =>
  fixes.map((fix) => (fix.field === '(all)' ? `the file ${fix.reason}` : `${fix.field} was ${fix.shown} (${fix.reason})`)).join('; ');

/**
 * The saved settings: validated by the shared zod schema, migrated by version, written
 * atomically (the engine writes a temp file and renames it) with mode 0600. An invalid field is reset
 * on its own and every valid one is kept; the original file is first copied to
 * `settings.json.corrupt-<time>` beside itself, never deleted. A read-only store (the one-shot
 * commands) repairs in memory only and never writes anything.
 */
export class SettingsStore {
  readonly path: string;
  /** Problems found while opening, worded for the user. */
  readonly warnings: string[] = [];
  #createEngine: () => SettingsEngine;
  /** Created at the first save, so that reading never needs a writable folder. */
  #engine: SettingsEngine | undefined;
  #settings: Settings;
  readonly #events = new TypedEmitter<{ change: [Settings] }>();
  /** Set when saving would destroy a file that could not be backed up, or must not be overwritten. */
  #readOnlyReason: string | undefined;

  private constructor(path: string, createEngine: () => SettingsEngine, settings: Settings) {
    this.path = path;
    this.#createEngine = createEngine;
    this.#settings = settings;
  }

  static open(options: SettingsStoreOptions): SettingsStore {
    const createEngine = options.createEngine ?? jsonFileEngine;
    const now = options.now ?? (() => new Date());
    const engineOptions: SettingsEngineOptions = {
      cwd: options.userDataDir,
      configName: 'settings',
      configFileMode: 0o600,
      clearInvalidConfig: false,
      watch: false,
      accessPropertiesByDotNotation: false,
    };
    const file = path.join(options.userDataDir, 'settings.json');
    const build = (settings: Settings) => {
      const store = new SettingsStore(file, () => createEngine(engineOptions), settings);
      if (options.readOnly) store.#readOnlyReason = 'this command only reads the settings';
      return store;
    };
    const leaveAlone = (store: SettingsStore, reason: string, what: string, advice = 'Fix or move the file, then restart.') => {
      store.#readOnlyReason = reason;
      store.warnings.push(`${reason}; ${what} and changes will not be saved. ${advice}`);
      return store;
    };

    const read = readSettingsFile(file);
    if (read.kind === 'missing') return build(defaultSettings());
    if (read.kind === 'unreadable') {
      const store = build(defaultSettings());
      store.#readOnlyReason = `${file} cannot be read (${read.problem})`;
      store.warnings.push(`${store.#readOnlyReason}; defaults are in use and changes will not be saved. Fix its permissions, then restart.`);
      return store;
    }
    if (read.kind === 'not-a-file') {
      // Nothing to back up: it has no contents of its own to keep, and reading it could wait forever.
      return leaveAlone(
        build(defaultSettings()),
        `Settings file ${file} is ${read.what}, not a regular file, so it was not read and is left untouched`,
        'defaults are in use',
        'Remove or rename it, then restart: the next change saves a new settings.json.',
      );
    }
    if (read.kind === 'too-large') {
      return leaveAlone(
        build(defaultSettings()),
        `Settings file ${file} is ${formatMiB(read.size)}, over the ${formatMiB(MAX_SETTINGS_BYTES)} limit, so it was not read and is left untouched`,
        'defaults are in use',
      );
    }
    const loaded = read.kind === 'parsed' ? loadSettings(read.raw) : ({ ok: false, problem: read.problem } as const);
    if (loaded.ok && loaded.newerVersion !== undefined) {
      // Saving would write this version's format over the newer app's settings and lose what it added.
      return leaveAlone(
        build(loaded.settings),
        `Settings file ${file} was written by a newer Stigmer Desktop (settings version ${loaded.newerVersion}; this one reads up to ${SETTINGS_VERSION}), so it is not overwritten`,
        `the settings this version understands are in use${loaded.fixes.length > 0 ? ` (ignored: ${describeFixes(loaded.fixes)})` : ''}`,
        'Update Stigmer Desktop to change settings on this profile.',
      );
    }
    if (loaded.ok && loaded.fixes.length === 0) {
      const store = build(loaded.settings);
      if (loaded.migratedFrom !== undefined && !options.readOnly) store.#saveWhileOpening();
      return store;
    }

    const store = build(loaded.ok ? loaded.settings : defaultSettings());
    const count = loaded.ok ? loaded.fixes.length : 0;
    const what = loaded.ok
      ? `${count === 1 ? 'an invalid setting was' : `${count} invalid settings were`} reset to the default: ${describeFixes(loaded.fixes)}`
      : `it was invalid (${loaded.problem}) and defaults are in use`;
    if (options.readOnly) {
      store.warnings.push(
        `Settings file ${file}: ${what}${loaded.ok ? '; every other setting is kept' : ''}. This command only reads, so the file is left as it is.`,
      );
      return store;
    }
    let backupPath: string;
    try {
      backupPath = backUpOnce(file, read.bytes, now(), read.kind === 'corrupt');
    } catch (error) {
      store.#readOnlyReason = `${file} is invalid and could not be backed up (${describeError(error)}), so it is left untouched`;
      store.warnings.push(
        `Settings file ${file}: ${what}; it could not be backed up (${describeError(error)}), so it is left untouched and changes will not be saved. Fix or move the file, then restart.`,
      );
      return store;
    }
    store.warnings.push(
      loaded.ok
        ? `Settings file ${file}: ${what}. Every other setting is kept; the original file was kept as ${backupPath}.`
        : `Settings file ${file} was invalid (${loaded.problem}); it was kept as ${backupPath} and defaults are in use.`,
    );
    store.#saveWhileOpening();
    return store;
  }

  get(): Settings {
    return structuredClone(this.#settings);
  }

  /**
   * Applies a change, validates the result and saves it. Throws a SettingsError naming the
   * invalid field, or the file and the reason when it cannot be written; nothing changes then.
   */
  update(change: (draft: Settings) => void): Settings {
    const draft = this.get();
    change(draft);
    const parsed = SettingsSchema.safeParse(draft);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SettingsError(`Invalid setting ${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'rejected'}`);
    }
    this.#write(parsed.data);
    this.#settings = parsed.data;
    this.#events.emit('change', this.get());
    return this.get();
  }

  subscribe(listener: (settings: Settings) => void): () => void {
    return this.#events.on('change', listener);
  }

  /** Opening never fails on a write: the settings stay usable in memory and the user is told. */
  #saveWhileOpening(): void {
    try {
      this.#write(this.#settings);
    } catch (error) {
      this.warnings.push(describeError(error));
    }
  }

  #write(settings: Settings): void {
    if (this.#readOnlyReason) throw new SettingsError(`Settings not saved: ${this.#readOnlyReason}.`);
    try {
      this.#engine ??= this.#createEngine();
      this.#engine.store = settings;
    } catch (error) {
      throw new SettingsError(`Settings not saved to ${this.path}: ${describeError(error)}. Check that the folder is writable and the disk is not full.`);
    }
  }
}

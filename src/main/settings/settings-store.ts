import fs from 'node:fs';
import Conf from 'conf';
import { SettingsSchema, defaultSettings, type Settings } from '../../shared/settings.ts';
import { loadSettings } from './migrations.ts';

/** What the store needs of `conf` (and so of `electron-store`, which extends it). */
export interface SettingsEngine {
  store: Record<string, unknown>;
  readonly path: string;
}

export interface SettingsEngineOptions {
  cwd: string;
  configName: string;
  configFileMode: number;
  clearInvalidConfig: false;
  watch: false;
  accessPropertiesByDotNotation: false;
}

export interface SettingsStoreOptions {
  /** The folder that holds `settings.json`. */
  userDataDir: string;
  /** Builds the engine; the Electron host passes one that returns an `electron-store`. */
  createEngine?: (options: SettingsEngineOptions) => SettingsEngine;
  /** Clock for backup file names. */
  now?: () => Date;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

const createConf = (options: SettingsEngineOptions): SettingsEngine => new Conf<Record<string, unknown>>(options);

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The saved settings: validated by the shared zod schema, migrated by version, written
 * atomically (conf writes a temp file and renames it) with mode 0600. A file that cannot be
 * read as settings is renamed to `settings.json.corrupt-<time>` beside itself, never deleted.
 */
export class SettingsStore {
  readonly path: string;
  /** Problems found while opening, worded for the user. */
  readonly warnings: string[] = [];
  #engine: SettingsEngine;
  #settings: Settings;
  #listeners = new Set<(settings: Settings) => void>();
  /** Set when saving would destroy a file that could not be backed up. */
  #readOnlyReason: string | undefined;

  private constructor(engine: SettingsEngine, settings: Settings) {
    this.#engine = engine;
    this.path = engine.path;
    this.#settings = settings;
  }

  static open(options: SettingsStoreOptions): SettingsStore {
    const createEngine = options.createEngine ?? createConf;
    const now = options.now ?? (() => new Date());
    const engineOptions: SettingsEngineOptions = {
      cwd: options.userDataDir,
      configName: 'settings',
      configFileMode: 0o600,
      clearInvalidConfig: false,
      watch: false,
      accessPropertiesByDotNotation: false,
    };
    const path = `${options.userDataDir.replace(/[\\/]+$/, '')}/settings.json`;

    let raw: unknown;
    let engine: SettingsEngine | undefined;
    let problem: string | undefined;
    try {
      engine = createEngine(engineOptions);
      raw = engine.store;
    } catch (error) {
      if (!fs.existsSync(path)) throw error;
      problem = describeError(error);
    }
    const loaded = problem === undefined ? loadSettings(raw) : ({ ok: false, problem } as const);
    if (loaded.ok && engine) {
      const store = new SettingsStore(engine, loaded.settings);
      if (loaded.migratedFrom !== undefined && fs.existsSync(path)) store.#saveWhileOpening();
      return store;
    }

    const reason = loaded.ok ? '' : loaded.problem;
    const backupPath = `${path}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    let backedUp = true;
    try {
      fs.renameSync(path, backupPath);
    } catch {
      backedUp = false;
    }
    engine ??= createEngine(engineOptions);
    const store = new SettingsStore(engine, defaultSettings());
    if (backedUp) {
      store.warnings.push(`Settings file ${path} was invalid (${reason}); it was kept as ${backupPath} and defaults are in use.`);
      store.#saveWhileOpening();
    } else {
      store.#readOnlyReason = `${path} is invalid (${reason}) and could not be backed up, so it is left untouched`;
      store.warnings.push(`${store.#readOnlyReason}; defaults are in use and changes will not be saved. Fix or move the file, then restart.`);
    }
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
    for (const listener of this.#listeners) listener(this.get());
    return this.get();
  }

  subscribe(listener: (settings: Settings) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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
      this.#engine.store = settings;
    } catch (error) {
      throw new SettingsError(`Settings not saved to ${this.path}: ${describeError(error)}. Check that the folder is writable and the disk is not full.`);
    }
  }
}

import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { SettingsSchema, defaultSettings, type Settings } from '../../shared/settings.ts';
import { loadSettings } from './migrations.ts';

/** What the store needs of `conf` (and so of `electron-store`, which extends it). */
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

type FileRead = { kind: 'missing' } | { kind: 'parsed'; raw: unknown } | { kind: 'corrupt'; problem: string } | { kind: 'unreadable'; problem: string };

function readSettingsFile(file: string): FileRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', problem: describeError(error) };
  }
  try {
    return { kind: 'parsed', raw: JSON.parse(text) };
  } catch {
    return { kind: 'corrupt', problem: 'the file is not valid JSON' };
  }
}

/**
 * The saved settings: validated by the shared zod schema, migrated by version, written
 * atomically (conf writes a temp file and renames it) with mode 0600. A file that cannot be
 * read as settings is renamed to `settings.json.corrupt-<time>` beside itself, never deleted.
 */
export class SettingsStore {
  readonly path: string;
  /** Problems found while opening, worded for the user. */
  readonly warnings: string[] = [];
  #createEngine: () => SettingsEngine;
  /** Created at the first save, so that reading never needs a writable folder. */
  #engine: SettingsEngine | undefined;
  #settings: Settings;
  #listeners = new Set<(settings: Settings) => void>();
  /** Set when saving would destroy a file that could not be backed up. */
  #readOnlyReason: string | undefined;

  private constructor(path: string, createEngine: () => SettingsEngine, settings: Settings) {
    this.path = path;
    this.#createEngine = createEngine;
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
    const file = path.join(options.userDataDir, 'settings.json');
    const build = (settings: Settings) => new SettingsStore(file, () => createEngine(engineOptions), settings);

    const read = readSettingsFile(file);
    if (read.kind === 'missing') return build(defaultSettings());
    if (read.kind === 'unreadable') {
      const store = build(defaultSettings());
      store.#readOnlyReason = `${file} cannot be read (${read.problem})`;
      store.warnings.push(`${store.#readOnlyReason}; defaults are in use and changes will not be saved. Fix its permissions, then restart.`);
      return store;
    }
    const loaded = read.kind === 'parsed' ? loadSettings(read.raw) : ({ ok: false, problem: read.problem } as const);
    if (loaded.ok) {
      const store = build(loaded.settings);
      if (loaded.migratedFrom !== undefined) store.#saveWhileOpening();
      return store;
    }

    const backupPath = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    const store = build(defaultSettings());
    try {
      fs.renameSync(file, backupPath);
    } catch (error) {
      store.#readOnlyReason = `${file} is invalid (${loaded.problem}) and could not be backed up (${describeError(error)}), so it is left untouched`;
      store.warnings.push(`${store.#readOnlyReason}; defaults are in use and changes will not be saved. Fix or move the file, then restart.`);
      return store;
    }
    store.warnings.push(`Settings file ${file} was invalid (${loaded.problem}); it was kept as ${backupPath} and defaults are in use.`);
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
      this.#engine ??= this.#createEngine();
      this.#engine.store = settings;
    } catch (error) {
      throw new SettingsError(`Settings not saved to ${this.path}: ${describeError(error)}. Check that the folder is writable and the disk is not full.`);
    }
  }
}

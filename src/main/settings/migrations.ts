import { SETTINGS_VERSION, defaultSettings, type Settings } from '../../shared/settings.ts';
import { ProviderSchema } from '../../shared/providers.ts';
import { repairSettings, type SettingFix } from './repair.ts';

type RawSettings = Record<string, unknown>;

/**
 * `MIGRATIONS[n]` turns a version-n file into version n+1. Version 0 is a file without a
 * `version`: an empty file, or the seed era's flat `{ provider, model }`.
 */
const MIGRATIONS: Record<number, (raw: RawSettings) => RawSettings> = {
  0: (raw) => {
    const settings: Settings = defaultSettings();
    const provider = ProviderSchema.safeParse(raw.provider);
    if (provider.success) {
      settings.provider = provider.data;
      if (typeof raw.model === 'string' && raw.model.trim() !== '') settings.providers[provider.data].model = raw.model.trim();
    }
    return settings;
  },
};

export type LoadResult =
  | {
      ok: true;
      settings: Settings;
      /** Invalid fields that were reset; every other field was kept. */
      fixes: SettingFix[];
      migratedFrom?: number;
      /** The file was written by a newer app (this version): it must not be overwritten by this one. */
      newerVersion?: number;
    }
  | { ok: false; problem: string };

/**
 * Migrates a parsed settings file to the current version and validates it field by field. Pure.
 * A version this app cannot read as such (not an integer) is treated as the current one, so
 * the fields it holds are kept; a newer version is read as far as this app understands it.
 */
export function loadSettings(raw: unknown): LoadResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, problem: 'the file is not a JSON object' };
  let current = raw as RawSettings;
  const fixes: SettingFix[] = [];
  let startVersion: number;
  if (current.version === undefined) startVersion = 0;
  else if (typeof current.version === 'number' && Number.isInteger(current.version) && current.version >= 0) startVersion = current.version;
  else {
    fixes.push({
      field: 'version',
      shown: JSON.stringify(current.version).slice(0, 40),
      reason: `not a settings version; read as version ${SETTINGS_VERSION}`,
    });
    startVersion = SETTINGS_VERSION;
  }
  if (startVersion > SETTINGS_VERSION) {
    const repaired = repairSettings({ ...current, version: SETTINGS_VERSION });
    return { ok: true, settings: repaired.settings, fixes: repaired.fixes, newerVersion: startVersion };
  }
  for (let version = startVersion; version < SETTINGS_VERSION; version++) {
    const migrate = MIGRATIONS[version];
    if (!migrate) return { ok: false, problem: `no migration from settings version ${version}` };
    current = migrate(current);
  }
  const repaired = repairSettings({ ...current, version: SETTINGS_VERSION });
  const result = { ok: true as const, settings: repaired.settings, fixes: [...fixes, ...repaired.fixes] };
  return startVersion === SETTINGS_VERSION ? result : { ...result, migratedFrom: startVersion };
}

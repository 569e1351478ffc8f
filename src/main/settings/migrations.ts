import { SETTINGS_VERSION, SettingsSchema, defaultSettings, type Settings } from '../../shared/settings.ts';
import { ProviderSchema } from '../../shared/providers.ts';

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
  | { ok: true; settings: Settings; migratedFrom?: number }
  | { ok: false; problem: string };

function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Migrates a parsed settings file to the current version and validates it. Pure. */
export function loadSettings(raw: unknown): LoadResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, problem: 'the file is not a JSON object' };
  let current = raw as RawSettings;
  const startVersion = current.version === undefined ? 0 : current.version;
  if (typeof startVersion !== 'number' || !Number.isInteger(startVersion) || startVersion < 0) {
    return { ok: false, problem: `version ${JSON.stringify(startVersion)} is not a settings version` };
  }
  if (startVersion > SETTINGS_VERSION) {
    return { ok: false, problem: `version ${startVersion} was written by a newer Stigmer Desktop (this one reads up to ${SETTINGS_VERSION})` };
  }
  for (let version = startVersion; version < SETTINGS_VERSION; version++) {
    const migrate = MIGRATIONS[version];
    if (!migrate) return { ok: false, problem: `no migration from settings version ${version}` };
    current = migrate(current);
  }
  const parsed = SettingsSchema.safeParse(current);
  if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error) };
  return startVersion === SETTINGS_VERSION ? { ok: true, settings: parsed.data } : { ok: true, settings: parsed.data, migratedFrom: startVersion };
}

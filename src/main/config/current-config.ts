import { CLOUD_PROVIDERS } from '../../shared/providers.ts';
import type { Settings } from '../../shared/settings.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { readAllKeys } from '../secrets/secret-store.ts';
import { resolveConfig, type CascadeInput, type ConfigFlags, type DetectedFacts, type ResolvedConfig } from './resolve.ts';

export interface ConfigSources {
  flags: ConfigFlags;
  env: Readonly<Record<string, string | undefined>>;
  settings: Settings;
  secrets: SecretStore;
  facts?: DetectedFacts;
}

/** Gathers the cascade's inputs from the stores and resolves them. */
export async function resolveCurrentConfig(sources: ConfigSources): Promise<ResolvedConfig> {
  const stored = await readAllKeys(sources.secrets);
  const storedKeys: CascadeInput['storedKeys'] = {};
  const keySource = sources.secrets.persistence === 'session' ? 'session' : 'keychain';
  for (const provider of CLOUD_PROVIDERS) {
    const value = stored[provider];
    if (value) storedKeys[provider] = { value, source: keySource };
  }
  return resolveConfig({ flags: sources.flags, env: sources.env, settings: sources.settings, storedKeys, facts: sources.facts ?? {} });
}

import { endpointSecret } from '../../shared/endpoints.ts';
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
  const stored = await readAllKeys(
    sources.secrets,
    (sources.settings.endpoints ?? []).map((endpoint) => endpointSecret(endpoint.id)),
  );
  const keySource = sources.secrets.persistence === 'session' ? 'session' : 'keychain';
  const storedKeys: CascadeInput['storedKeys'] = Object.fromEntries(
    Object.entries(stored).flatMap(([name, value]) => (value ? [[name, { value, source: keySource }]] : [])),
  );
  return resolveConfig({ flags: sources.flags, env: sources.env, settings: sources.settings, storedKeys, facts: sources.facts ?? {} });
}

import type { CloudProvider } from '../../shared/providers.ts';
import type { Settings } from '../../shared/settings.ts';

/**
 * Where keys saved now are kept:
 * - `os-keychain`: encrypted by the OS keychain (macOS Keychain, Windows DPAPI, libsecret/kwallet);
 * - `weak`: Linux without a keyring (`basic_text`), which the user explicitly accepted;
 * - `session`: memory only, gone when the app quits.
 */
export type SecretPersistence = 'os-keychain' | 'weak' | 'session';

/** Keeps provider API keys. Values never leave the main process unmasked. */
export interface SecretStore {
  readonly persistence: SecretPersistence;
  /** Why keys are kept this way, for the user; set whenever it is not the OS keychain. */
  readonly notice: string | undefined;
  get(provider: CloudProvider): Promise<string | undefined>;
  set(provider: CloudProvider, key: string): Promise<void>;
  delete(provider: CloudProvider): Promise<void>;
}

/** Every key the store holds, for the configuration cascade. */
export async function readAllKeys(store: SecretStore): Promise<Partial<Record<CloudProvider, string>>> {
  const [anthropic, openai] = await Promise.all([store.get('anthropic'), store.get('openai')]);
  return { ...(anthropic ? { anthropic } : {}), ...(openai ? { openai } : {}) };
}

/**
 * The part of the settings file the key stores read and write (ciphertexts, the weak-storage
 * choice). The settings store satisfies it; naming only the contract's type keeps secrets below
 * settings in the core's rings.
 */
export interface SecretSettings {
  get(): Pick<Settings, 'secrets'>;
  update(change: (draft: Pick<Settings, 'secrets'>) => void): unknown;
}

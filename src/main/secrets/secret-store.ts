import { CLOUD_PROVIDERS, type CloudProvider } from '../../shared/providers.ts';
import type { Settings } from '../../shared/settings.ts';
import type { EndpointSecret } from '../../shared/endpoints.ts';

/** What a key is kept under: a cloud provider's id, or `endpoint:<id>` for a user's endpoint. */
export type SecretName = CloudProvider | EndpointSecret;

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
  get(name: SecretName): Promise<string | undefined>;
  set(name: SecretName, key: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
}

/** Every key the store holds for these names (the cloud providers' and the endpoints'), for the configuration cascade. */
export async function readAllKeys(store: SecretStore, endpoints: readonly EndpointSecret[] = []): Promise<Partial<Record<SecretName, string>>> {
  const names: SecretName[] = [...CLOUD_PROVIDERS, ...endpoints];
  const values = await Promise.all(names.map((name) => store.get(name)));
  return Object.fromEntries(names.flatMap((name, index) => (values[index] ? [[name, values[index]]] : [])));
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

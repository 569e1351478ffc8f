import type { Settings } from '../../shared/settings.ts';
import type { SecretName, SecretPersistence, SecretSettings, SecretStore } from './secret-store.ts';

type Ciphertexts = Record<string, string | undefined>;

/** Where a name's ciphertext is in the settings: a cloud provider's under its id, an endpoint's under `endpoints`. */
function slot(encrypted: Settings['secrets']['encrypted'], name: SecretName, create: boolean): { table: Ciphertexts; key: string } | undefined {
  if (!name.startsWith('endpoint:')) return { table: encrypted as Ciphertexts, key: name };
  if (!encrypted.endpoints && create) encrypted.endpoints = {};
  return encrypted.endpoints ? { table: encrypted.endpoints, key: name.slice('endpoint:'.length) } : undefined;
}

/**
 * The part of Electron's `safeStorage` this store uses: the async API (the sync one is
 * deprecated in Electron 45). The Electron host passes `safeStorage` itself.
 */
export interface AsyncStringCipher {
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ shouldReEncrypt: boolean; result: string }>;
}

/** Keys encrypted by the OS keychain; only the base64 ciphertext is saved in the settings file. */
export class EncryptedSecretStore implements SecretStore {
  readonly persistence: Exclude<SecretPersistence, 'session'>;
  readonly notice: string | undefined;
  #cipher: AsyncStringCipher;
  #settings: SecretSettings;

  constructor(options: { cipher: AsyncStringCipher; settings: SecretSettings; persistence: Exclude<SecretPersistence, 'session'>; notice?: string }) {
    this.#cipher = options.cipher;
    this.#settings = options.settings;
    this.persistence = options.persistence;
    this.notice = options.notice;
  }

  async get(provider: SecretName): Promise<string | undefined> {
    const place = slot(this.#settings.get().secrets.encrypted, provider, false);
    const stored = place?.table[place.key];
    if (!stored) return undefined;
    let decrypted: { result: string; shouldReEncrypt: boolean };
    try {
      decrypted = await this.#cipher.decryptStringAsync(Buffer.from(stored, 'base64'));
    } catch {
      // A reset or locked keychain cannot read an old ciphertext. The app must still open: the
      // key counts as missing, so the cascade says which provider needs one added again.
      return undefined;
    }
    const { result, shouldReEncrypt } = decrypted;
    if (shouldReEncrypt) await this.set(provider, result);
    return result;
  }

  async set(provider: SecretName, key: string): Promise<void> {
    const encrypted = await this.#cipher.encryptStringAsync(key);
    this.#settings.update((draft) => {
      const place = slot(draft.secrets.encrypted, provider, true);
      if (place) place.table[place.key] = encrypted.toString('base64');
    });
  }

  async delete(provider: SecretName): Promise<void> {
    this.#settings.update((draft) => {
      const place = slot(draft.secrets.encrypted, provider, false);
      if (place) delete place.table[place.key];
    });
  }
}

import type { CloudProvider } from '../../shared/providers.ts';
import type { SecretPersistence, SecretSettings, SecretStore } from './secret-store.ts';

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

  async get(provider: CloudProvider): Promise<string | undefined> {
    const stored = this.#settings.get().secrets.encrypted[provider];
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

  async set(provider: CloudProvider, key: string): Promise<void> {
    const encrypted = await this.#cipher.encryptStringAsync(key);
    this.#settings.update((draft) => {
      draft.secrets.encrypted[provider] = encrypted.toString('base64');
    });
  }

  async delete(provider: CloudProvider): Promise<void> {
    this.#settings.update((draft) => {
      delete draft.secrets.encrypted[provider];
    });
  }
}

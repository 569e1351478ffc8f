import { safeStorage } from 'electron';
import { EncryptedSecretStore } from '../secrets/encrypted-secret-store.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { SessionSecretStore } from '../secrets/session-secret-store.ts';
import { chooseSecretStorage } from '../secrets/storage-policy.ts';
import type { SettingsStore } from '../settings/settings-store.ts';

const storageInput = async (acceptWeakStorage: boolean) => ({
  platform: process.platform,
  encryptionAvailable: await safeStorage.isAsyncEncryptionAvailable(),
  linuxBackend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : undefined,
  acceptWeakStorage,
});

/**
 * The key store the OS allows: `safeStorage` (async API) when a real keychain backs it; on Linux
 * without a keyring, memory only until the user accepts weaker storage (as VS Code does).
 */
export async function openSecretStore(settings: SettingsStore): Promise<SecretStore> {
  const policy = chooseSecretStorage(await storageInput(settings.get().secrets.acceptWeakStorage));
  if (policy.persistence === 'session') return new SessionSecretStore(policy.notice ?? 'Keys are kept for this session only.');
  return new EncryptedSecretStore({ cipher: safeStorage, settings, persistence: policy.persistence, ...(policy.notice ? { notice: policy.notice } : {}) });
}

/**
 * Whether accepting weaker storage would make keys persist: only where encryption works but no
 * keyring backs it. Without any encryption the offer would change nothing, so it is not made.
 */
export async function canAcceptWeakStorage(): Promise<boolean> {
  const input = await storageInput(true);
  return chooseSecretStorage(input).persistence === 'weak';
}

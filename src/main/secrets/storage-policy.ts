import type { SecretPersistence } from './secret-store.ts';

/** What Electron's `safeStorage.getSelectedStorageBackend()` answers on Linux. */
export type LinuxStorageBackend = 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';

export interface StoragePolicyInput {
  platform: NodeJS.Platform;
  /** Whether `safeStorage.isAsyncEncryptionAvailable()` said yes. */
  encryptionAvailable: boolean;
  /** Linux only. */
  linuxBackend?: LinuxStorageBackend | undefined;
  /** The user explicitly accepted weaker storage (saved setting `secrets.acceptWeakStorage`). */
  acceptWeakStorage: boolean;
}

export interface StoragePolicy {
  persistence: SecretPersistence;
  notice?: string;
}

const NO_KEYRING = 'No OS keyring was found (Electron reports the "basic_text" backend), so a saved key would be only obfuscated on disk.';

/**
 * Decides where keys may be kept. Like VS Code, a Linux machine without a keyring never gets
 * keys written silently: they stay in memory until the user explicitly accepts weak storage.
 */
export function chooseSecretStorage(input: StoragePolicyInput): StoragePolicy {
  if (!input.encryptionAvailable) {
    return { persistence: 'session', notice: 'The OS keychain is not available, so keys are kept for this session only.' };
  }
  if (input.platform !== 'linux') return { persistence: 'os-keychain' };
  const weak = input.linuxBackend === 'basic_text' || input.linuxBackend === 'unknown' || input.linuxBackend === undefined;
  if (!weak) return { persistence: 'os-keychain' };
  if (input.acceptWeakStorage) {
    return { persistence: 'weak', notice: `${NO_KEYRING} You chose to save keys anyway; install gnome-keyring or KWallet for real protection.` };
  }
  return {
    persistence: 'session',
    notice: `${NO_KEYRING} Keys are kept for this session only. Install gnome-keyring or KWallet, or accept weaker storage in Settings.`,
  };
}

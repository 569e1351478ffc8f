import type { SecretPersistence } from './secret-store.ts';
import type { KeyringProbe } from './keyring-secret-store.ts';

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

/** What the headless host keeps keys in, and what the user is told about it. */
export type HeadlessStorage = { kind: 'keyring' } | { kind: 'file'; notice: string } | { kind: 'session'; notice: string };

export interface HeadlessStorageInput {
  keyring: KeyringProbe;
  /** The user chose the key file: `--keys-file` once, or "Save keys with weaker storage" (`secrets.acceptWeakStorage`). */
  keysFile: boolean;
  /** The key file's path, named in every notice about it. */
  file: string;
}

/**
 * The headless host has no `safeStorage`: the OS keychain when one answers; without one, what the
 * user chose once, keys for this session or an owner-only file that says it is not encrypted.
 * Never plaintext on disk without that choice, and never without saying so.
 */
export function chooseHeadlessStorage({ keyring, keysFile, file }: HeadlessStorageInput): HeadlessStorage {
  if (keyring.available) return { kind: 'keyring' };
  const missing = `No OS keychain answered (${keyring.reason})`;
  if (keysFile) {
    return {
      kind: 'file',
      notice: `Keys are stored unencrypted in ${file} (mode 0600, readable only by you), as you chose. ${missing}. To keep them for the session only instead, start once with --no-keys-file.`,
    };
  }
  return {
    kind: 'session',
    notice: `${missing}, so keys are kept for this session only. To keep them across restarts in an unencrypted owner-only file (${file}), start once with --keys-file or choose "Save keys with weaker storage" in Settings.`,
  };
}

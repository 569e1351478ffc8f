import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { SecretName, SecretStore } from './secret-store.ts';

/** The keychain entries' service name; each entry's account names the provider and the user-data folder. */
export const KEYRING_SERVICE = 'Stigmer Desktop';

/** One entry per provider and user-data folder, so two profiles never read or overwrite each other's key. */
export const keyringAccount = (userDataDir: string, name: string): string => `${name} (${userDataDir})`;

/**
 * On Linux only the Secret Service (gnome-keyring, KWallet, KeePassXC) counts: the library's
 * fallback, the kernel keyring, forgets every key at the next boot, which is not what a user who
 * saved a key expects.
 */
const ENTRY_OPTIONS = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;

/** Where the OS keeps the keys, for the user. */
export function keyringName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'the Windows Credential Manager';
  return 'the Secret Service (gnome-keyring, KWallet or KeePassXC)';
}

/** How long one keychain call may take before the app stops waiting for it. */
const CALL_TIMEOUT_MS = 10_000;
/** How long start-up waits for the keychain to answer the probe. */
export const PROBE_TIMEOUT_MS = 5_000;

export type KeyringProbe = { available: true } | { available: false; reason: string };

/**
 * Saves, reads back and removes a probe entry in a child process that is killed after
 * `timeoutMs`. A Secret Service that is absent answers at once, but a hung or locked one can
 * block a native call for good; in a child it costs one process, never the host's start-up or
 * its exit (a native call stuck in this process would keep it alive). Writing, not just reading,
 * is what tells a locked keychain from a usable one. Each probe has its own entry, so a
 * `--print-config` probing beside a starting host never removes the host's probe entry.
 */
export function probeKeyring(options: { userDataDir: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<KeyringProbe> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const noBus = missingSessionBus(process.platform, options.env);
  if (noBus) return Promise.resolve({ available: false, reason: noBus });
  let modulePath: string;
  try {
    modulePath = createRequire(import.meta.url).resolve('@napi-rs/keyring');
  } catch {
    return Promise.resolve({ available: false, reason: 'the keychain library (@napi-rs/keyring) is not installed' });
  }
  const script = `
const [modulePath, service, account, options] = process.argv.slice(1);
try {
  const entry = new (require(modulePath).Entry)(service, account, JSON.parse(options));
  entry.setPassword('probe');
  if (entry.getPassword() !== 'probe') throw new Error('it did not return the value just saved');
  entry.deleteCredential();
  process.stdout.write('ok');
} catch (error) {
  process.stdout.write(String(error && error.message || error));
  process.exitCode = 1;
}`;
  const args = ['-e', script, modulePath, KEYRING_SERVICE, keyringAccount(options.userDataDir, `probe ${randomUUID()}`), JSON.stringify(ENTRY_OPTIONS ?? null)];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', env: options.env, windowsHide: true, maxBuffer: 64 * 1024 },
      (error, stdout) => {
        if (!error && stdout === 'ok') return resolve({ available: true });
        if (error?.killed)
          return resolve({ available: false, reason: `it did not answer within ${timeoutMs / 1000} s (locked, or waiting for a prompt no one can see)` });
        const said = stdout.trim().replace(/\s+/g, ' ').slice(0, 300);
        resolve({ available: false, reason: said || (error?.message ?? 'the probe failed') });
      },
    );
  });
}

/**
 * The Secret Service is reached over the D-Bus session bus: without its address (a server, a
 * container, an ssh login without a desktop session) there is nothing to ask, and no process
 * needs to start to find that out.
 */
export function missingSessionBus(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | undefined {
  if (platform !== 'linux' || env.DBUS_SESSION_BUS_ADDRESS?.trim()) return undefined;
  const runtimeDir = env.XDG_RUNTIME_DIR?.trim();
  if (runtimeDir && fs.existsSync(path.join(runtimeDir, 'bus'))) return undefined;
  return 'no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus, so no Secret Service can be reached';
}

type KeyringModule = typeof import('@napi-rs/keyring');
let keyringModule: Promise<KeyringModule> | undefined;
// Loaded on first use: only a host that found a keychain carries the native module.
const loadKeyring = (): Promise<KeyringModule> => (keyringModule ??= import('@napi-rs/keyring'));

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: the OS keychain did not answer within ${CALL_TIMEOUT_MS / 1000} s`)), CALL_TIMEOUT_MS);
  });
  return Promise.race([promise, timedOut]).finally(() => clearTimeout(timer));
}

/** Keys kept by the OS keychain itself (`@napi-rs/keyring`): nothing of them is written to the user-data folder. */
export class KeyringSecretStore implements SecretStore {
  readonly persistence = 'os-keychain' as const;
  readonly notice: string;
  readonly #userDataDir: string;

  constructor(options: { userDataDir: string }) {
    this.#userDataDir = options.userDataDir;
    this.notice = `Keys are kept in ${keyringName()}.`;
  }

  /** A keychain that became locked or unreachable cannot read a key: it counts as missing, as with `safeStorage`. */
  async get(provider: SecretName): Promise<string | undefined> {
    try {
      const entry = await this.#entry(provider);
      return (await within(entry.getPassword(), 'Reading the key')) ?? undefined;
    } catch {
      return undefined;
    }
  }

  async set(provider: SecretName, key: string): Promise<void> {
    const entry = await this.#entry(provider);
    await within(entry.setPassword(key), 'Saving the key');
  }

  async delete(provider: SecretName): Promise<void> {
    const entry = await this.#entry(provider);
    await within(entry.deleteCredential(), 'Removing the key');
  }

  async #entry(provider: SecretName) {
    const { AsyncEntry } = await loadKeyring();
    return new AsyncEntry(KEYRING_SERVICE, keyringAccount(this.#userDataDir, provider), ENTRY_OPTIONS);
  }
}

import { FileSecretStore, KeyFileRefused, keysFileOf } from './file-secret-store.ts';
import { KeyringSecretStore, keyringName, probeKeyring, type KeyringProbe } from './keyring-secret-store.ts';
import type { SecretName, SecretSettings, SecretStore } from './secret-store.ts';
import { SessionSecretStore } from './session-secret-store.ts';
import { chooseHeadlessStorage } from './storage-policy.ts';

export interface HeadlessSecretsOptions {
  userDataDir: string;
  env: NodeJS.ProcessEnv;
  settings: SecretSettings;
  /** `--keys-file` (true) or `--no-keys-file` (false): the choice, saved unless `readOnly`. */
  keysFileFlag?: boolean | undefined;
  /** `--print-config` and `--doctor`: nothing is saved, moved or removed. */
  readOnly: boolean;
  /** The keychain check; the real one by default. */
  probe?: () => Promise<KeyringProbe>;
}

export interface HeadlessSecrets {
  store: SecretStore;
  /** The window's "Save keys with weaker storage": the key file, offered while keys last one session for want of a keychain. */
  acceptWeakStorage?: () => Promise<SecretStore>;
  /** What happened to a key file left from before, for the log at start. */
  messages: string[];
}

/**
 * The headless host's key store: the OS keychain when it answers (`@napi-rs/keyring`), else the
 * user's choice, saved once from `--keys-file`/`--no-keys-file` or the window: an owner-only
 * plaintext file, or this session only. A key file left from before is never silently used or lost:
 * it moves into the keychain once there is one, `--no-keys-file` moves it into the session and
 * removes it, and otherwise it is named and left alone.
 */
export async function openHeadlessSecrets(options: HeadlessSecretsOptions): Promise<HeadlessSecrets> {
  const { userDataDir, settings, keysFileFlag, readOnly } = options;
  const messages: string[] = [];
  if (keysFileFlag !== undefined && !readOnly) {
    try {
      settings.update((draft) => void (draft.secrets.acceptWeakStorage = keysFileFlag));
    } catch (error) {
      messages.push(`--${keysFileFlag ? '' : 'no-'}keys-file applies to this run only: ${(error as Error).message}`);
    }
  }
  const file = keysFileOf(userDataDir);
  const keyring = await (options.probe ?? (() => probeKeyring({ userDataDir, env: options.env })))();
  const decide = (keysFile: boolean) => chooseHeadlessStorage({ keyring, keysFile, file });
  const decision = decide(keysFileFlag ?? settings.get().secrets.acceptWeakStorage);

  if (decision.kind === 'file') {
    const store = new FileSecretStore({ file, notice: withRefusal(file, decision.notice) });
    return { store, messages };
  }
  const store = decision.kind === 'keyring' ? new KeyringSecretStore({ userDataDir }) : new SessionSecretStore(decision.notice);
  const moveInto = decision.kind === 'keyring' ? keyringName() : keysFileFlag === false ? 'this session only' : undefined;
  const left = readLeftFile(file);
  if (left.refused) messages.push(left.refused);
  else if (left.count > 0 && moveInto && !readOnly) {
    messages.push(await moveKeys(file, left.count, store, moveInto));
  } else if (left.count > 0 && moveInto) {
    messages.push(`${file} holds unencrypted keys; the host moves them into ${moveInto} when it starts.`);
  } else if (left.count > 0) {
    messages.push(
      `${file} holds unencrypted keys that are not used, since you have not chosen a key file: start once with --keys-file to use it, or --no-keys-file to remove it.`,
    );
  }
  if (decision.kind === 'keyring') return { store, messages };
  const fileNotice = decide(true);
  return {
    store,
    messages,
    acceptWeakStorage: async () => new FileSecretStore({ file, notice: fileNotice.kind === 'file' ? fileNotice.notice : '' }),
  };
}

/** How many keys a key file from before holds, or why it cannot be read. */
function readLeftFile(file: string): { count: number; refused?: string } {
  try {
    return { count: Object.keys(new FileSecretStore({ file, notice: '' }).read()?.keys ?? {}).length };
  } catch (error) {
    if (error instanceof KeyFileRefused) return { count: 0, refused: error.message };
    throw error;
  }
}

/** The notice of the chosen key file, followed by why it cannot be used when it cannot. */
function withRefusal(file: string, notice: string): string {
  const { refused } = readLeftFile(file);
  return refused ? `${notice} ${refused}` : notice;
}

/** Moves a key file's keys into `to`, then removes the file; a failed move keeps the file, whose keys are not lost. */
async function moveKeys(file: string, count: number, to: SecretStore, where: string): Promise<string> {
  const from = new FileSecretStore({ file, notice: '' });
  try {
    for (const [name, key] of Object.entries(from.read()?.keys ?? {})) await to.set(name as SecretName, key);
  } catch (error) {
    return `Could not move the keys from ${file} into ${where} (${(error as Error).message}); the file is kept as it is.`;
  }
  from.remove();
  return `Moved ${count === 1 ? 'the key' : `${count} keys`} from ${file} into ${where} and removed the unencrypted file.`;
}

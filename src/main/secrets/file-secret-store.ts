import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SecretName, SecretStore } from './secret-store.ts';

/** The key file's name in the user-data folder. */
export const KEYS_FILE_NAME = 'secrets.json';

/**
 * The label the file carries, as `gh` labels its plaintext `hosts.yml` fallback: whoever opens
 * the file (or a backup of it) reads first that nothing in it is encrypted.
 */
export const UNENCRYPTED_LABEL =
  'NOT ENCRYPTED: these API keys are stored in plain text. Only the owner may read this file (mode 0600); anyone who can read your files (root, a backup, a program you run) can read them. Stigmer Desktop writes it because you chose a key file where no OS keychain was available.';

const KeyFileSchema = z.object({
  warning: z.string(),
  /** By `SecretName`: a cloud provider's id or `endpoint:<id>`. */
  keys: z.record(z.string().max(64), z.string().min(1).max(4096)),
});
type KeyFile = z.infer<typeof KeyFileSchema>;

/** A key file that exists but must not be read: the message names it and how to fix it. */
export class KeyFileRefused extends Error {}

/** Group or world bits on the file (or the folder) expose the keys to other users. */
const EXPOSED = 0o077;

/**
 * Keys in an owner-only plaintext file, for a machine without an OS keychain where the user chose
 * it over keys that last one session. Written atomically (temp file, fsync, rename, fsync of the
 * folder) with mode 0600 in a 0700 folder; a file that others can read is refused, not used.
 */
export class FileSecretStore implements SecretStore {
  readonly persistence = 'weak' as const;
  readonly notice: string;
  readonly file: string;

  constructor(options: { file: string; notice: string }) {
    this.file = options.file;
    this.notice = options.notice;
  }

  /** A refused file holds no key the app may use: it counts as missing, and the notice says why. */
  async get(provider: SecretName): Promise<string | undefined> {
    try {
      return this.read()?.keys[provider];
    } catch (error) {
      if (error instanceof KeyFileRefused) return undefined;
      throw error;
    }
  }

  /** Saving into a refused file would replace the keys it holds: the message says how to fix it first. */
  async set(provider: SecretName, key: string): Promise<void> {
    const keys = this.read()?.keys ?? {};
    this.#write({ ...keys, [provider]: key });
  }

  async delete(provider: SecretName): Promise<void> {
    const current = this.read();
    if (!current?.keys[provider]) return;
    const { [provider]: _removed, ...rest } = current.keys;
    this.#write(rest);
  }

  /** The file's content; undefined when there is no file. Throws `KeyFileRefused` for an unsafe or unreadable one. */
  read(): KeyFile | undefined {
    let fd: number;
    try {
      // O_NOFOLLOW: a link planted in place of the file must not lead the keys elsewhere.
      fd = fs.openSync(this.file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new KeyFileRefused(`Cannot read the key file ${this.file} (${(error as Error).message}); move it away and add the keys again.`);
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new KeyFileRefused(`The key file ${this.file} is not a regular file; move it away and add the keys again.`);
      if (process.platform !== 'win32') {
        const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
        if ((stat.mode & EXPOSED) !== 0) {
          throw new KeyFileRefused(
            `The key file ${this.file} can be read by other users (mode ${mode}), so it is not used; if no one else could have read it, run: chmod 600 '${this.file}'`,
          );
        }
        if (process.getuid && stat.uid !== process.getuid()) {
          throw new KeyFileRefused(
            `The key file ${this.file} belongs to another user (uid ${stat.uid}), so it is not used; move it away and add the keys again.`,
          );
        }
      }
      const parsed = KeyFileSchema.safeParse(parseJson(fs.readFileSync(fd, 'utf8')));
      if (!parsed.success) throw new KeyFileRefused(`The key file ${this.file} is not a key file this app wrote; move it away and add the keys again.`);
      return parsed.data;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Removes the file (and its keys). */
  remove(): void {
    fs.rmSync(this.file, { force: true });
  }

  #write(keys: KeyFile['keys']): void {
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The user-data folder holds this file: nobody else may list or replace what is in it.
    if (process.platform !== 'win32' && (fs.statSync(dir).mode & EXPOSED) !== 0) fs.chmodSync(dir, 0o700);
    const body = `${JSON.stringify({ warning: UNENCRYPTED_LABEL, keys } satisfies KeyFile, null, 2)}\n`;
    const temp = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    try {
      fs.writeFileSync(fd, body);
      fs.fsyncSync(fd);
    } catch (error) {
      fs.closeSync(fd);
      fs.rmSync(temp, { force: true });
      throw error;
    }
    fs.closeSync(fd);
    fs.renameSync(temp, this.file);
    syncFolder(dir);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Makes the rename itself durable; Windows cannot open a folder for fsync, and renames there are journaled. */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, fs.constants.O_RDONLY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Where the key file of a user-data folder is. */
export const keysFileOf = (userDataDir: string): string => path.join(userDataDir, KEYS_FILE_NAME);

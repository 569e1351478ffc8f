/**
 * `safeStorage`, Linux flavour. The pretend machine's keyring backend is the test's choice
 * (options.ts). With a real keyring the master key lives in the keyring's folder (outside the
 * profile, surviving restarts); `basic_text` uses a fixed key, as Chromium's obfuscation does;
 * `none` has no encryption at all. The synchronous calls are deprecated in Electron 45 (docs:
 * api/safe-storage) and fail the test.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { phase, requireReady } from './lifecycle.ts';
import { doubleOptions } from './options.ts';
import { violation } from './rules.ts';

const PREFIX = Buffer.from('v11');
let masterKey: Buffer | undefined;

function keyFor(): Buffer {
  const backend = doubleOptions.keyring;
  if (backend === 'basic_text') return crypto.createHash('sha256').update('peanuts').digest();
  if (masterKey) return masterKey;
  const dir = doubleOptions.keyringDir;
  const file = dir ? path.join(dir, `${backend}.key`) : undefined;
  if (file && fs.existsSync(file)) return (masterKey = fs.readFileSync(file));
  masterKey = crypto.randomBytes(32);
  if (file) {
    fs.mkdirSync(dir!, { recursive: true });
    fs.writeFileSync(file, masterKey, { mode: 0o600 });
  }
  return masterKey;
}

function available(): boolean {
  requireReady('safeStorage');
  return doubleOptions.keyring !== 'none';
}

const deprecated = (name: string) => (): never => violation(`safeStorage.${name} is deprecated in Electron 45; use its asynchronous form`);

export const safeStorage = {
  isEncryptionAvailable: deprecated('isEncryptionAvailable'),
  encryptString: deprecated('encryptString'),
  decryptString: deprecated('decryptString'),
  async isAsyncEncryptionAvailable(): Promise<boolean> {
    return available();
  },
  /** Docs: 'unknown' before ready; 'basic_text' when no keyring is recognised. */
  getSelectedStorageBackend(): string {
    if (!phase.ready) return 'unknown';
    return doubleOptions.keyring === 'none' ? 'basic_text' : doubleOptions.keyring;
  },
  setUsePlainTextEncryption(): void {},
  async encryptStringAsync(plainText: string): Promise<Buffer> {
    if (!available()) throw new Error('Error while encrypting the text provided to safeStorage.encryptStringAsync. Encryption is not available.');
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', keyFor(), iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([PREFIX, iv, cipher.getAuthTag(), body]);
  },
  async decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    if (!available()) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptStringAsync. Decryption is not available.');
    const data = encrypted.subarray(PREFIX.length);
    const decipher = crypto.createDecipheriv('aes-256-gcm', keyFor(), data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return { result: Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8'), shouldReEncrypt: false };
  },
};

import crypto from 'node:crypto';
import type { AsyncStringCipher } from '../../src/main/secrets/encrypted-secret-store.ts';

/**
 * Stands in for Electron's `safeStorage` (which needs the Electron binary): real AES-256-GCM
 * under a per-instance key, with the async API's shapes (`Buffer` in, `{ result, shouldReEncrypt }` out).
 */
export function fakeSafeStorage(): AsyncStringCipher & { rotateKey(): void } {
  let key = crypto.randomBytes(32);
  let previous: Buffer | undefined;
  const decryptWith = (secret: Buffer, data: Buffer): string => {
    const decipher = crypto.createDecipheriv('aes-256-gcm', secret, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
  };
  return {
    async encryptStringAsync(plainText) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    async decryptStringAsync(encrypted) {
      try {
        return { result: decryptWith(key, encrypted), shouldReEncrypt: false };
      } catch (error) {
        if (!previous) throw error;
        return { result: decryptWith(previous, encrypted), shouldReEncrypt: true };
      }
    },
    rotateKey() {
      previous = key;
      key = crypto.randomBytes(32);
    },
  };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EncryptedSecretStore } from '../../src/main/secrets/encrypted-secret-store.ts';
import { SessionSecretStore } from '../../src/main/secrets/session-secret-store.ts';
import { chooseSecretStorage } from '../../src/main/secrets/storage-policy.ts';
import { readAllKeys } from '../../src/main/secrets/secret-store.ts';
import { SettingsStore } from '../../src/main/settings/settings-store.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { fakeSafeStorage } from '../doubles/safe-storage.ts';
import { tempDir } from '../support/headless.ts';

const KEY = 'sk-ant-api03-SECRET-VALUE-XYZ-0123456789-wxyz';

test('a saved key reaches the settings file only as ciphertext, and reads back after a restart', async (t) => {
  const dir = tempDir(t);
  const cipher = fakeSafeStorage();
  const open = () => new EncryptedSecretStore({ cipher, settings: SettingsStore.open({ userDataDir: dir }), persistence: 'os-keychain' });
  await open().set('anthropic', KEY);

  const onDisk = fs.readFileSync(path.join(dir, 'settings.json'), 'utf8');
  assert.ok(!onDisk.includes(KEY), 'no plaintext key on disk');
  assert.ok(!onDisk.includes(KEY.slice(12, 30)), 'no fragment of the key on disk either');
  assert.match(JSON.parse(onDisk).secrets.encrypted.anthropic, /^[A-Za-z0-9+/]+=*$/);

  assert.deepEqual(await readAllKeys(open()), { anthropic: KEY });
});

test('a key the keychain asks to re-encrypt is re-encrypted on read', async (t) => {
  const dir = tempDir(t);
  const cipher = fakeSafeStorage();
  const settings = SettingsStore.open({ userDataDir: dir });
  const store = new EncryptedSecretStore({ cipher, settings, persistence: 'os-keychain' });
  await store.set('openai', 'sk-proj-rotate-me-000000000000');
  const before = settings.get().secrets.encrypted.openai;
  cipher.rotateKey();
  assert.equal(await store.get('openai'), 'sk-proj-rotate-me-000000000000');
  assert.notEqual(settings.get().secrets.encrypted.openai, before);
});

test('a key the keychain can no longer decrypt counts as missing instead of stopping the app', async (t) => {
  const dir = tempDir(t);
  const settings = SettingsStore.open({ userDataDir: dir });
  await new EncryptedSecretStore({ cipher: fakeSafeStorage(), settings, persistence: 'os-keychain' }).set('anthropic', KEY);
  const afterKeychainReset = new EncryptedSecretStore({ cipher: fakeSafeStorage(), settings, persistence: 'os-keychain' });
  assert.deepEqual(await readAllKeys(afterKeychainReset), {});
  assert.ok(settings.get().secrets.encrypted.anthropic, 'the ciphertext is kept, not deleted');
});

test('removing a key removes its ciphertext', async (t) => {
  const dir = tempDir(t);
  const settings = SettingsStore.open({ userDataDir: dir });
  const store = new EncryptedSecretStore({ cipher: fakeSafeStorage(), settings, persistence: 'os-keychain' });
  await store.set('openai', 'sk-proj-abc-000000000000000');
  await store.delete('openai');
  assert.equal(await store.get('openai'), undefined);
  assert.equal(settings.get().secrets.encrypted.openai, undefined);
});

test('session keys live in memory only', async () => {
  const store = new SessionSecretStore('held for this session');
  await store.set('openai', 'sk-proj-session-000000000000');
  assert.equal(store.persistence, 'session');
  assert.deepEqual(await readAllKeys(store), { openai: 'sk-proj-session-000000000000' });
});

test('Linux without a keyring keeps keys for the session until the user accepts weak storage', () => {
  const noKeyring = chooseSecretStorage({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'basic_text', acceptWeakStorage: false });
  assert.equal(noKeyring.persistence, 'session');
  assert.match(noKeyring.notice ?? '', /basic_text.*session only/s);
  const accepted = chooseSecretStorage({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'basic_text', acceptWeakStorage: true });
  assert.equal(accepted.persistence, 'weak');
  assert.match(accepted.notice ?? '', /chose to save keys anyway/);
  assert.deepEqual(chooseSecretStorage({ platform: 'linux', encryptionAvailable: true, linuxBackend: 'gnome_libsecret', acceptWeakStorage: false }), {
    persistence: 'os-keychain',
  });
  assert.deepEqual(chooseSecretStorage({ platform: 'darwin', encryptionAvailable: true, acceptWeakStorage: false }), { persistence: 'os-keychain' });
  assert.equal(chooseSecretStorage({ platform: 'win32', encryptionAvailable: false, acceptWeakStorage: true }).persistence, 'session');
});

test('keys are masked as their first 7 and last 4 characters', () => {
  assert.equal(maskSecret(KEY), 'sk-ant-…wxyz');
  assert.equal(maskSecret('sk-proj-1234567890abcdefghij'), 'sk-proj…ghij');
  assert.equal(maskSecret('short-key-12'), '…y-12');
  assert.equal(maskSecret('tiny'), '…');
});

/**
 * The headless host's key storage without a keychain (issue 23 §2): the owner-only key file, its
 * refusal when others can read it, and the user's choice between it and keys for one session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCommandLine } from '../../src/main/config/cli-options.ts';
import { FileSecretStore, UNENCRYPTED_LABEL, keysFileOf } from '../../src/main/secrets/file-secret-store.ts';
import { openHeadlessSecrets } from '../../src/main/secrets/headless-secrets.ts';
import { missingSessionBus } from '../../src/main/secrets/keyring-secret-store.ts';
import { readAllKeys } from '../../src/main/secrets/secret-store.ts';
import { chooseHeadlessStorage } from '../../src/main/secrets/storage-policy.ts';
import { SettingsStore } from '../../src/main/settings/settings-store.ts';
import { tempDir } from '../support/headless.ts';

const KEY = 'sk-ant-api03-FILE-KEY-VALUE-0123456789-abcd';
const NO_KEYRING = { available: false as const, reason: 'no D-Bus session bus' };
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

test('a key saved in the file is there after a restart, mode 0600 in a 0700 folder, under a NOT ENCRYPTED label, and nothing else is left', async (t) => {
  const userData = path.join(tempDir(t), 'user data');
  fs.mkdirSync(userData, { mode: 0o755 });
  const file = keysFileOf(userData);
  await new FileSecretStore({ file, notice: '' }).set('anthropic', KEY);
  assert.equal(modeOf(file), 0o600);
  assert.equal(modeOf(userData), 0o700, 'a folder others could list is closed');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.startsWith(`{\n  "warning": ${JSON.stringify(UNENCRYPTED_LABEL)}`), 'the label comes first');
  assert.match(UNENCRYPTED_LABEL, /^NOT ENCRYPTED: /);
  assert.deepEqual(fs.readdirSync(userData), ['secrets.json'], 'no temporary file left behind');

  const restarted = new FileSecretStore({ file, notice: '' });
  assert.deepEqual(await readAllKeys(restarted), { anthropic: KEY });
  await restarted.set('openai', 'sk-proj-second-000000000000');
  await restarted.delete('anthropic');
  assert.deepEqual(await readAllKeys(new FileSecretStore({ file, notice: '' })), { openai: 'sk-proj-second-000000000000' });
});

test('a key file others can read is refused, named with the chmod that fixes it, and left as it is', async (t) => {
  const file = keysFileOf(tempDir(t));
  const store = new FileSecretStore({ file, notice: '' });
  await store.set('anthropic', KEY);
  fs.chmodSync(file, 0o644);
  const before = fs.readFileSync(file, 'utf8');
  assert.equal(await store.get('anthropic'), undefined, 'the key is not used');
  await assert.rejects(store.set('openai', 'sk-proj-x-0000000000000000'), (error: Error) => {
    assert.equal(
      error.message,
      `The key file ${file} can be read by other users (mode 644), so it is not used; if no one else could have read it, run: chmod 600 '${file}'`,
    );
    return true;
  });
  assert.equal(fs.readFileSync(file, 'utf8'), before, 'a refused file is never rewritten');
  fs.chmodSync(file, 0o600);
  assert.equal(await store.get('anthropic'), KEY, 'usable again once fixed');
});

test('a link in place of the key file is refused, so the keys are never written through it', async (t) => {
  const dir = tempDir(t);
  const elsewhere = path.join(dir, 'elsewhere.json');
  fs.writeFileSync(elsewhere, '{}', { mode: 0o600 });
  const file = keysFileOf(path.join(dir, 'profile'));
  fs.mkdirSync(path.dirname(file), { mode: 0o700 });
  fs.symlinkSync(elsewhere, file);
  const store = new FileSecretStore({ file, notice: '' });
  await assert.rejects(store.set('anthropic', KEY), /Cannot read the key file .*secrets\.json/);
  assert.equal(fs.readFileSync(elsewhere, 'utf8'), '{}');
});

test('without a keychain, the file is used only when the user chose it, and every notice names the file', () => {
  const file = '/home/me/.config/Stigmer Desktop/secrets.json';
  assert.deepEqual(chooseHeadlessStorage({ keyring: { available: true }, keysFile: true, file }), { kind: 'keyring' }, 'a keychain always wins');
  const session = chooseHeadlessStorage({ keyring: NO_KEYRING, keysFile: false, file });
  assert.equal(session.kind, 'session');
  assert.match(
    session.kind === 'session' ? session.notice : '',
    /^No OS keychain answered \(no D-Bus session bus\), so keys are kept for this session only\. .*--keys-file/,
  );
  const chosen = chooseHeadlessStorage({ keyring: NO_KEYRING, keysFile: true, file });
  assert.equal(chosen.kind, 'file');
  assert.match(chosen.kind === 'file' ? chosen.notice : '', new RegExp(`^Keys are stored unencrypted in ${file.replace(/\./g, '\\.')} \\(mode 0600`));
});

test('no D-Bus session bus means no Secret Service, found without starting anything; other systems are always asked', (t) => {
  assert.match(missingSessionBus('linux', {}) ?? '', /DBUS_SESSION_BUS_ADDRESS is unset/);
  assert.equal(missingSessionBus('linux', { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' }), undefined);
  const runtime = tempDir(t);
  assert.ok(missingSessionBus('linux', { XDG_RUNTIME_DIR: runtime }));
  fs.writeFileSync(path.join(runtime, 'bus'), '');
  assert.equal(missingSessionBus('linux', { XDG_RUNTIME_DIR: runtime }), undefined);
  assert.equal(missingSessionBus('darwin', {}), undefined);
  assert.equal(missingSessionBus('win32', {}), undefined);
});

test('the choice is saved once: --keys-file keeps keys in the file from then on, --no-keys-file moves them into the session and removes the file', async (t) => {
  const userDataDir = tempDir(t);
  const open = (keysFileFlag?: boolean) =>
    openHeadlessSecrets({ userDataDir, env: {}, settings: SettingsStore.open({ userDataDir }), keysFileFlag, readOnly: false, probe: async () => NO_KEYRING });

  const first = await open();
  assert.equal(first.store.persistence, 'session');
  assert.ok(first.acceptWeakStorage, 'the window offers the file');

  const chosen = await open(true);
  assert.equal(chosen.store.persistence, 'weak');
  await chosen.store.set('anthropic', KEY);
  const later = await open();
  assert.equal(later.store.persistence, 'weak', 'remembered without the flag');
  assert.match(later.store.notice ?? '', /^Keys are stored unencrypted in .*secrets\.json/);
  assert.equal(await later.store.get('anthropic'), KEY);

  const back = await open(false);
  assert.equal(back.store.persistence, 'session');
  assert.equal(await back.store.get('anthropic'), KEY, 'the running host keeps the key for this session');
  assert.equal(fs.existsSync(keysFileOf(userDataDir)), false, 'nothing is left on disk');
  assert.deepEqual(back.messages, [`Moved the key from ${keysFileOf(userDataDir)} into this session only and removed the unencrypted file.`]);
  assert.equal(SettingsStore.open({ userDataDir }).get().secrets.acceptWeakStorage, false);
});

test('a key file the user has not chosen is neither read nor removed, and the host says what to do with it', async (t) => {
  const userDataDir = tempDir(t);
  await new FileSecretStore({ file: keysFileOf(userDataDir), notice: '' }).set('openai', 'sk-proj-left-000000000000');
  const opened = await openHeadlessSecrets({
    userDataDir,
    env: {},
    settings: SettingsStore.open({ userDataDir }),
    readOnly: false,
    probe: async () => NO_KEYRING,
  });
  assert.equal(await opened.store.get('openai'), undefined);
  assert.ok(fs.existsSync(keysFileOf(userDataDir)));
  assert.match(opened.messages.join('\n'), /secrets\.json holds unencrypted keys that are not used.*--keys-file to use it, or --no-keys-file to remove it/);
});

test('--keys-file and --no-keys-file choose, and cannot both be given', () => {
  const keysFile = (...args: string[]) => {
    const parsed = parseCommandLine(args);
    return parsed.ok ? parsed.commandLine.keysFile : parsed.error;
  };
  assert.equal(keysFile('--keys-file'), true);
  assert.equal(keysFile('--no-keys-file'), false);
  assert.equal(keysFile(), undefined, 'no flag: the saved choice applies');
  assert.equal(keysFile('--keys-file', '--no-keys-file'), 'give --keys-file or --no-keys-file, not both');
});

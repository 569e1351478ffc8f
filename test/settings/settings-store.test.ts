import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SettingsError, SettingsStore } from '../../src/main/settings/settings-store.ts';
import { MAX_SETTINGS_BYTES } from '../../src/main/settings/settings-file.ts';
import { loadSettings } from '../../src/main/settings/migrations.ts';
import { SETTINGS_VERSION, defaultSettings } from '../../src/shared/settings.ts';
import { tempDir } from '../support/headless.ts';

const fixedNow = () => new Date('2026-11-24T10:00:00.000Z');

test('a fresh profile starts from defaults without writing anything', (t) => {
  const dir = tempDir(t);
  const store = SettingsStore.open({ userDataDir: dir });
  assert.deepEqual(store.get(), defaultSettings());
  assert.deepEqual(store.warnings, []);
  assert.equal(fs.existsSync(path.join(dir, 'settings.json')), false);
});

test('a change is validated, saved with mode 0600, and read back by the next start', (t) => {
  const dir = tempDir(t);
  const store = SettingsStore.open({ userDataDir: dir });
  store.update((draft) => {
    draft.provider = 'ollama';
    draft.providers.ollama.model = 'qwen2.5:7b';
  });
  const file = path.join(dir, 'settings.json');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const reopened = SettingsStore.open({ userDataDir: dir });
  assert.equal(reopened.get().providers.ollama.model, 'qwen2.5:7b');
  assert.equal(reopened.get().provider, 'ollama');
  assert.equal(fs.readdirSync(dir).filter((name) => name !== 'settings.json').length, 0, 'no temp files left behind');
});

test('an invalid change is refused with the field named, and nothing changes', (t) => {
  const dir = tempDir(t);
  const store = SettingsStore.open({ userDataDir: dir });
  assert.throws(
    () => store.update((draft) => void ((draft.ollama as { contextLength?: unknown }).contextLength = 'huge')),
    (error: Error) => error instanceof SettingsError && /ollama\.contextLength/.test(error.message),
  );
  assert.deepEqual(store.get(), defaultSettings());
  assert.equal(fs.existsSync(path.join(dir, 'settings.json')), false);
});

for (const [name, content] of [
  ['truncated JSON', '{"version":1,"provider":"oll'],
  ['a JSON array', '[]'],
] as const) {
  test(`a settings file with ${name} is backed up beside itself, never deleted, and defaults are used`, (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, content);
    const store = SettingsStore.open({ userDataDir: dir, now: fixedNow });
    const backup = `${file}.corrupt-2026-11-24T10-00-00-000Z`;
    assert.equal(fs.readFileSync(backup, 'utf8'), content, 'the original bytes are kept');
    assert.deepEqual(store.get(), defaultSettings());
    assert.equal(store.warnings.length, 1);
    assert.match(store.warnings[0] ?? '', /was invalid .* kept as .*settings\.json\.corrupt-/);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), defaultSettings());
  });
}

/** A profile a user has lived with: a chosen provider and model, a stored key, setup done. */
const livedIn = () => {
  const settings = defaultSettings();
  settings.provider = 'ollama';
  settings.providers.ollama.model = 'qwen2.5:7b';
  settings.providers.anthropic.model = 'claude-opus-5-5';
  settings.secrets.encrypted.anthropic = Buffer.from('ciphertext of a key').toString('base64');
  settings.firstRunCompleted = true;
  return settings;
};

test('one invalid field is reset on its own: the saved models, the stored key and firstRunCompleted stay', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'settings.json');
  const content = JSON.stringify({ ...livedIn(), provider: 'olama' });
  fs.writeFileSync(file, content);
  const store = SettingsStore.open({ userDataDir: dir, now: fixedNow });
  const { provider, ...rest } = livedIn();
  assert.equal(provider, 'ollama');
  assert.deepEqual(store.get(), rest, 'only the provider went back to its default (unset)');
  assert.equal(store.warnings.length, 1);
  assert.match(store.warnings[0]!, /an invalid setting was reset to the default: provider was "olama" \(Invalid option/);
  assert.match(store.warnings[0]!, /Every other setting is kept; the original file was kept as .*settings\.json\.corrupt-2026-11-24T10-00-00-000Z\.$/);
  assert.equal(fs.readFileSync(`${file}.corrupt-2026-11-24T10-00-00-000Z`, 'utf8'), content);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), rest, 'the repaired settings are saved');
  const reopened = SettingsStore.open({ userDataDir: dir, now: () => new Date('2026-11-25T10:00:00.000Z') });
  assert.deepEqual(reopened.warnings, [], 'the next start finds nothing to repair');
  assert.equal(fs.readdirSync(dir).filter((name) => name.includes('.corrupt-')).length, 1, 'backed up once');
});

test('a wrong type deep inside and an unknown field are reset and named; a secret-like bad value is masked', (t) => {
  const dir = tempDir(t);
  const plaintextKey = 'sk-ant-api03-PLAINTEXTwhereCIPHERbelongs-0000-wxyz';
  const settings = livedIn() as unknown as Record<string, any>;
  settings.ollama.contextLength = 'huge';
  settings.theme = 'dark';
  settings.secrets.encrypted.openai = plaintextKey;
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings));
  const store = SettingsStore.open({ userDataDir: dir, now: fixedNow });
  assert.deepEqual(store.get(), livedIn());
  const [warning] = store.warnings;
  assert.match(warning!, /3 invalid settings were reset/);
  assert.match(warning!, /ollama\.contextLength was "huge" \(/);
  assert.match(warning!, /theme was "dark" \(not a setting this version knows; removed\)/);
  assert.match(warning!, /secrets\.encrypted\.openai was "sk-ant-…wxyz"/);
  assert.ok(!warning!.includes('PLAINTEXT'), 'the bad value is masked');
});

test('a backup that could not be followed by a save is not repeated at the next start', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'settings.json');
  fs.writeFileSync(file, JSON.stringify({ ...livedIn(), startAtLogin: 'yes' }));
  const failingEngine = () => {
    throw new Error('disk full');
  };
  for (const hour of ['10', '11']) {
    const store = SettingsStore.open({ userDataDir: dir, createEngine: failingEngine, now: () => new Date(`2026-11-24T${hour}:00:00.000Z`) });
    assert.equal(store.get().firstRunCompleted, true);
    assert.match(store.warnings.join('\n'), /disk full/);
  }
  assert.deepEqual(
    fs.readdirSync(dir).filter((name) => name.includes('.corrupt-')),
    ['settings.json.corrupt-2026-11-24T10-00-00-000Z'],
  );
});

test('a version from the future is read as far as this version understands it and never overwritten', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'settings.json');
  const content = JSON.stringify({ ...livedIn(), version: 99, theme: 'dark' });
  fs.writeFileSync(file, content);
  const store = SettingsStore.open({ userDataDir: dir, now: fixedNow });
  assert.deepEqual(store.get(), livedIn());
  assert.match(store.warnings[0]!, /written by a newer Stigmer Desktop \(settings version 99; this one reads up to 1\), so it is not overwritten/);
  assert.match(store.warnings[0]!, /Update Stigmer Desktop/);
  assert.throws(
    () => store.update((draft) => void (draft.startAtLogin = true)),
    (error: Error) => error instanceof SettingsError && /newer Stigmer Desktop/.test(error.message),
  );
  assert.equal(fs.readFileSync(file, 'utf8'), content, 'the newer file is untouched');
  assert.deepEqual(fs.readdirSync(dir), ['settings.json']);
});

test('a read-only store repairs in memory and writes nothing, not even a backup', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'settings.json');
  for (const content of [JSON.stringify({ ...livedIn(), provider: 'olama' }), '{"version":1,', JSON.stringify({ provider: 'ollama', model: 'llama3:70b' })]) {
    fs.writeFileSync(file, content);
    const store = SettingsStore.open({ userDataDir: dir, readOnly: true, now: fixedNow });
    assert.equal(fs.readFileSync(file, 'utf8'), content);
    assert.deepEqual(fs.readdirSync(dir), ['settings.json'], content);
    assert.ok(
      store.warnings.every((warning) => warning.includes('This command only reads, so the file is left as it is.')),
      store.warnings.join('\n'),
    );
  }
});

test('a settings file over the size limit is not parsed, named with its size and the limit, and left untouched', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'settings.json');
  fs.writeFileSync(file, '['.repeat(MAX_SETTINGS_BYTES + 1));
  const store = SettingsStore.open({ userDataDir: dir });
  assert.deepEqual(store.get(), defaultSettings());
  assert.equal(store.warnings.length, 1);
  assert.match(
    store.warnings[0]!,
    new RegExp(
      `^Settings file ${file.replaceAll('.', '\\.')} is 4\\.0 MiB, over the 4\\.0 MiB limit, so it was not read and is left untouched; defaults are in use and changes will not be saved\\.`,
    ),
  );
  assert.throws(() => store.update((draft) => void (draft.startAtLogin = true)), SettingsError);
  assert.equal(fs.statSync(file).size, MAX_SETTINGS_BYTES + 1);
  assert.deepEqual(fs.readdirSync(dir), ['settings.json']);
});

test('a settings file that is a FIFO is refused unread, never written, and left a FIFO', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'settings.json');
  execFileSync('mkfifo', [file]);
  const store = SettingsStore.open({ userDataDir: dir });
  assert.deepEqual(store.get(), defaultSettings());
  assert.deepEqual(store.warnings, [
    `Settings file ${file} is a FIFO (named pipe), not a regular file, so it was not read and is left untouched; defaults are in use and changes will not be saved. Remove or rename it, then restart: the next change saves a new settings.json.`,
  ]);
  assert.throws(() => store.update((draft) => void (draft.startAtLogin = true)), /Settings not saved: Settings file .* is a FIFO/);
  assert.ok(fs.lstatSync(file).isFIFO());
  assert.deepEqual(fs.readdirSync(dir), ['settings.json']);
});

test('a settings file that is a link to a regular file is read through the link, and saved through it', (t) => {
  const dir = tempDir(t);
  const target = path.join(tempDir(t), 'dotfiles-settings.json');
  fs.writeFileSync(target, JSON.stringify({ ...defaultSettings(), provider: 'openai' }));
  fs.symlinkSync(target, path.join(dir, 'settings.json'));
  const store = SettingsStore.open({ userDataDir: dir });
  assert.deepEqual(store.warnings, []);
  assert.equal(store.get().provider, 'openai');
  store.update((draft) => void (draft.startAtLogin = true));
  assert.equal(fs.readlinkSync(path.join(dir, 'settings.json')), target, 'the link is kept');
  assert.equal(JSON.parse(fs.readFileSync(target, 'utf8')).startAtLogin, true, 'the change reached the file it points to');
});

test('an unversioned seed-era file is migrated, keeping the provider and its model', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'settings.json');
  fs.writeFileSync(file, JSON.stringify({ provider: 'ollama', model: 'llama3:70b' }));
  const store = SettingsStore.open({ userDataDir: dir });
  assert.equal(store.get().version, SETTINGS_VERSION);
  assert.equal(store.get().providers.ollama.model, 'llama3:70b');
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).version, SETTINGS_VERSION, 'the migration is saved');
});

test('loadSettings rejects what is not an object and names each field it resets', () => {
  assert.deepEqual(loadSettings('text'), { ok: false, problem: 'the file is not a JSON object' });
  const wrongType = loadSettings({ ...defaultSettings(), provider: 'olama', startAtLogin: 'yes' });
  assert.ok(wrongType.ok);
  assert.deepEqual(
    wrongType.fixes.map((fix) => [fix.field, fix.shown]),
    [
      ['provider', '"olama"'],
      ['startAtLogin', '"yes"'],
    ],
  );
  assert.deepEqual(wrongType.settings, defaultSettings());
});

test('when the folder cannot be written, settings stay usable and saving says why', (t) => {
  const dir = tempDir(t);
  const blocker = path.join(dir, 'not-a-folder');
  fs.writeFileSync(blocker, '');
  const store = SettingsStore.open({ userDataDir: path.join(blocker, 'profile') });
  assert.deepEqual(store.get(), defaultSettings());
  assert.throws(
    () => store.update((draft) => void (draft.provider = 'openai')),
    (error: Error) => error instanceof SettingsError && /not saved to .*not-a-folder.*writable/.test(error.message),
  );
  assert.equal(store.get().provider, undefined, 'a failed save changes nothing');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SettingsError, SettingsStore } from '../../src/main/settings/settings-store.ts';
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
  ['wrong types', JSON.stringify({ ...defaultSettings(), startAtLogin: 'yes' })],
  ['an unknown field', JSON.stringify({ ...defaultSettings(), surprise: true })],
  ['a version from the future', JSON.stringify({ ...defaultSettings(), version: 99 })],
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

test('an unversioned seed-era file is migrated, keeping the provider and its model', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'settings.json');
  fs.writeFileSync(file, JSON.stringify({ provider: 'ollama', model: 'llama3:70b' }));
  const store = SettingsStore.open({ userDataDir: dir });
  assert.equal(store.get().version, SETTINGS_VERSION);
  assert.equal(store.get().providers.ollama.model, 'llama3:70b');
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).version, SETTINGS_VERSION, 'the migration is saved');
});

test('loadSettings reports why a file is rejected', () => {
  assert.deepEqual(loadSettings('text'), { ok: false, problem: 'the file is not a JSON object' });
  const wrongType = loadSettings({ ...defaultSettings(), provider: 'olama' });
  assert.equal(wrongType.ok, false);
  assert.match(wrongType.ok ? '' : wrongType.problem, /^provider:/);
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

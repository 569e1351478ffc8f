/**
 * Bad settings files through the real SettingsStore: the file is kept byte for byte as a
 * backup and the warning names the file and what is wrong. A file that cannot be read as an
 * object gives defaults; one with bad fields loses only those fields.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SettingsStore } from '../../src/main/settings/settings-store.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { tempDir } from '../support/headless.ts';

/** A lived-in profile: every top-level setting holds something worth keeping. */
const valid = (() => {
  const settings = defaultSettings();
  settings.provider = 'ollama';
  settings.providers.ollama.model = 'qwen2.5:7b';
  settings.ollama.keepAlive = '10m';
  settings.runner.command = 'python3 worker.py';
  settings.secrets.encrypted.openai = Buffer.from('ciphertext').toString('base64');
  settings.firstRunCompleted = true;
  return settings;
})();
const withField = (patch: Record<string, unknown>) => JSON.stringify({ ...valid, ...patch });
const withProvider = (provider: string, patch: Record<string, unknown>) => JSON.stringify({ ...valid, providers: { ...valid.providers, [provider]: patch } });

/** Files that cannot be read as a settings object, each with the words its warning must contain. */
const UNREADABLE_FILES: [string, string, RegExp][] = [
  ['truncated JSON', '{"version":1,"provider":"oll', /the file is not valid JSON/],
  ['an empty object closed twice', '{}}', /the file is not valid JSON/],
  ['JSON with a trailing comma', '{"version":1,}', /the file is not valid JSON/],
  ['a JSON array', '[1,2,3]', /the file is not a JSON object/],
  ['a JSON string', '"settings"', /the file is not a JSON object/],
  ['JSON null', 'null', /the file is not a JSON object/],
  ['bytes that are not text', '\u0000\u0001\u0002', /the file is not valid JSON/],
];

/** Files with bad fields: the patch, and the words the warning must contain. */
const BAD_FIELDS: [string, string, RegExp][] = [
  ['version as a string', withField({ version: '1' }), /version was "1" \(not a settings version/],
  ['a negative version', withField({ version: -1 }), /version was -1 \(not a settings version/],
  ['provider as a number', withField({ provider: 42 }), /provider was /],
  ['an unknown provider', withField({ provider: 'gemini' }), /provider was /],
  ['startAtLogin as a string', withField({ startAtLogin: 'yes' }), /startAtLogin was /],
  ['firstRunCompleted as a number', withField({ firstRunCompleted: 1 }), /firstRunCompleted was /],
  ['providers as an array', withField({ providers: [] }), /providers was /],
  ['a model as a number', withProvider('ollama', { model: 3 }), /providers\.ollama\.model was /],
  ['an empty model', withProvider('anthropic', { model: '   ' }), /providers\.anthropic\.model was /],
  ['a 10 000-character model name', withProvider('openai', { model: 'm'.repeat(10_000) }), /providers\.openai\.model was /],
  ['a 1 MB base URL', withProvider('openai', { baseUrl: `https://${'a'.repeat(1024 * 1024)}.com` }), /providers\.openai\.baseUrl was /],
  ['a context length of 10^12', withField({ ollama: { exposeToNetwork: false, contextLength: 1e12 } }), /ollama\.contextLength was /],
  ['a negative context length', withField({ ollama: { exposeToNetwork: false, contextLength: -4096 } }), /ollama\.contextLength was /],
  ['a fractional context length', withField({ ollama: { exposeToNetwork: false, contextLength: 4096.5 } }), /ollama\.contextLength was /],
  ['exposeToNetwork as a string', withField({ ollama: { exposeToNetwork: 'true' } }), /ollama\.exposeToNetwork was /],
  ['a runner command of 100 000 characters', withField({ runner: { command: 'x'.repeat(100_000) } }), /runner\.command was /],
  ['an unknown field at the top', withField({ theme: 'dark' }), /Unrecognized key|theme/],
  ['an unknown field in a provider', withProvider('ollama', { temperature: 0.2 }), /providers\.ollama|temperature/],
  [
    'a plaintext API key where ciphertext belongs',
    withField({ secrets: { encrypted: { anthropic: 'sk-ant-api03-not base64!' }, acceptWeakStorage: false } }),
    /secrets\.encrypted\.anthropic was /,
  ],
  ['a prototype-polluting key', JSON.stringify(valid).replace(/^\{/, '{"__proto__":{"polluted":true},'), /__proto__ was an object/],
];

const STAMP = () => new Date(Date.UTC(2025, 0, 2, 3, 4, 5));

for (const [name, content, expected] of UNREADABLE_FILES) {
  test(`settings: ${name} is backed up as it was, defaults are used, and the warning names the file`, (t) => {
    const dir = tempDir(t, 'stigmer-bad-settings-');
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, content);
    const store = SettingsStore.open({ userDataDir: dir, now: STAMP });
    const backup = `${file}.corrupt-2025-01-02T03-04-05-000Z`;
    assert.deepEqual(store.get(), defaultSettings(), 'defaults are in use');
    assert.equal(store.warnings.length, 1);
    assert.ok(store.warnings[0]!.startsWith(`Settings file ${file} was invalid (`), store.warnings[0]);
    assert.ok(store.warnings[0]!.endsWith(`); it was kept as ${backup} and defaults are in use.`), store.warnings[0]);
    assert.match(store.warnings[0]!, expected);
    assert.equal(fs.readFileSync(backup, 'utf8'), content, 'the backup holds the file exactly as it was');
  });
}

for (const [name, content, expected] of BAD_FIELDS) {
  test(`settings: ${name} is reset on its own, every other setting is kept, the original is backed up`, (t) => {
    const dir = tempDir(t, 'stigmer-bad-settings-');
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, content);
    const store = SettingsStore.open({ userDataDir: dir, now: STAMP });
    const backup = `${file}.corrupt-2025-01-02T03-04-05-000Z`;
    const bad = JSON.parse(content) as Record<string, unknown>;
    const kept = store.get() as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(valid)) {
      if (JSON.stringify(bad[field]) === JSON.stringify(value)) assert.deepEqual(kept[field], value, `${field} is kept`);
    }
    assert.equal(store.warnings.length, 1);
    assert.ok(store.warnings[0]!.startsWith(`Settings file ${file}: `), store.warnings[0]);
    assert.ok(store.warnings[0]!.endsWith(`Every other setting is kept; the original file was kept as ${backup}.`), store.warnings[0]);
    assert.match(store.warnings[0]!, expected);
    assert.ok(!store.warnings[0]!.includes('sk-ant-api03'), 'no key in the warning');
    assert.ok(store.warnings[0]!.length < 600, 'a huge bad value is clipped, not echoed');
    assert.equal(fs.readFileSync(backup, 'utf8'), content, 'the backup holds the file exactly as it was');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
  });
}

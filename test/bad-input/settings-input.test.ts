/**
 * Bad settings files through the real SettingsStore: the file is kept byte for byte as a
 * backup, defaults are used, and the warning names the file and what is wrong.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SettingsStore } from '../../src/main/settings/settings-store.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { tempDir } from '../support/headless.ts';

const valid = defaultSettings();
const withField = (patch: Record<string, unknown>) => JSON.stringify({ ...valid, ...patch });
const withProvider = (provider: string, patch: Record<string, unknown>) => JSON.stringify({ ...valid, providers: { ...valid.providers, [provider]: patch } });

/** File contents, each with the words its warning must contain. */
const BAD_FILES: [string, string, RegExp][] = [
  ['truncated JSON', '{"version":1,"provider":"oll', /the file is not valid JSON/],
  ['an empty object closed twice', '{}}', /the file is not valid JSON/],
  ['JSON with a trailing comma', '{"version":1,}', /the file is not valid JSON/],
  ['a JSON array', '[1,2,3]', /the file is not a JSON object/],
  ['a JSON string', '"settings"', /the file is not a JSON object/],
  ['JSON null', 'null', /the file is not a JSON object/],
  ['bytes that are not text', '\u0000\u0001\u0002', /the file is not valid JSON/],
  ['version as a string', withField({ version: '1' }), /version "1" is not a settings version/],
  ['a negative version', withField({ version: -1 }), /version -1 is not a settings version/],
  ['a version from the future', withField({ version: 99 }), /version 99 was written by a newer Stigmer Desktop/],
  ['provider as a number', withField({ provider: 42 }), /provider: /],
  ['an unknown provider', withField({ provider: 'gemini' }), /provider: /],
  ['startAtLogin as a string', withField({ startAtLogin: 'yes' }), /startAtLogin: /],
  ['firstRunCompleted as a number', withField({ firstRunCompleted: 1 }), /firstRunCompleted: /],
  ['providers as an array', withField({ providers: [] }), /providers: /],
  ['a model as a number', withProvider('ollama', { model: 3 }), /providers\.ollama\.model: /],
  ['an empty model', withProvider('anthropic', { model: '   ' }), /providers\.anthropic\.model: /],
  ['a 10 000-character model name', withProvider('openai', { model: 'm'.repeat(10_000) }), /providers\.openai\.model: /],
  ['a 1 MB base URL', withProvider('openai', { baseUrl: `https://${'a'.repeat(1024 * 1024)}.com` }), /providers\.openai\.baseUrl: /],
  ['a context length of 10^12', withField({ ollama: { exposeToNetwork: false, contextLength: 1e12 } }), /ollama\.contextLength: /],
  ['a negative context length', withField({ ollama: { exposeToNetwork: false, contextLength: -4096 } }), /ollama\.contextLength: /],
  ['a fractional context length', withField({ ollama: { exposeToNetwork: false, contextLength: 4096.5 } }), /ollama\.contextLength: /],
  ['exposeToNetwork as a string', withField({ ollama: { exposeToNetwork: 'true' } }), /ollama\.exposeToNetwork: /],
  ['a runner command of 100 000 characters', withField({ runner: { command: 'x'.repeat(100_000) } }), /runner\.command: /],
  ['an unknown field at the top', withField({ theme: 'dark' }), /Unrecognized key|theme/],
  ['an unknown field in a provider', withProvider('ollama', { temperature: 0.2 }), /providers\.ollama|temperature/],
  ['a plaintext API key where ciphertext belongs', withField({ secrets: { encrypted: { anthropic: 'sk-ant-api03-not base64!' }, acceptWeakStorage: false } }), /secrets\.encrypted\.anthropic: /],
  ['a prototype-polluting key', '{"version":1,"__proto__":{"polluted":true}}', /.+/],
];

for (const [name, content, expected] of BAD_FILES) {
  test(`settings: ${name} is backed up as it was, defaults are used, and the warning names the file`, (t) => {
    const dir = tempDir(t, 'stigmer-bad-settings-');
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, content);
    const store = SettingsStore.open({ userDataDir: dir, now: () => new Date(Date.UTC(2025, 0, 2, 3, 4, 5)) });
    const backup = `${file}.corrupt-2025-01-02T03-04-05-000Z`;
    assert.deepEqual(store.get(), defaultSettings(), 'defaults are in use');
    assert.equal(store.warnings.length, 1);
    assert.ok(store.warnings[0]!.startsWith(`Settings file ${file} was invalid (`), store.warnings[0]);
    assert.ok(store.warnings[0]!.endsWith(`); it was kept as ${backup} and defaults are in use.`), store.warnings[0]);
    assert.match(store.warnings[0]!, expected);
    assert.ok(!store.warnings[0]!.includes('sk-ant-api03'), 'no key in the warning');
    assert.equal(fs.readFileSync(backup, 'utf8'), content, 'the backup holds the file exactly as it was');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
  });
}

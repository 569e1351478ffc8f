import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { findOllamaBinary, installLocations, parseOllamaVersionOutput, pathCandidates, readOllamaVersion } from '../../src/main/ollama/find-binary.ts';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { tempDir } from '../support/headless.ts';
import { freePort, writeFakeConfig } from './support.ts';

const FAKE_BINARY = path.join(FAKE_OLLAMA_BIN_DIR, 'ollama');

function executable(dir: string, name = 'ollama'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '#!/bin/sh\necho "ollama version is 0.1.0"\n', { mode: 0o755 });
  return file;
}

test('the flag wins over the setting, PATH and install locations', (t) => {
  const dir = tempDir(t);
  const flagged = executable(fs.mkdtempSync(path.join(dir, 'a')));
  const setting = executable(fs.mkdtempSync(path.join(dir, 'b')));
  const env = { PATH: FAKE_OLLAMA_BIN_DIR };
  assert.deepEqual(findOllamaBinary({ flagPath: flagged, settingPath: setting, env }), { found: true, path: flagged, source: 'flag' });
  assert.deepEqual(findOllamaBinary({ settingPath: setting, env }), { found: true, path: setting, source: 'settings' });
  assert.deepEqual(findOllamaBinary({ env }), { found: true, path: FAKE_BINARY, source: 'path' });
});

test('a wrong --ollama-path is reported with the flag and not silently replaced by PATH', (t) => {
  const dir = tempDir(t);
  const missing = findOllamaBinary({ flagPath: path.join(dir, 'nope'), env: { PATH: FAKE_OLLAMA_BIN_DIR } });
  assert.equal(missing.found, false);
  assert.match(missing.found ? '' : missing.reason, /^--ollama-path ".*nope" does not exist$/);
  const notExecutable = path.join(dir, 'ollama');
  fs.writeFileSync(notExecutable, 'data', { mode: 0o644 });
  const result = findOllamaBinary({ settingPath: notExecutable, env: { PATH: FAKE_OLLAMA_BIN_DIR } });
  assert.match(result.found ? '' : result.reason, /^the saved Ollama path ".*" is not an executable file$/);
});

test('PATH is searched in order, skipping non-executables and folders', (t) => {
  const dir = tempDir(t);
  const first = fs.mkdtempSync(path.join(dir, 'first'));
  fs.writeFileSync(path.join(first, 'ollama'), 'not executable', { mode: 0o644 });
  const second = fs.mkdtempSync(path.join(dir, 'second'));
  fs.mkdirSync(path.join(second, 'ollama'));
  const third = fs.mkdtempSync(path.join(dir, 'third'));
  const expected = executable(third);
  const result = findOllamaBinary({ env: { PATH: [first, '', second, third].join(':') }, platform: 'linux' });
  assert.deepEqual(result, { found: true, path: expected, source: 'path' });
});

test('nothing found names the fix', (t) => {
  const dir = tempDir(t);
  const result = findOllamaBinary({ env: { PATH: dir }, platform: 'linux' });
  if (result.found) {
    // This machine has a real Ollama in an install location; the search found it after PATH.
    assert.equal(result.source, 'install-location');
    return;
  }
  assert.match(result.fix, /https:\/\/ollama\.com\/download/);
  assert.deepEqual(result.searched, [path.join(dir, 'ollama'), '/usr/local/bin/ollama', '/usr/bin/ollama', '/bin/ollama']);
});

test('per-OS install locations, as the installers use them', () => {
  assert.deepEqual(installLocations('darwin', {}), ['/Applications/Ollama.app/Contents/Resources/ollama', '/usr/local/bin/ollama', '/opt/homebrew/bin/ollama']);
  assert.deepEqual(installLocations('win32', { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }), [
    'C:\\Users\\ada\\AppData\\Local\\Programs\\Ollama\\ollama.exe',
  ]);
  assert.deepEqual(installLocations('linux', {}), ['/usr/local/bin/ollama', '/usr/bin/ollama', '/bin/ollama']);
  assert.deepEqual(pathCandidates('ollama.exe', 'win32', { Path: 'C:\\a;C:\\b' }), ['C:\\a\\ollama.exe', 'C:\\b\\ollama.exe']);
});

test('ollama --version output: the client version wins', () => {
  assert.equal(parseOllamaVersionOutput('ollama version is 0.5.7\n'), '0.5.7');
  assert.equal(parseOllamaVersionOutput('Warning: could not connect to a running Ollama instance\nWarning: client version is 0.6.2\n'), '0.6.2');
  assert.equal(parseOllamaVersionOutput('ollama version is 0.5.7\nWarning: client version is 0.6.2\n'), '0.6.2');
  assert.equal(parseOllamaVersionOutput('bash: ollama: command not found'), undefined);
});

test('the version is read from the binary, with and without a server running', async (t) => {
  const dir = tempDir(t);
  const config = writeFakeConfig(dir, { version: '0.8.0' });
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? '', FAKE_OLLAMA_CONFIG: config, OLLAMA_HOST: `127.0.0.1:${port}` };
  assert.equal(await readOllamaVersion(FAKE_BINARY, { env }), '0.8.0');

  const server = await startFakeOllama({ version: '0.7.0' });
  t.after(() => server.close());
  assert.equal(await readOllamaVersion(FAKE_BINARY, { env: { ...env, OLLAMA_HOST: `127.0.0.1:${server.port}` } }), '0.8.0');
  assert.equal(await readOllamaVersion(path.join(dir, 'missing')), undefined);
});

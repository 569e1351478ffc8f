/**
 * Issue 25: the host a user leaves running (`stigmer local start`, the bundle) stays light. Ollama
 * detection and the model lists go over node:http, so undici (fetch, ~13 MB resident) is never
 * loaded; the UI server and its WebSocket library (with node:https and TLS) are a chunk read only
 * for `--ui`. Node's own list of the internal modules it loaded tells, read as the host exits.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { Scope, hostEnv, startHost } from '../support/e2e-host.ts';
import { HEADLESS_BUNDLE, ensureHeadlessBuilt } from '../support/headless.ts';

/**
 * Loaded with --import before the host: on exit, writes `process.moduleLoadList` to LOADED_LIST
 * plus the pid (the runner inherits the variable and writes its own).
 */
const RECORDER = `import fs from 'node:fs';
process.on('exit', () => fs.writeFileSync(process.env.LOADED_LIST + '.' + process.pid, JSON.stringify(process.moduleLoadList)));
`;

test('the bundled host runs Ollama and the runner to ready without loading fetch (undici), TLS or the UI server', async (t) => {
  await ensureHeadlessBuilt();
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const dir = scope.tempDir();
  const recorder = path.join(dir, 'recorder.mjs');
  fs.writeFileSync(recorder, RECORDER);
  const loadedList = path.join(dir, 'loaded.json');
  const env = hostEnv(scope, { ollamaHost: ollama.url, extra: { NODE_OPTIONS: `--import=${recorder}`, LOADED_LIST: loadedList } });

  const host = startHost(scope, ['--user-data-dir', scope.tempDir()], env, { entry: HEADLESS_BUNDLE });
  // Detection and the model list came first: the runner is only started with an answer from Ollama.
  await host.waitForLine('the runner to be ready', (line) => line.includes('Runner ready: ollama llama3.2 at '));
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stderr);

  const loaded = JSON.parse(fs.readFileSync(`${loadedList}.${host.pid}`, 'utf8')) as string[];
  assert.ok(loaded.includes('NativeModule http'), 'Ollama was asked over node:http');
  for (const absent of ['NativeModule internal/deps/undici/undici', 'NativeModule tls', 'NativeModule https']) {
    assert.ok(!loaded.includes(absent), `${absent} was loaded`);
  }
});

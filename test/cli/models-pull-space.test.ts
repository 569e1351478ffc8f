/**
 * `stigmer models pull` gets the same refusal as the window: a running headless host whose
 * Ollama keeps its models on a 64 MiB file system refuses a pull that does not fit, with both
 * numbers and a fix, and exits 1 without asking Ollama for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../ollama/support.ts';
import { Scope, hostEnv, setUpProfile, startHost } from '../support/e2e-host.ts';
import { REPO_ROOT, runCommand } from '../support/headless.ts';
import { smallDisk } from '../support/small-disk.ts';

test('stigmer models pull refuses a model that does not fit the models folder, with both numbers and a fix (exit 1)', async (t) => {
  const scope = new Scope(t);
  const disk = smallDisk(scope, 64 * 1024 * 1024);
  t.diagnostic(`models folder: 64 MiB, ${disk.kind}`);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'seed';
    settings.ollama.modelsDir = disk.dir;
  });
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${await freePort()}`,
    fakeOllama: { models: ['seed'], registry: { 'seed:latest': [1_000_000] } },
    extra: disk.env,
  });
  const host = startHost(scope, ['--user-data-dir', userDataDir], env);
  await host.waitForLine('Ollama launched by the app', (line) => /Ollama .* running at .*launched by this app/.test(line), 120_000);

  const result = await runCommand(process.execPath, [path.join(REPO_ROOT, 'bin/stigmer.js'), 'models', 'pull', 'mistral', '--user-data-dir', userDataDir], {
    env,
    cwd: os.tmpdir(),
    timeoutMs: 60_000,
  });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(
    result.stderr,
    /^Not enough space for mistral: it needs 4\.1 GB \(4\.5 GB with a 10 % margin\) but \S+ has 6\d\.\d MB free\. Free at least 4\.\d GB there \(delete models you no longer use on the Models screen\), or set a models folder on a larger disk in Settings, then pull again\.\n$/,
  );
  assert.ok(result.stderr.includes(disk.dir), 'names the models folder');
  assert.ok(!fs.existsSync(path.join(disk.dir, 'blobs')), 'nothing was downloaded');
});

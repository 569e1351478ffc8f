/**
 * `stigmer models move DIR` and `models delete-old DIR` (issue 24 §5) against the running headless
 * host, whose Ollama is the double's executable it launched: a missing folder fails with the
 * reason (exit 1, nothing made), a move says what it moved and how to delete the old copy, and
 * only the folder that move left can be deleted.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../ollama/support.ts';
import { HOST_WAIT_MS, Scope, hostEnv, setUpProfile, startHost } from '../support/e2e-host.ts';
import { REPO_ROOT, runCommand } from '../support/headless.ts';

const STIGMER = path.join(REPO_ROOT, 'bin', 'stigmer.js');

test('stigmer models move: a missing folder fails clearly, a move reports itself, delete-old removes only the old copy', async (t) => {
  const scope = new Scope(t);
  const dir = scope.tempDir();
  const source = path.join(dir, 'old-models');
  const target = path.join(dir, 'new-disk');
  fs.mkdirSync(path.join(source, 'blobs'), { recursive: true });
  const blob = randomBytes(512 * 1024);
  fs.writeFileSync(path.join(source, 'blobs', `sha256-${createHash('sha256').update(blob).digest('hex')}`), blob);
  fs.writeFileSync(path.join(source, 'fake-ollama-models.json'), JSON.stringify(['llama3.2:latest']));
  fs.mkdirSync(target);
  const userDataDir = setUpProfile(scope, (settings) => void (settings.ollama.modelsDir = source));
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: [] } });
  const host = startHost(scope, ['--user-data-dir', userDataDir], env);
  await host.waitForLine('the app to launch Ollama', (line) => line.includes('launched by this app'), HOST_WAIT_MS);
  const stigmer = (...args: string[]) => runCommand(process.execPath, [STIGMER, ...args, '--user-data-dir', userDataDir], { env, cwd: dir, timeoutMs: 60_000 });

  const missing = await stigmer('models', 'move', 'not-there');
  assert.equal(missing.code, 1, missing.stderr);
  assert.equal(missing.stderr.trim(), `The folder ${path.join(dir, 'not-there')} does not exist. Create it (or plug in its drive), then move again.`);
  assert.equal(fs.existsSync(path.join(dir, 'not-there')), false);

  const moved = await stigmer('models', 'move', 'new-disk');
  assert.equal(moved.code, 0, moved.stderr);
  assert.equal(
    moved.stdout,
    `Moved 2 files (524.3 KB) to ${target}; Ollama lists every model there (1 model).\nThe old copy is still in ${source}. Delete it with: stigmer models delete-old ${source}\n`,
  );
  assert.equal((JSON.parse(fs.readFileSync(path.join(userDataDir, 'settings.json'), 'utf8')) as { ollama: { modelsDir: string } }).ollama.modelsDir, target);

  const wrong = await stigmer('models', 'delete-old', target);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /is not the old copy of a move this app made/);
  assert.deepEqual(fs.readdirSync(target).sort(), ['blobs', 'fake-ollama-models.json']);

  const deleted = await stigmer('models', 'delete-old', source);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /^Deleted the old models folder's contents, freeing 524\.3 KB\.\n$/);
  assert.deepEqual(fs.readdirSync(source), []);
});

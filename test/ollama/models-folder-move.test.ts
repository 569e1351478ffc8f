/**
 * Moving the managed Ollama's models folder (issue 24 §5) on real temp folders, against the
 * Ollama double's executable launched by the real manager: the happy path copies, verifies every
 * blob's sha256, switches OLLAMA_MODELS, restarts and finds every model; a cancel midway, a
 * refusal for space, an external Ollama and a missing folder each leave everything as it was.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { OllamaManager } from '../../src/main/ollama/manager.ts';
import {
  EXTERNAL_FIX,
  deleteOldModelsFolder,
  moveModelsFolder,
  planModelsFolderMove,
  type MoveDeps,
  type MoveProgress,
} from '../../src/main/ollama/models-folder-move.ts';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { tempDir } from '../support/headless.ts';
import { recordingOutput } from '../support/process-output.ts';
import { freePort, writeFakeConfig } from './support.ts';

const MB = 1024 * 1024;

/** A models folder as Ollama lays it out: blobs named by their sha256, and a manifest naming them. */
function writeModelsFolder(folder: string, blobSizes: readonly number[]): Map<string, string> {
  const written = new Map<string, string>();
  fs.mkdirSync(path.join(folder, 'blobs'), { recursive: true });
  const digests = blobSizes.map((size) => {
    const content = randomBytes(size);
    const digest = createHash('sha256').update(content).digest('hex');
    fs.writeFileSync(path.join(folder, 'blobs', `sha256-${digest}`), content);
    written.set(`blobs/sha256-${digest}`, digest);
    return digest;
  });
  const manifest = path.join(folder, 'manifests', 'registry.ollama.ai', 'library', 'llama3.2', 'latest');
  fs.mkdirSync(path.dirname(manifest), { recursive: true });
  fs.writeFileSync(manifest, JSON.stringify({ schemaVersion: 2, layers: digests.map((digest) => ({ digest: `sha256:${digest}` })) }));
  // An unfinished download: not a model, not copied.
  fs.writeFileSync(path.join(folder, 'blobs', `sha256-${'0'.repeat(64)}-partial`), 'half');
  return written;
}

const sha256File = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The folder's files and their digests, to show it did not change. */
function snapshot(folder: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) result[path.relative(folder, path.join(entry.parentPath, entry.name))] = sha256File(path.join(entry.parentPath, entry.name));
  }
  return result;
}

/** The managed Ollama (the double's executable) launched by the real manager with OLLAMA_MODELS, and a switch that relaunches it as the app does. */
async function managedOllama(t: TestContext, modelsDir: string) {
  const dir = tempDir(t);
  const port = await freePort();
  const { output } = recordingOutput(t, 'ollama');
  const fakeConfig = writeFakeConfig(dir, { models: ['llama3.2'], pullIntervalMs: 1, pullStepsPerLayer: 2 });
  const create = (folder: string) =>
    new OllamaManager({
      host: `127.0.0.1:${port}`,
      serverSettings: { exposeToNetwork: false, modelsDir: folder },
      runDir: path.join(dir, 'run'),
      env: { PATH: [FAKE_OLLAMA_BIN_DIR, path.dirname(process.execPath), '/usr/bin', '/bin'].join(':'), HOME: dir, FAKE_OLLAMA_CONFIG: fakeConfig },
      output,
      healthIntervalMs: 200,
      readyTimeoutMs: 20_000,
      stopGraceMs: 5000,
    });
  let manager = create(modelsDir);
  t.after(() => manager.stop());
  await manager.start();
  // A pull makes the double save its models into OLLAMA_MODELS, as Ollama's manifests are.
  assert.equal((await manager.pull('qwen2.5:0.5b')).status, 'success');
  const switches: string[] = [];
  const deps: MoveDeps = {
    server: () => manager.getState().server,
    switchTo: async (folder) => {
      switches.push(folder);
      await manager.stop();
      manager = create(folder);
      await manager.start();
    },
    listModels: async () => (await manager.listModels()).map((model) => model.name).sort(),
  };
  return { deps, switches, manager: () => manager };
}

test('the happy path copies and verifies every blob, switches OLLAMA_MODELS, restarts Ollama, finds every model; the old copy goes only when asked', async (t) => {
  const dir = tempDir(t);
  const source = path.join(dir, 'old-models');
  const target = path.join(dir, 'new-disk');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'notes.txt'), 'not the app’s');
  const blobs = writeModelsFolder(source, [3 * MB, 1 * MB, 1234]);
  const { deps, switches, manager } = await managedOllama(t, source);
  const before = await deps.listModels();
  assert.deepEqual(before, ['llama3.2:latest', 'qwen2.5:0.5b']);
  const sourceBefore = snapshot(source);

  const progress: MoveProgress[] = [];
  const result = await moveModelsFolder({ source, target, signal: new AbortController().signal, onProgress: (step) => progress.push(step) }, deps);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.ok(result.ok);
  assert.deepEqual(result.models, before, 'every model is listed from the new folder');
  assert.deepEqual(switches, [target]);
  for (const [rel, digest] of blobs) assert.equal(sha256File(path.join(target, rel)), digest, `${rel} copied whole`);
  assert.equal(fs.existsSync(path.join(target, 'blobs', `sha256-${'0'.repeat(64)}-partial`)), false, 'an unfinished download is not copied');
  assert.deepEqual(snapshot(source), sourceBefore, 'the old folder is untouched until the user deletes it');
  assert.deepEqual([...new Set(progress.map((step) => step.phase))], ['copying', 'verifying', 'switching', 'listing']);
  const copied = progress.filter((step) => step.phase === 'copying').at(-1);
  assert.equal(copied?.doneBytes, result.bytes, 'the copy progress reaches the total');

  // The restarted Ollama really uses the new folder: what it saves lands there.
  assert.equal((await manager().pull('all-minilm')).status, 'success');
  assert.match(fs.readFileSync(path.join(target, 'fake-ollama-models.json'), 'utf8'), /all-minilm/);
  assert.doesNotMatch(fs.readFileSync(path.join(source, 'fake-ollama-models.json'), 'utf8'), /all-minilm/);

  await assert.rejects(deleteOldModelsFolder(target, target), /in use/);
  const freed = await deleteOldModelsFolder(source, target);
  assert.ok(freed >= 4 * MB, `freed ${freed} bytes`);
  assert.deepEqual(fs.readdirSync(source), []);
  assert.equal(fs.readFileSync(path.join(target, 'notes.txt'), 'utf8'), 'not the app’s');
});

test('cancel midway removes the partial copy, keeps the setting and the old folder as they were', async (t) => {
  const dir = tempDir(t);
  const source = path.join(dir, 'old-models');
  const target = path.join(dir, 'new-disk');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'notes.txt'), 'kept');
  writeModelsFolder(source, [16 * MB, 16 * MB, 16 * MB]);
  const { deps, switches } = await managedOllama(t, source);
  const sourceBefore = snapshot(source);
  const modelsBefore = await deps.listModels();

  const controller = new AbortController();
  const result = await moveModelsFolder(
    {
      source,
      target,
      signal: controller.signal,
      onProgress: (step) => {
        if (step.phase === 'copying' && step.doneBytes > 20 * MB) controller.abort();
      },
    },
    deps,
  );
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.cancelled, JSON.stringify(result));
  assert.match(result.message, /cancelled; the models stay where they were/);
  assert.deepEqual(fs.readdirSync(target), ['notes.txt'], 'the partial copy is gone, what was there stays');
  assert.deepEqual(switches, [], 'Ollama was never switched');
  assert.deepEqual(snapshot(source), sourceBefore);
  assert.deepEqual(await deps.listModels(), modelsBefore);
});

test('a move that would not fit with a 10 % margin is refused with both numbers, before anything is copied', async (t) => {
  const dir = tempDir(t);
  const source = path.join(dir, 'old-models');
  const target = path.join(dir, 'small-disk');
  fs.mkdirSync(target);
  writeModelsFolder(source, [2 * MB]);
  const { deps, switches } = await managedOllama(t, source);
  // The source holds 2 MB and a little: 2.1 MB free is less than that plus 10 %.
  const result = await moveModelsFolder({ source, target, signal: new AbortController().signal }, { ...deps, freeBytes: async () => 2.1 * MB });
  assert.ok(!result.ok && !result.cancelled);
  assert.match(result.message, /^Not enough space in .*small-disk: the models take 2\.\d MB \(2\.\d MB with a 10 % margin\), and 2\.\d MB is free\.$/);
  assert.match(result.fix, /Free some space/);
  assert.deepEqual(fs.readdirSync(target), []);
  assert.deepEqual(switches, []);
});

test('an external Ollama’s folder is never touched: the refusal says how that Ollama is configured', async (t) => {
  const dir = tempDir(t);
  const source = path.join(dir, 'system-models');
  const target = path.join(dir, 'new-disk');
  fs.mkdirSync(target);
  writeModelsFolder(source, [1 * MB]);
  const external = await startFakeOllama({ models: ['llama3.2'] });
  t.after(() => external.close());
  const manager = new OllamaManager({
    host: external.url,
    serverSettings: { exposeToNetwork: false },
    runDir: path.join(dir, 'run'),
    env: { PATH: '/nonexistent' },
  });
  t.after(() => manager.stop());
  await manager.start();
  assert.deepEqual(manager.getState().server, { phase: 'running', owner: 'external' });
  const switches: string[] = [];
  const before = snapshot(source);
  const result = await moveModelsFolder(
    { source, target, signal: new AbortController().signal },
    { server: () => manager.getState().server, switchTo: async (folder) => void switches.push(folder), listModels: async () => [] },
  );
  assert.ok(!result.ok && !result.cancelled);
  assert.match(result.message, /not started by this app/);
  assert.equal(result.fix, EXTERNAL_FIX);
  assert.match(result.fix, /systemctl edit ollama.*OLLAMA_MODELS/);
  assert.deepEqual(switches, []);
  assert.deepEqual(fs.readdirSync(target), []);
  assert.deepEqual(snapshot(source), before);
});

test('the plan: a missing folder is a clear error (no silent fallback), as are nested folders, an existing models folder and no Ollama', () => {
  const running = { phase: 'running', owner: 'managed' } as const;
  const base = { server: running, source: '/home/u/.ollama/models', target: '/mnt/big/ollama', targetKind: 'folder', files: [], freeBytes: 10 } as const;
  const refusal = (patch: Partial<Parameters<typeof planModelsFolderMove>[0]>) => {
    const plan = planModelsFolderMove({ ...base, ...patch });
    assert.ok(!plan.ok);
    return plan.message;
  };
  assert.equal(refusal({ targetKind: 'missing' }), 'The folder /mnt/big/ollama does not exist.');
  assert.match(refusal({ targetKind: 'not-a-folder' }), /is a file, not a folder/);
  assert.match(refusal({ target: '/home/u/.ollama/models/sub' }), /contain one another/);
  assert.match(refusal({ target: 'relative/dir' }), /must be a full path/);
  assert.match(refusal({ targetKind: 'models-folder' }), /already holds an Ollama models folder/);
  assert.match(refusal({ files: null }), /There is no models folder/);
  assert.match(refusal({ server: { phase: 'stopped' } }), /Ollama is not running/);
  assert.match(refusal({ server: { phase: 'running', owner: 'remote' } }), /another machine/);
  const plan = planModelsFolderMove({ ...base, files: [{ rel: 'blobs/sha256-x', size: 9, digest: null }] });
  assert.deepEqual(plan, { ok: true, files: [{ rel: 'blobs/sha256-x', size: 9, digest: null }], totalBytes: 9 });
});

test('a model the new folder does not list undoes the move: switched back, the copy removed', async (t) => {
  const dir = tempDir(t);
  const source = path.join(dir, 'old');
  const target = path.join(dir, 'new');
  fs.mkdirSync(target);
  writeModelsFolder(source, [1 * MB]);
  const switches: string[] = [];
  let folder = source;
  const result = await moveModelsFolder(
    { source, target, signal: new AbortController().signal },
    {
      server: () => ({ phase: 'running', owner: 'managed' }),
      switchTo: async (to) => void switches.push((folder = to)),
      listModels: async () => (folder === source ? ['a:latest', 'b:latest'] : ['a:latest']),
    },
  );
  assert.ok(!result.ok && !result.cancelled);
  assert.equal(result.message, 'The move failed and was undone: Ollama does not list b:latest from the new folder.');
  assert.deepEqual(switches, [target, source]);
  assert.deepEqual(fs.readdirSync(target), []);
});

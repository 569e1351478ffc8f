/**
 * The Models commands' downloads against the Ollama double, with a real manager: an external
 * Ollama's free space is said to be unknown rather than guessed, and a download cut short is kept
 * in the queue file, offered again by the next run, and discarded by Cancel.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedConfig } from '../../src/main/config/resolve.ts';
import { OllamaModels } from '../../src/main/app/ollama-models.ts';
import { OllamaManager } from '../../src/main/ollama/manager.ts';
import { startFakeOllama, type StartFakeOllamaOptions } from '../doubles/ollama/server.ts';
import { HardwareWatch } from '../../src/main/hardware/hardware-watch.ts';
import { defaultSettings } from '../../src/shared/settings.ts';

const REGISTRY = { 'tiny:latest': [4_000_000, 500] };

async function setUp(t: TestContext, fake: StartFakeOllamaOptions) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-models-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const server = await startFakeOllama({ registry: REGISTRY, pullIntervalMs: 5, pullStepsPerLayer: 20, ...fake });
  t.after(() => server.close());
  const manager = new OllamaManager({ host: server.url, serverSettings: { exposeToNetwork: false }, runDir: path.join(dir, 'run'), env: { PATH: '' } });
  t.after(() => manager.stop());
  await manager.start();
  const models = () =>
    new OllamaModels({
      ollama: () => manager,
      config: () => ({ provider: { value: 'anthropic' }, model: { value: 'x', source: 'settings' } }) as unknown as ResolvedConfig,
      saveSettings: () => {},
      reconfigure: async () => {},
      log: () => {},
      onProgress: () => {},
      onChange: () => {},
      queueFile: path.join(dir, 'downloads.json'),
      modelsDir: () => '/never/measured',
      hardware: new HardwareWatch({ env: { PATH: '' }, sysfsRoot: dir }),
      settings: defaultSettings,
      env: {},
      retryDelaysMs: [],
    });
  return { queueFile: path.join(dir, 'downloads.json'), models };
}

test('for an Ollama the app did not launch, free space is said to be unknown, not guessed, and the pull goes ahead', async (t) => {
  const { models } = await setUp(t, {});
  const subject = models();
  const disk = await subject.disk();
  assert.deepEqual([disk.folder, disk.freeBytes], [null, null]);
  assert.match(disk.note ?? '', /already running when the app started/);
  assert.deepEqual(await subject.pull('tiny', false), { status: 'success', model: 'tiny' });
  assert.equal(
    subject.downloads.list()[0]?.warning,
    'The free space of this Ollama’s models folder cannot be seen from here, so it was not checked before this download.',
  );
});

test('a download cut short stays in the queue file, the next run offers it, and Cancel discards it', async (t) => {
  const { models, queueFile } = await setUp(t, { pullFaults: [{ model: 'tiny', atPercent: 50, fault: 'drop' }] });
  const first = models();
  const result = await first.pull('tiny', true);
  assert.equal(result.status, 'failed');
  assert.match((result as { reason: string }).reason, /\(1 attempt\)$/);
  const [interrupted] = first.downloads.list();
  assert.deepEqual([interrupted?.state, interrupted?.phase], ['interrupted', 'Interrupted']);
  assert.match(interrupted?.message ?? '', /then choose Resume: it continues where it stopped\.$/);

  // The next run: read back from the file, with the user's "use it" choice.
  const next = models();
  const [restored] = next.downloads.list();
  assert.deepEqual([restored?.model, restored?.state, restored?.use], ['tiny', 'interrupted', true]);
  assert.ok((restored?.completedBytes ?? 0) >= 0.5 * 4_000_000, `kept ${restored?.completedBytes} bytes`);

  next.cancel('tiny');
  assert.equal(next.downloads.list()[0]?.state, 'cancelled');
  assert.deepEqual(JSON.parse(fs.readFileSync(queueFile, 'utf8')).downloads, []);
});

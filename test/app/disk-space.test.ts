import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { judgeSpace, measureDisk, modelsFolder } from '../../src/main/ollama/disk-space.ts';

const GB = 1e9;

describe('disk space under the models folder', () => {
  test('a download is refused without a 10 % margin, with both numbers and a fix; warned about when under 5 GB would be left', () => {
    const refused = judgeSpace('mistral', 4.1 * GB, 4.4 * GB, '/models');
    assert.equal(refused.verdict, 'refused');
    assert.ok(refused.verdict === 'refused');
    assert.equal(refused.reason, 'Not enough space for mistral: it needs 4.1 GB (4.5 GB with a 10 % margin) but /models has 4.4 GB free');
    assert.match(
      refused.fix,
      /^Free at least 110\.0 MB there \(delete models you no longer use on the Models screen\), or set a models folder on a larger disk in Settings/,
    );

    const low = judgeSpace('mistral', 4.1 * GB, 8 * GB, '/models');
    assert.deepEqual(low, { verdict: 'low', warning: 'After this download /models will have about 3.9 GB free, less than 5.0 GB.' });

    assert.deepEqual(judgeSpace('mistral', 4.1 * GB, 9.2 * GB, '/models'), { verdict: 'fits' });
    // Exactly the margin fits; one byte less does not.
    assert.equal(judgeSpace('m', 100, 110, '/m').verdict, 'low');
    assert.equal(judgeSpace('m', 100, 109, '/m').verdict, 'refused');
  });

  test('the folder is known only for a server this app launched; an external or remote one says so instead of guessing', () => {
    const env = { HOME: '/home/u' };
    const managed = { phase: 'running', owner: 'managed' } as const;
    assert.deepEqual(modelsFolder(managed, '/big/models', env), { folder: '/big/models' });
    assert.deepEqual(modelsFolder(managed, undefined, { ...env, OLLAMA_MODELS: '/env/models' }), { folder: '/env/models' });
    assert.deepEqual(modelsFolder(managed, undefined, env), { folder: path.join('/home/u', '.ollama', 'models') });
    const external = modelsFolder({ phase: 'running', owner: 'external' }, '/big/models', env);
    assert.equal(external.folder, null);
    assert.match((external as { note: string }).note, /already running when the app started.*cannot see: free space is not checked before a pull/);
    const remote = modelsFolder({ phase: 'running', owner: 'remote' }, undefined, env);
    assert.match((remote as { note: string }).note, /another machine/);
  });

  test('a models folder that does not exist yet is measured on the file system that will hold it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-disk-'));
    try {
      const direct = await measureDisk(dir);
      const nested = await measureDisk(path.join(dir, 'not', 'yet', 'models'));
      assert.ok(direct.totalBytes > 0 && direct.freeBytes <= direct.totalBytes);
      assert.equal(nested.totalBytes, direct.totalBytes);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DownloadQueue } from '../../src/main/app/download-queue.ts';
import { DownloadList } from '../../src/main/app/downloads.ts';

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-queue-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'downloads.json');
}

describe('the persisted download queue', () => {
  test('a pull not finished when the app stops is read back by the next run and offered for Resume where it stopped', (t) => {
    const file = tempFile(t);
    let now = 1_000;
    const first = new DownloadQueue(file, () => now);
    first.add('mistral', true);
    first.add('llama3.2', false);
    now += 5_000;
    first.progress('mistral', 1_640_000_000, 4_100_000_000);
    first.remove('llama3.2');
    // No temporary file is left beside it.
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['downloads.json']);

    const list = new DownloadList(() => {});
    for (const entry of new DownloadQueue(file).entries()) list.restore(entry);
    const [download] = list.list();
    assert.equal(list.list().length, 1);
    assert.deepEqual(
      [download?.model, download?.state, download?.use, download?.completedBytes, download?.percent],
      ['mistral', 'interrupted', true, 1_640_000_000, 40],
    );
    assert.equal(
      download?.message,
      'The download of mistral stopped at 40 % when the app last closed. Resume continues where it stopped (Ollama keeps what was downloaded); Cancel discards it.',
    );
    // An interrupted download is not dismissed by "Dismiss": Cancel discards it.
    list.dismiss('mistral');
    assert.equal(list.list().length, 1);
  });

  test('progress is saved at most every 2 s, and flush saves where a pull stopped', (t) => {
    const file = tempFile(t);
    let now = 0;
    const queue = new DownloadQueue(file, () => now);
    queue.add('m', false);
    now = 500;
    queue.progress('m', 10, 100);
    assert.equal(new DownloadQueue(file).get('m')?.completedBytes, 0);
    queue.flush();
    assert.equal(new DownloadQueue(file).get('m')?.completedBytes, 10);
  });

  test('an unreadable queue is set aside and the app starts with an empty one', (t) => {
    const file = tempFile(t);
    fs.writeFileSync(file, '{"version":1,"downloads":[{"model":');
    assert.deepEqual(new DownloadQueue(file).entries(), []);
    assert.ok(fs.existsSync(`${file}.unreadable`));
  });
});

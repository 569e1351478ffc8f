import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DownloadList } from '../../src/main/app/downloads.ts';

const progress = (model: string, status: string, completedBytes = 0) => ({
  model,
  status,
  completedBytes,
  totalBytes: 2_000,
  percent: completedBytes / 20,
  bytesPerSecond: 100,
  etaSeconds: (2_000 - completedBytes) / 100,
});

describe('the download list main keeps for every window', () => {
  test('progress reads as people say it, never as a layer digest', () => {
    const list = new DownloadList(() => {});
    list.begin('llama3.2', false);
    const phases = ['pulling manifest', 'pulling dde5aa3fc5ff', 'verifying sha256 digest', 'writing manifest'].map((status) => {
      list.progress(progress('llama3.2', status, 1_000));
      return list.list()[0]?.phase;
    });
    assert.deepEqual(phases, ['Starting', 'Downloading', 'Verifying', 'Finishing']);
    assert.deepEqual([list.list()[0]?.completedBytes, list.list()[0]?.etaSeconds], [1_000, 10]);
  });

  test('a finished download says what happened, and whether the model in use changed', () => {
    const list = new DownloadList(() => {});
    list.begin('a', false);
    list.begin('b', true);
    list.begin('c', false);
    list.begin('d', false);
    list.finish({ status: 'success', model: 'a' });
    list.finish({ status: 'success', model: 'b' });
    list.finish({ status: 'cancelled', model: 'c' });
    list.finish({ status: 'failed', model: 'd', reason: 'pulling "d" failed: disk full', fix: 'free some space, then try again' });
    assert.deepEqual(
      list.list().map((download) => [download.state, download.message]),
      [
        ['done', 'a is installed. Your current model is unchanged.'],
        ['done', 'b is installed and in use.'],
        [
          'cancelled',
          "Download of c cancelled. Ollama's API has no request to delete a partial download: the parts already down stay in its models folder until Ollama removes unused files when it next starts (unless OLLAMA_NOPRUNE is set).",
        ],
        ['failed', 'Pulling "d" failed: disk full. Free some space, then try again.'],
      ],
    );
  });

  test('a download in progress cannot be dismissed; finished ones can, and old ones drop off after ten', () => {
    let changes = 0;
    const list = new DownloadList(() => changes++);
    list.begin('running', false);
    list.dismiss('running');
    assert.equal(list.isPulling('running'), true);
    for (let index = 0; index < 12; index++) {
      list.begin(`m${index}`, false);
      list.finish({ status: 'success', model: `m${index}` });
    }
    const finished = list.list().filter((download) => download.state !== 'pulling');
    assert.equal(finished.length, 10);
    assert.equal(finished[0]?.model, 'm2', 'the oldest went first');
    list.dismiss('m5');
    assert.ok(!list.list().some((download) => download.model === 'm5'));
    assert.ok(changes > 0);
  });
});

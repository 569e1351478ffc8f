import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PullProgressTracker } from '../../src/main/ollama/pull-stream.ts';

test('progress sums the layers and measures speed and ETA over the recent window', () => {
  let now = 0;
  const tracker = new PullProgressTracker('llama3.2', { now: () => now, speedWindowMs: 3000 });
  assert.deepEqual(tracker.update({ status: 'pulling manifest' }), {
    model: 'llama3.2',
    status: 'pulling manifest',
    completedBytes: 0,
    totalBytes: 0,
    percent: null,
    bytesPerSecond: null,
    etaSeconds: null,
  });
  now = 1000;
  tracker.update({ status: 'pulling aaa', digest: 'sha256:aaa', total: 1000, completed: 0 });
  now = 2000;
  const half = tracker.update({ status: 'pulling aaa', digest: 'sha256:aaa', total: 1000, completed: 500 });
  assert.equal(half.percent, 50);
  assert.equal(half.bytesPerSecond, 250); // 500 bytes over the 2 s since the first sample
  assert.equal(half.etaSeconds, 2);
  now = 3000;
  const second = tracker.update({ status: 'pulling bbb', digest: 'sha256:bbb', total: 1000, completed: 500 });
  assert.deepEqual([second.completedBytes, second.totalBytes, second.percent], [1000, 2000, 50]);
  now = 5000;
  const late = tracker.update({ status: 'pulling bbb', digest: 'sha256:bbb', total: 1000, completed: 900 });
  assert.equal(late.bytesPerSecond, 300); // 900 bytes since the sample at 2 s, the newest one at least 3 s old
  assert.equal(late.etaSeconds, 2);
  now = 9000;
  const stalled = tracker.update({ status: 'pulling bbb', digest: 'sha256:bbb', total: 1000, completed: 900 });
  assert.deepEqual([stalled.bytesPerSecond, stalled.etaSeconds], [0, null]);
  const done = tracker.update({ status: 'success' });
  assert.deepEqual([done.percent, done.etaSeconds], [100, 0]);
});

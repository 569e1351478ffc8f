import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import type { LogBatch } from '../../src/shared/logs.ts';
import { tempDir } from '../support/headless.ts';
import { waitFor } from '../support/processes.ts';

test("a flood is sampled for subscribers, but never the app's own lines", async (t) => {
  const pipeline = new LogPipeline({ logsDir: tempDir(t), batchIntervalMs: 50 });
  t.after(() => pipeline.close());
  const batches: LogBatch[] = [];
  pipeline.subscribe((batch) => batches.push(batch), { maxBatchEntries: 10 });
  const runner = pipeline.input('runner', 'stdout');
  for (let index = 0; index < 5000; index++) {
    runner.write(`line ${index}\n`);
    if (index === 1234) pipeline.log('app', 'info', 'Runner exited with code 3; restarting in 1 s');
  }
  await waitFor('a batch', () => batches.length > 0);
  const [batch] = batches;
  assert.deepEqual(
    batch!.entries.map((entry) => entry.msg),
    ['Runner exited with code 3; restarting in 1 s', ...Array.from({ length: 10 }, (_, offset) => `line ${4990 + offset}`)],
  );
  assert.equal(batch!.skipped, 5001 - 11);
  assert.ok(
    batch!.entries.every((entry, index, all) => index === 0 || entry.seq > all[index - 1]!.seq),
    'in order',
  );
});

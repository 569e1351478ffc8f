import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OperationQueue } from '../../src/main/process/operation-queue.ts';

test('operations run one at a time in the order asked; a failure rejects only its own caller', async () => {
  const queue = new OperationQueue();
  const log: string[] = [];
  const gate = Promise.withResolvers<void>();
  const first = queue.run(async () => {
    log.push('first begins');
    await gate.promise;
    log.push('first ends');
    return 1;
  });
  const second = queue.run(() => {
    log.push('second');
    throw new Error('second failed');
  });
  const third = queue.run(async () => {
    log.push('third');
    return 3;
  });
  assert.equal(queue.busy, true);
  await new Promise(setImmediate);
  assert.deepEqual(log, ['first begins'], 'nothing else starts while the first runs');

  gate.resolve();
  assert.equal(await first, 1);
  await assert.rejects(second, /second failed/);
  assert.equal(await third, 3);
  assert.deepEqual(log, ['first begins', 'first ends', 'second', 'third']);
  assert.equal(queue.busy, false);
});

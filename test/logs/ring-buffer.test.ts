import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RingBuffer } from '../../src/main/logs/ring-buffer.ts';

test('keeps the newest items within the entry bound', () => {
  const ring = new RingBuffer<number>({ maxEntries: 3, maxBytes: 1000 });
  for (let item = 1; item <= 10; item++) ring.push(item, 1);
  assert.deepEqual(ring.toArray(), [8, 9, 10]);
  assert.equal(ring.size, 3);
  assert.equal(ring.bytes, 3);
});

test('drops the oldest items to stay within the byte bound; an item larger than the bound is not kept', () => {
  const ring = new RingBuffer<string>({ maxEntries: 100, maxBytes: 10 });
  ring.push('a', 4);
  ring.push('b', 4);
  ring.push('c', 4);
  assert.deepEqual(ring.toArray(), ['b', 'c']);
  assert.equal(ring.bytes, 8);
  ring.push('huge', 11);
  assert.deepEqual(ring.toArray(), ['b', 'c']);
  ring.push('d', 10);
  assert.deepEqual(ring.toArray(), ['d']);
  assert.equal(ring.bytes, 10);
});

test('toArray filters and limits to the newest matches, oldest first', () => {
  const ring = new RingBuffer<number>({ maxEntries: 10, maxBytes: 100 });
  for (let item = 1; item <= 10; item++) ring.push(item, 1);
  assert.deepEqual(ring.toArray((item) => item % 2 === 0, 3), [6, 8, 10]);
});

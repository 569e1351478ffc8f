import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter } from '../../src/lib/typed-emitter.ts';

test('a listener that throws is reported and the listeners after it still run', () => {
  const reported: { error: unknown; event: string }[] = [];
  const emitter = new TypedEmitter<{ change: [number, string] }>({ onListenerError: (error, event) => reported.push({ error, event }) });
  const heard: string[] = [];
  emitter.on('change', (value, label) => heard.push(`first ${value} ${label}`));
  emitter.on('change', () => {
    throw new Error('broken listener');
  });
  emitter.on('change', (value, label) => heard.push(`last ${value} ${label}`));

  assert.doesNotThrow(() => emitter.emit('change', 1, 'a'));
  assert.deepEqual(heard, ['first 1 a', 'last 1 a']);
  assert.equal(reported.length, 1);
  assert.equal(reported[0]!.event, 'change');
  assert.match(String(reported[0]!.error), /broken listener/);
});

test('without a hook a failing listener is written to console.error; a failing hook breaks nothing either', (t) => {
  const logged = t.mock.method(console, 'error', () => undefined);
  const plain = new TypedEmitter<{ tick: [] }>();
  let after = 0;
  plain.on('tick', () => {
    throw new Error('boom');
  });
  plain.on('tick', () => (after += 1));
  plain.emit('tick');
  assert.equal(after, 1);
  assert.equal(logged.mock.callCount(), 1);

  const fragile = new TypedEmitter<{ tick: [] }>({
    onListenerError: () => {
      throw new Error('the report failed too');
    },
  });
  fragile.on('tick', () => {
    throw new Error('boom');
  });
  fragile.on('tick', () => (after += 1));
  assert.doesNotThrow(() => fragile.emit('tick'));
  assert.equal(after, 2);
});

test('unsubscribing, also from inside a listener, skips no one else; events are kept apart', () => {
  const emitter = new TypedEmitter<{ a: [string]; b: [string] }>();
  const heard: string[] = [];
  const offFirst = emitter.on('a', (value) => {
    heard.push(`first ${value}`);
    offFirst();
  });
  emitter.on('a', (value) => heard.push(`second ${value}`));
  emitter.on('b', (value) => heard.push(`b ${value}`));
  assert.equal(emitter.listenerCount('a'), 2);

  emitter.emit('a', 'x');
  emitter.emit('a', 'y');
  assert.deepEqual(heard, ['first x', 'second x', 'second y']);
  assert.equal(emitter.listenerCount('a'), 1);
  assert.equal(emitter.listenerCount('b'), 1);
});

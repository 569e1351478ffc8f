import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Composer, LEVEL_CODES, UNSURE } from '../../src/main/logs/wasm/composer.ts';
import { levelFromText } from '../../src/main/logs/structured.ts';

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

const composer = new Composer({ pools: 0, poolBytes: 0 });

const PIECES = [
  ' ',
  'INFO',
  'WARN',
  'WARNING',
  'ERROR',
  'DEBUG',
  'TRACE',
  'FATAL',
  'CRITICAL',
  'PANIC',
  'NOTICE',
  'INFOX',
  'XINFO',
  '[',
  ']',
  '(',
  ')',
  '|',
  ':',
  'level=',
  'lvl=',
  'severity=',
  'warn',
  'x',
  '9',
  '_',
  'é',
  '\u00a0',
  'Error',
  'TypeError',
  'Exception',
  'Uncaught ',
  'Traceback (most recent call last)',
  'panic: ',
  '[GIN] ',
  '| 500 |',
  '[warning ]',
  '=',
  'levels=',
  '\t',
  '{',
  '}',
  'ok',
];

test('the level read from bytes is levelFromText of the decoded line whenever it is sure', () => {
  let sure = 0;
  for (let seed = 1; seed <= 20_000; seed++) {
    const next = random(seed);
    let line = '';
    for (let count = Math.floor(next() * 8); count > 0; count--) line += PIECES[Math.floor(next() * PIECES.length)];
    const bytes = Buffer.from(line);
    for (const stream of ['stdout', 'stderr'] as const) {
      const code = composer.levelOf(bytes, stream === 'stderr');
      if (code === UNSURE) continue;
      sure++;
      assert.equal(LEVEL_CODES[code], levelFromText(line, stream), `${JSON.stringify(line)} on ${stream}`);
    }
  }
  assert.ok(sure > 20_000, `only ${sure} lines were read without decoding`);
});

test('the common shapes are read without decoding', () => {
  const cases: [string, string][] = [
    ['00000042 INFO worker[2] request id=1 took 3 ms', 'info'],
    ['2026-01-19 07:04:59,123 - worker - WARNING - msg', 'warn'],
    ['ERROR:root:connection refused', 'error'],
    ['[DEBUG] cache miss', 'debug'],
    ['TypeError: x is not a function', 'error'],
    ['listening on :3000', 'info'],
  ];
  for (const [line, level] of cases) {
    const bytes = Buffer.from(line);
    assert.equal(LEVEL_CODES[composer.levelOf(bytes, false)], level, line);
  }
});

/**
 * The control channel's rate limit on its own clock: a real runner streaming fast passes, a
 * flood is cut to the burst, and a runner that keeps sending at the limit is announced once per
 * episode, not on every message that tips over it. (The flood through the real host is in
 * control-channel-attacks.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControlRate, type RateVerdict } from '../../src/main/app/control-rate.ts';
import { CONTROL_RATE } from '../../src/shared/runner-protocol.ts';

function clocked() {
  let now = 0;
  const rate = new ControlRate(CONTROL_RATE, () => now);
  return { rate, advance: (ms: number) => (now += ms) };
}

test('two answers streaming 250 chunks a second each, for a minute, lose nothing', () => {
  const { rate, advance } = clocked();
  const verdicts = new Set<RateVerdict>();
  for (let chunk = 0; chunk < 60 * 500; chunk++) {
    advance(2);
    verdicts.add(rate.take());
  }
  assert.deepEqual([...verdicts], ['pass']);
  assert.equal(rate.dropped, 0);
});

test('20,000 messages at once: the burst passes, the rest is dropped, and that is said once', () => {
  const { rate } = clocked();
  const verdicts = Array.from({ length: 20_000 }, () => rate.take());
  assert.equal(verdicts.filter((verdict) => verdict === 'pass').length, CONTROL_RATE.burst);
  assert.equal(verdicts.filter((verdict) => verdict === 'throttle').length, 1);
  assert.equal(rate.dropped, 20_000 - CONTROL_RATE.burst);
});

test('a runner hovering just over the limit is one episode; a new one is announced only after a quiet second', () => {
  const { rate, advance } = clocked();
  for (let n = 0; n < CONTROL_RATE.burst; n++) rate.take();
  const hovering: RateVerdict[] = [];
  // 600 a second for ten seconds: every other message or so tips over the limit.
  for (let n = 0; n < 6_000; n++) {
    advance(1000 / 600);
    hovering.push(rate.take());
  }
  assert.equal(hovering.filter((verdict) => verdict === 'throttle').length, 1);
  assert.ok(hovering.filter((verdict) => verdict === 'pass').length >= 10 * CONTROL_RATE.perSecond - 1);

  advance(1000);
  assert.equal(rate.take(), 'pass', 'quiet for a second: the bucket refilled and the episode ended');
  for (let n = 0; n < CONTROL_RATE.burst - 1; n++) rate.take();
  assert.equal(rate.take(), 'throttle', 'the next flood is a new episode, announced again');
});

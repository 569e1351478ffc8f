import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from '../../src/main/logs/redactor.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';

const ANTHROPIC = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-abcdEFGH';
const CUSTOM = 'my-gateway-token-0123456789';

test('known secret values are masked wherever they appear, and can change at runtime', () => {
  const redactor = new Redactor([CUSTOM]);
  assert.equal(redactor.redact(`auth ${CUSTOM} and again ${CUSTOM}!`), `auth ${maskSecret(CUSTOM)} and again ${maskSecret(CUSTOM)}!`);
  redactor.setSecrets(['another-secret-value-42']);
  assert.equal(redactor.redact(`old ${CUSTOM}`), `old ${CUSTOM}`);
  assert.equal(redactor.redact('new another-secret-value-42'), `new ${maskSecret('another-secret-value-42')}`);
});

test('key shapes are masked even when the value is not known', () => {
  const openai = 'sk-proj-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210';
  const redacted = new Redactor().redact(`ANTHROPIC_API_KEY=${ANTHROPIC} OPENAI=${openai}`);
  assert.equal(redacted, `ANTHROPIC_API_KEY=${maskSecret(ANTHROPIC)} OPENAI=${maskSecret(openai)}`);
  assert.ok(!redacted.includes('QrStUvWx') && !redacted.includes('PONMLK'));
  assert.equal(new Redactor().redact('a task-runner and sk-short stay'), 'a task-runner and sk-short stay');
});

test('a secret containing another is masked whole; values too short to be keys are ignored', () => {
  const redactor = new Redactor(['abcdefgh', 'xxabcdefghyy-long-secret', 'short']);
  assert.equal(redactor.redact('xxabcdefghyy-long-secret'), maskSecret('xxabcdefghyy-long-secret'));
  assert.equal(redactor.redact('short words stay'), 'short words stay');
});

test('a line cut in the middle of a secret does not keep the start of it', () => {
  const redactor = new Redactor([CUSTOM]);
  const cut = redactor.redactCut(`token=${CUSTOM.slice(0, 15)}`);
  assert.ok(!cut.includes(CUSTOM.slice(0, 15)), cut);
  assert.equal(redactor.redactCut(`key ${ANTHROPIC.slice(0, 12)}`), 'key …');
});

test('mayNeedRedaction finds secrets and key shapes in raw bytes', () => {
  const redactor = new Redactor([CUSTOM]);
  assert.equal(redactor.mayNeedRedaction(Buffer.from('nothing to see\n')), false);
  assert.equal(redactor.mayNeedRedaction(Buffer.from(`x ${CUSTOM}\n`)), true);
  assert.equal(redactor.mayNeedRedaction(Buffer.from('sk-')), true);
});

test('redactValue masks strings nested in app fields', () => {
  const redactor = new Redactor([CUSTOM]);
  assert.deepEqual(redactor.redactValue({ a: CUSTOM, list: [`k ${CUSTOM}`, 3], nested: { b: null } }), {
    a: maskSecret(CUSTOM),
    list: [`k ${maskSecret(CUSTOM)}`, 3],
    nested: { b: null },
  });
});

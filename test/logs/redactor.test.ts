import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { Redactor } from '../../src/lib/redactor.ts';
import { Composer, Stop } from '../../src/main/logs/wasm/composer.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { tempDir } from '../support/headless.ts';

const ANTHROPIC = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-abcdEFGH';
const CUSTOM = 'my-gateway-token-0123456789';

const composer = new Composer({ pools: 0, poolBytes: 0 });
composer.setHeads(Buffer.alloc(6 * 38, 0x20), 38);

/** Whether the log pipeline's composer sends a line of `text` to the slow path to be scrubbed (redacted), as it does in a flood. */
function composerScrubs(text: string): boolean {
  const chunk = Buffer.from(`plain\n${text}\nplain\n`);
  composer.load(chunk, 0, chunk.length - 1);
  for (;;) {
    const stop = composer.run(false, composer.scratch.byteOffset, composer.scratch.length);
    if (stop === Stop.Slow && composer.slowScrub) return true;
    if (stop === Stop.Done) return false;
  }
}

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

test('known secrets are found in raw bytes, and key shapes send their line to the slow path', () => {
  const redactor = new Redactor([CUSTOM]);
  const chunk = Buffer.from(`nothing to see\nx ${CUSTOM}\n`);
  assert.deepEqual(redactor.secretsIn(chunk, 0, chunk.length), [17]);
  assert.equal(composerScrubs('nothing to see'), false);
  assert.equal(composerScrubs('sk-'), true);
});

test('redactValue masks strings nested in app fields', () => {
  const redactor = new Redactor([CUSTOM]);
  assert.deepEqual(redactor.redactValue({ a: CUSTOM, list: [`k ${CUSTOM}`, 3], nested: { b: null } }), {
    a: maskSecret(CUSTOM),
    list: [`k ${maskSecret(CUSTOM)}`, 3],
    nested: { b: null },
  });
});

test('credential shapes are masked without knowing the value: Bearer/Basic, x-api-key, GitHub, AWS, JWT, and api_key/token/secret/password settings', () => {
  const redactor = new Redactor();
  const bearer = 'abc.DEF-123_456~789+xyz/opaque=';
  const github = `ghp_${'A1b2C3d4E5'.repeat(4)}`;
  const finegrained = `github_pat_${'11ABCDEFG0'.repeat(3)}_${'z'.repeat(20)}`;
  const aws = 'AKIAIOSFODNN7EXAMPLE';
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  const cases: [string, string][] = [
    [`Authorization: Bearer ${bearer}`, `Authorization: Bearer ${maskSecret(bearer)}`],
    [`authorization: bearer ${bearer}`, `authorization: bearer ${maskSecret(bearer)}`],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', `Authorization: Basic ${maskSecret('dXNlcjpwYXNzd29yZA==')}`],
    ['x-api-key: 0123456789abcdef0123', `x-api-key: ${maskSecret('0123456789abcdef0123')}`],
    [`cloning with ${github}`, `cloning with ${maskSecret(github)}`],
    [`token ${finegrained}`, `token ${maskSecret(finegrained)}`],
    [`AWS_ACCESS_KEY_ID=${aws}`, `AWS_ACCESS_KEY_ID=${maskSecret(aws)}`],
    [`session ${jwt} accepted`, `session ${maskSecret(jwt)} accepted`],
    ['api_key=abcdefgh12345678 next', `api_key=${maskSecret('abcdefgh12345678')} next`],
    ['{"apiKey": "live_0123456789abcdefghij", "model": "x"}', `{"apiKey": "${maskSecret('live_0123456789abcdefghij')}", "model": "x"}`],
    ['DB_PASSWORD=hunter2hunter2', `DB_PASSWORD=${maskSecret('hunter2hunter2')}`],
    ['client_secret: s3cr3t-v4lu3-here', `client_secret: ${maskSecret('s3cr3t-v4lu3-here')}`],
    ['oauth_token=tok_abcdefghijkl&x=1', `oauth_token=${maskSecret('tok_abcdefghijkl')}&x=1`],
  ];
  for (const [input, expected] of cases) {
    assert.equal(redactor.redact(input), expected, input);
    assert.equal(composerScrubs(input), true, `the composer sends ${input} to be scrubbed`);
  }
  // Ordinary log text stays as it is, and a mask is not masked again.
  for (const text of [
    '00000042 INFO worker[2] tokens id=1234567 took 12 ms',
    'max_tokens: 512, password: short',
    'a Bearer of news',
    `ANTHROPIC_API_KEY=${maskSecret(ANTHROPIC)}`,
  ]) {
    assert.equal(redactor.redact(text), text);
  }
  assert.equal(composerScrubs('00000042 INFO worker[2] tokens id=1234567 took 12 ms'), false);
});

test('a known key split by CR or a zero-width character is still masked, and the chunk scan sends it to the slow path', () => {
  const redactor = new Redactor([CUSTOM]);
  for (const invisible of ['\r', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad']) {
    const split = `${CUSTOM.slice(0, 9)}${invisible}${CUSTOM.slice(9, 15)}${invisible}${invisible}${CUSTOM.slice(15)}`;
    const redacted = redactor.redact(`key=${split}!`);
    assert.equal(redacted, `key=${maskSecret(CUSTOM)}!`, JSON.stringify(invisible));
    assert.equal(composerScrubs(`nothing else ${split}`), true, JSON.stringify(invisible));
  }
});

/** Every character that can hide in a key, by the Unicode properties themselves (not the code under test's list), and C0/C1 but TAB and LF. */
const HIDING = /[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\u2028\u2029\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
const HIDING_CHARS = Array.from({ length: 0x110000 }, (_, code) => code)
  .filter((code) => (code < 0xd800 || code > 0xdfff) && HIDING.test(String.fromCodePoint(code)))
  .map((code) => String.fromCodePoint(code));

test('a key with any default-ignorable, bidi or control character every 10 characters is masked, known or by its shape', () => {
  const known = new Redactor([ANTHROPIC]);
  const shapesOnly = new Redactor();
  const every10 = (text: string, char: string) => text.match(/.{1,10}/g)!.join(char);
  // 4,000-odd characters; U+200E, U+200F, U+2061–U+2064, U+034F and U+180E were the attack's.
  assert.ok(
    HIDING_CHARS.length > 4000 && ['\u200e', '\u200f', '\u2061', '\u2064', '\u034f', '\u180e', '\u{e0041}'].every((char) => HIDING_CHARS.includes(char)),
  );
  for (const char of HIDING_CHARS) {
    const line = `key ${every10(ANTHROPIC, char)} and x${char}${every10(ANTHROPIC, char)}.`;
    const expected = `key ${maskSecret(ANTHROPIC)} and x${char}${maskSecret(ANTHROPIC)}.`;
    assert.equal(known.redact(line), expected, `U+${char.codePointAt(0)!.toString(16)}`);
    assert.equal(shapesOnly.redact(line), expected, `U+${char.codePointAt(0)!.toString(16)}, by shape`);
  }
  // Invisible characters elsewhere stay: emoji sequences keep their joiners and variation selectors.
  assert.equal(shapesOnly.redact('ok 👩\u200d💻 ✔\ufe0f'), 'ok 👩\u200d💻 ✔\ufe0f');
});

test("the composer's table of characters to scrub is exactly the non-ASCII ones of those that can hide in a key", () => {
  const lines = Array.from({ length: 0x110000 - 0x80 }, (_, index) => index + 0x80)
    .filter((code) => code < 0xd800 || code > 0xdfff)
    .map((code) => String.fromCodePoint(code));
  const chunk = Buffer.from(`${lines.map((char) => `a${char}b`).join('\n')}\n`);
  const scrubbed: string[] = [];
  for (let start = 0; start < chunk.length;) {
    const last = composer.load(chunk, start, chunk.length - 1);
    for (;;) {
      const stop = composer.run(false, composer.scratch.byteOffset, composer.scratch.length);
      if (stop === Stop.Slow && composer.slowScrub) scrubbed.push(chunk.toString('utf8', composer.slowStart + 1, composer.slowEnd - 1));
      if (stop === Stop.Done) break;
    }
    start = last + 1;
  }
  assert.deepEqual(
    scrubbed,
    HIDING_CHARS.filter((char) => char.codePointAt(0)! >= 0x80),
  );
});

test('a cut line does not keep the start of a labelled credential or token', () => {
  const redactor = new Redactor();
  assert.equal(redactor.redactCut('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer …');
  assert.equal(redactor.redactCut('"password": "hunt'), '"password": "…');
  assert.equal(redactor.redactCut('using ghp_A1b2C3'), 'using …');
  // Hidden characters in the tail do not save it.
  assert.equal(redactor.redactCut('using ghp_A1b\u200eC3'), 'using …');
  assert.equal(redactor.redactCut('"password": "hu\u2061nt'), '"password": "…');
  assert.equal(new Redactor([CUSTOM]).redactCut(`x ${CUSTOM.slice(0, 5)}\u034f${CUSTOM.slice(5, 12)}`), `x ${maskSecret(CUSTOM)}`);
});

test('through the log pipeline, a Bearer header and a known key split by CR never reach the file or the ring', async (t) => {
  const dir = tempDir(t);
  const pipeline = new LogPipeline({ logsDir: dir, redactor: new Redactor([CUSTOM]) });
  const sink = pipeline.input('runner', 'stderr');
  sink.end(`> Authorization: Bearer opaque-token-0123456789\nkey ${CUSTOM.slice(0, 10)}\r${CUSTOM.slice(10)} sent\n`);
  await new Promise((resolve) => sink.on('finish', resolve));
  await pipeline.close();
  const file = fs.readFileSync(path.join(dir, 'runner.log'), 'utf8');
  const ring = pipeline
    .recent()
    .map((entry) => entry.msg)
    .join('\n');
  for (const text of [file, ring]) {
    assert.ok(!text.includes('opaque-token') && !text.includes(CUSTOM.slice(10)), text);
    assert.ok(text.includes(`Bearer ${maskSecret('opaque-token-0123456789')}`) && text.includes(`key ${maskSecret(CUSTOM)} sent`), text);
  }
});

test('the byte scan flags every line whose shapes redact would mask (random lines)', () => {
  const pieces = [
    'sk-',
    'ant-api03-',
    'A1b2C3d4E5',
    'ghp_',
    'github_pat_',
    'AKIA',
    'ASIA',
    'IOSFODNN7EXAMPLE',
    'eyJ',
    'hbGciOi.',
    'Bearer ',
    'basic ',
    'api_key',
    'x-api-key',
    'TOKEN',
    'secret',
    'Password',
    'passwd',
    '"',
    "'",
    ':',
    '=',
    ' ',
    '\t',
    'value0123',
    'é',
    '-',
    '_',
    'key',
  ];
  let state = 7;
  const next = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const redactor = new Redactor();
  let masked = 0;
  for (let round = 0; round < 20_000; round++) {
    let line = '';
    for (let count = 1 + Math.floor(next() * 10); count > 0; count--) line += pieces[Math.floor(next() * pieces.length)];
    if (redactor.redact(line) === line) continue;
    masked++;
    assert.equal(composerScrubs(line), true, line);
  }
  assert.ok(masked > 1000, `only ${masked} lines had something to mask`);
});

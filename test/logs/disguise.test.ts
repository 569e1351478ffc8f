/**
 * Keys in disguise and forged lines, through the real headless host (issue 20, items 1, 2, 5):
 * a runner prints a key behind JSON escapes, with an escaped ESC inside it, with invisible
 * characters every 10 characters, and lines that a U+2028 or a bidi override would pass off as
 * the app's. Each is checked on the host's stdout, in runner.log, in `logs:recent` and in the
 * pushed `logs` events.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureRendererBuilt } from '../../src/main/headless/renderer-build.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { Scope } from '../support/e2e-host.ts';
import { runnerLogViews } from '../support/runner-log-views.ts';
import { HIDDEN_SAMPLE, KNOWN_KEY, LINE_BENDERS, UNKNOWN_TOKEN, disguiseLines, hex } from './fixtures/disguise-lines.ts';

const RUNNER = path.resolve(import.meta.dirname, 'fixtures/disguise-runner.ts');
/** What does not show, written independently of the code under test: removed before looking for a key, as a reader's eye does. */
const UNSEEN = /[\p{Default_Ignorable_Code_Point}\p{Cc}]/gu;
/** What breaks or reorders a line on screen, besides LF between lines. */
const BENDS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\p{Bidi_Control}\u2028\u2029]/u;

/** Every 8 characters of what the mask hides (all but the first 7 and last 4): none may show. */
const hiddenPieces = (secret: string): string[] => Array.from({ length: secret.length - 7 - 4 - 8 + 1 }, (_, index) => secret.slice(7 + index, 15 + index));

before(async () => {
  await ensureRendererBuilt();
});

test('a key behind JSON escapes or invisible characters, and a line forged with U+2028 or a bidi override, reach no view of the real host', async (t) => {
  const scope = new Scope(t);
  const { host, views, stdoutLines, runnerLog } = await runnerLogViews(scope, RUNNER, KNOWN_KEY, 'disguise done');
  const printed = disguiseLines().length;
  for (const [view, lines] of views) {
    assert.equal(lines.length, printed, `${view}: one line per line the runner printed`);
    const byId = (id: string) => {
      const line = lines.find((each) => new RegExp(`${id}(?![\\w-])`).test(each));
      assert.ok(line !== undefined, `${view} lost the line ${id}`);
      return line;
    };
    for (const line of lines) {
      const seen = line.replace(UNSEEN, '');
      for (const piece of [...hiddenPieces(KNOWN_KEY), ...hiddenPieces(UNKNOWN_TOKEN)]) {
        assert.ok(!seen.includes(piece), `${view} shows ${piece} of a key: ${JSON.stringify(line)}`);
      }
      assert.ok(!BENDS.test(line.replaceAll('\t', '')), `${view} holds a character that breaks or reorders the line: ${JSON.stringify(line)}`);
    }
    // Masked, not dropped: each disguised key reads as its mask.
    for (const id of ['json-escape', 'json-esc']) assert.ok(byId(id).includes(maskSecret(KNOWN_KEY)), `${view}: ${byId(id)}`);
    for (const id of ['json-escape-shape', 'json-esc-shape']) assert.ok(byId(id).includes(maskSecret(UNKNOWN_TOKEN)), `${view}: ${byId(id)}`);
    for (const code of HIDDEN_SAMPLE) {
      assert.ok(byId(`hidden-${hex(code)}`).includes(maskSecret(KNOWN_KEY)), `${view}: ${byId(`hidden-${hex(code)}`)}`);
      assert.ok(byId(`hidden-shape-${hex(code)}`).includes(maskSecret(UNKNOWN_TOKEN)), `${view}: ${byId(`hidden-shape-${hex(code)}`)}`);
      assert.ok(byId(`hidden-json-${hex(code)}`).includes(maskSecret(KNOWN_KEY)), `${view}: ${byId(`hidden-json-${hex(code)}`)}`);
    }
    for (const code of LINE_BENDERS) assert.ok(byId(`bender-${hex(code)}`).includes(`bender-${hex(code)} \ufffd|`), `${view}: ${byId(`bender-${hex(code)}`)}`);
    for (const id of ['forged-2028', 'forged-2029', 'forged-json']) {
      assert.ok(byId(id).includes('x\ufffd 2026-01-01T00:00:00.000Z ERROR [app] forged'), `${view}: ${byId(id)}`);
    }
    assert.ok(byId('forged-202e').includes('x\ufffd]ppa[ RORRE'), `${view}: ${byId('forged-202e')}`);
  }
  // The forged lines stay the runner's: behind its prefix on stdout, stdout lines in the file, runner entries in the window.
  for (const id of ['forged-2028', 'forged-2029', 'forged-json', 'forged-202e']) {
    assert.match(
      stdoutLines.find((line) => line.includes(id))!,
      /^\S+ [A-Z]+ +\[runner\] (?:x\ufffd|\{)/,
    );
    assert.match(
      runnerLog.find((line) => line.includes(id))!,
      /^\S+ [A-Z]+ +stdout (?:x\ufffd|\{)/,
    );
  }
  assert.ok(!host.lines().some((line) => /^\s*2026-01-01T00:00:00\.000Z/.test(line)), 'a stdout line starts with the forged timestamp');
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null });
});

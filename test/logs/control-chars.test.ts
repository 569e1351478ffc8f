/**
 * A runner cannot forge log lines: every control character but TAB it prints is made visible
 * (or, for escape sequences, removed) in what the real headless host writes to stdout, to the
 * log file and to the window.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureRendererBuilt } from '../../src/main/headless/renderer-build.ts';
import { neutralizeControls } from '../../src/main/logs/control-chars.ts';
import { Scope } from '../support/e2e-host.ts';
import { runnerLogViews } from '../support/runner-log-views.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../runner/fixtures/control-chars.ts');
/** Any control character but TAB. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

/** What each `ctl-XX` line must read as: C0 as its control picture, DEL as ␡, C1 as U+FFFD. */
function expectedText(code: number): string | undefined {
  if (code === 0x1b || code === 0x9b) return undefined; // ESC and CSI start sequences, which are removed
  if (code === 0x09) return '\t';
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  return code === 0x7f ? '\u2421' : '\ufffd';
}

const CODES = [...Array.from({ length: 0xa0 }, (_, code) => code)].filter((code) => code !== 0x0a && (code < 0x20 || code >= 0x7f));

before(async () => {
  await ensureRendererBuilt();
});

test('neutralizeControls keeps TAB and text, and makes every other control, bidi control and line separator visible', () => {
  assert.equal(neutralizeControls('a\tb ü ok'), 'a\tb ü ok');
  assert.equal(neutralizeControls('\u0000\u0007\r\n\u007f\u0085'), '␀␇␍␊␡\ufffd');
  // Bidi controls and the line and paragraph separators reorder or break a line: U+FFFD too.
  assert.equal(neutralizeControls('a\u2028b\u2029c\u202ed\u2066e\u061cf\u200eg'), 'a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg');
  // Other invisible characters stay: emoji keep their joiners and variation selectors.
  assert.equal(neutralizeControls('👩\u200d💻 ✔\ufe0f'), '👩\u200d💻 ✔\ufe0f');
});

test("every control character a runner prints is visible, not obeyed, on the real host's stdout, in runner.log and in the window", async (t) => {
  const scope = new Scope(t);
  const { host, views, stdoutLines, runnerLog, pushed } = await runnerLogViews(
    scope,
    FIXTURE,
    'sk-ant-api03-control-chars-test-key-0000000000',
    'controls done',
  );
  const byCode = (lines: string[], code: number) => lines.find((line) => line.includes(`ctl-${code.toString(16).padStart(2, '0')} `));
  for (const [view, lines] of views) {
    for (const line of lines) assert.ok(!CONTROL.test(line.replaceAll('\t', '')), `${view} holds a control character: ${JSON.stringify(line)}`);
    for (const code of CODES) {
      const line = byCode(lines, code);
      assert.ok(line !== undefined, `${view} lost the line of control 0x${code.toString(16)}`);
      const expected = expectedText(code);
      if (expected !== undefined) assert.ok(line.includes(`ctl-${code.toString(16).padStart(2, '0')} ${expected}|`), `${view}: ${JSON.stringify(line)}`);
    }
    const forged = lines.find((line) => line.includes('forged'));
    assert.ok(forged?.includes('␍2026-01-01T00:00:00.000Z ERROR [app] forged: open http://evil.example␈␈␈'), `${view}: ${JSON.stringify(forged)}`);
  }
  // The forged line stays the runner's: stdout shows it behind the runner prefix, the file as a stdout line.
  assert.match(
    stdoutLines.find((line) => line.includes('forged'))!,
    /^\S+ [A-Z]+ +\[runner\] ␍2026/,
  );
  assert.match(
    runnerLog.find((line) => line.includes('forged'))!,
    /^\S+ [A-Z]+ +stdout ␍2026/,
  );
  // JSON escapes that decode to controls are scrubbed in the entry as in a raw line: made
  // visible, and the C1 CSI sequence (`\u009b2J`) removed whole.
  const json = pushed.find((entry) => entry.msg.startsWith('json'));
  assert.deepEqual({ msg: json?.msg, fields: json?.fields }, { msg: 'json ␇  ␍', fields: { note: 'del ␡' } });
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null });
});

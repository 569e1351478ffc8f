/**
 * A runner cannot forge log lines: every control character but TAB it prints is made visible
 * (or, for escape sequences, removed) in what the real headless host writes to stdout, to the
 * log file and to the window.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureRendererBuilt } from '../../src/main/headless/renderer-build.ts';
import { neutralizeControls } from '../../src/main/logs/control-chars.ts';
import type { LogBatch, LogEntry } from '../../src/shared/logs.ts';
import { HOST_WAIT_MS, Scope, startHost, waitFor } from '../support/e2e-host.ts';
import { cleanEnv } from '../support/headless.ts';
import { connectUi } from '../support/websocket.ts';

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
  const userDataDir = scope.tempDir();
  const env = cleanEnv({ HOME: scope.tempDir(), ANTHROPIC_API_KEY: 'sk-ant-api03-control-chars-test-key-0000000000' });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir, '--runner-command', `${process.execPath} ${FIXTURE}`], env);
  const uiLine = await host.waitForLine('the UI to be ready', (line) => line.startsWith('UI ready: open '), 60_000);
  const ui = await connectUi(uiLine.slice('UI ready: open '.length));
  t.after(() => ui.close());
  // With --ui the runner waits for the setup on a first run; the window starts it.
  assert.equal((await ui.request('runner:start')).ok, true);
  await host.waitForLine('the runner output', (line) => line.endsWith('[runner] controls done'));

  // stdout: one line per runner line, each starting with the host's own prefix.
  const stdoutLines = host.lines().filter((line) => line.includes(' [runner] '));
  const byCode = (lines: string[], code: number) => lines.find((line) => line.includes(`ctl-${code.toString(16).padStart(2, '0')} `));
  const logFile = path.join(userDataDir, 'logs', 'runner.log');
  const runnerLog = await waitFor(
    'runner.log to hold the last runner line',
    () => {
      const lines = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(0, -1) : [];
      return lines.some((line) => line.endsWith(' controls done')) && lines;
    },
    HOST_WAIT_MS,
  );
  const recent = (await ui.request('logs:recent', { filter: { sources: ['runner'] }, limit: 1000 })) as { ok: boolean; value: LogBatch };
  assert.ok(recent.ok);
  const pushed = await waitFor(
    'the window to be sent the last runner line',
    () => {
      const entries = ui
        .events('logs')
        .flatMap((batch) => (batch as LogBatch).entries)
        .filter((entry) => entry.source === 'runner');
      return entries.some((entry) => entry.msg === 'controls done') && entries;
    },
    HOST_WAIT_MS,
  );
  const windowTexts = (entries: LogEntry[]) => entries.map((entry) => `${entry.msg} ${JSON.stringify(entry.fields ?? {})}`);
  const views: [string, string[]][] = [
    ['stdout', stdoutLines],
    ['runner.log', runnerLog],
    ['logs:recent', windowTexts(recent.value.entries)],
    ['logs event', windowTexts(pushed)],
  ];
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

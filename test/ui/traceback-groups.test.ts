/**
 * The log view folds a Python traceback into one error entry. The lines are what a real
 * python3 prints for a chained exception, not hand-written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { FilteredLogView, LogBuffer, groupSummary, type LogViewFilter } from '../../src/renderer/log-buffer.ts';
import { LOG_SOURCES, type LogEntry, type LogLevel, type LogSource, type LogStream } from '../../src/shared/logs.ts';

const FIXTURE = path.join(import.meta.dirname, '..', 'python', 'fixtures', 'traceback-then-sleep.py');
const ran = spawnSync('python3', [FIXTURE, '--once'], { encoding: 'utf8' });
/** The traceback as stderr lines, then the line the worker logs after it. */
const STDERR = ran.stderr.trimEnd().split('\n');

let seq = 0;
const entry = (msg: string, source: LogSource = 'runner', stream: LogStream = 'stderr', level: LogLevel = 'warn'): LogEntry => ({
  seq: seq++,
  ts: new Date(Date.UTC(2026, 0, 19, 7, 4, 59)).toISOString(),
  source,
  stream,
  level,
  msg,
});
const filter = (overrides: Partial<LogViewFilter> = {}): LogViewFilter => ({ sources: new Set(LOG_SOURCES), minLevel: 'trace', text: '', ...overrides });

/** A burst as the window gets it: the worker's stdout and the app's own line land amid the traceback. */
function burst(): LogBuffer {
  const buffer = new LogBuffer();
  const lines = STDERR.map((msg, index) =>
    index === 4
      ? [entry('worker: loading task', 'runner', 'stdout', 'info'), entry('Runner ready: ollama llama3.2', 'app', 'stdout', 'info'), entry(msg)]
      : [entry(msg)],
  );
  buffer.append(lines.flat(), 0);
  return buffer;
}

test('a chained traceback from python3 is one error entry whose text is the final exception line', () => {
  assert.equal(ran.status, 0, ran.stderr);
  assert.equal(STDERR[0], 'Traceback (most recent call last):');
  const buffer = burst();
  const view = new FilteredLogView(filter());
  const rows = view.sync(buffer).map((index) => buffer.at(index)!.msg);
  assert.deepEqual(rows, ['Traceback (most recent call last):', 'worker: loading task', 'Runner ready: ollama llama3.2', 'worker: still waiting for work']);

  const head = view.sync(buffer)[0]!;
  const grouped = view.lineAt(head);
  assert.equal(grouped.kind, 'head');
  if (grouped.kind !== 'head') return;
  assert.equal(groupSummary(buffer, grouped.group)?.msg, "RuntimeError: task 'forty-two' is not a number");
  assert.equal(grouped.group.members.length, STDERR.length - 2, 'every line but the head and the one after it is folded in');

  const unfolded = view.rows(buffer, view.sync(buffer), new Set([buffer.at(head)!.seq])).map((index) => buffer.at(index)!.msg);
  assert.deepEqual(
    unfolded.filter((msg) => msg !== 'worker: loading task' && msg !== 'Runner ready: ollama llama3.2'),
    STDERR,
    'unfolded, every line is there in order',
  );
});

test('the folded traceback matches a filter on any of its lines, and counts as an error', () => {
  const buffer = burst();
  for (const [overrides, expected] of [
    [{ text: 'ValueError' }, ['Traceback (most recent call last):']],
    [{ text: 'line 9, in parse' }, ['Traceback (most recent call last):']],
    [{ minLevel: 'error' as const }, ['Traceback (most recent call last):']],
    [{ text: 'still waiting' }, ['worker: still waiting for work']],
    [{ sources: new Set<LogSource>(['app']) }, ['Runner ready: ollama llama3.2']],
  ] as const) {
    const view = new FilteredLogView(filter(overrides));
    assert.deepEqual(
      view.sync(buffer).map((index) => buffer.at(index)!.msg),
      expected,
      JSON.stringify(overrides),
    );
  }
});

test('a traceback that arrives over several batches stays one entry, shown once its matching line arrives', () => {
  const buffer = new LogBuffer();
  const view = new FilteredLogView(filter({ text: 'RuntimeError' }));
  buffer.append(
    STDERR.slice(0, 3).map((msg) => entry(msg)),
    0,
  );
  assert.deepEqual(view.sync(buffer), [], 'nothing matches yet');
  buffer.append([entry('unrelated', 'app', 'stdout', 'info')], 0);
  buffer.append(
    STDERR.slice(3).map((msg) => entry(msg)),
    0,
  );
  const matches = view.sync(buffer);
  assert.equal(matches.length, 1);
  assert.equal(buffer.at(matches[0]!)!.msg, 'Traceback (most recent call last):');
});

test('an ordinary line that merely mentions a traceback is not grouped', () => {
  const buffer = new LogBuffer();
  buffer.append(
    [entry('retrying after Traceback (most recent call last): see above'), entry('  indented but plain'), entry('ValueError: not after a traceback')],
    0,
  );
  const view = new FilteredLogView(filter());
  assert.equal(view.sync(buffer).length, 3);
});

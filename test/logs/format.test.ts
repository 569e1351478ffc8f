import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogJson, formatLogText } from '../../src/main/logs/line-format.ts';
import type { LogEntry } from '../../src/shared/logs.ts';

const entry: LogEntry = {
  seq: 7,
  ts: '2025-01-02T03:04:05.678Z',
  source: 'runner',
  stream: 'stdout',
  level: 'warn',
  msg: 'slow',
  fields: { latency: 900, ts: 'runner time', source: 'x' },
};

test('JSON lines carry ts, source, level and msg first, and keep clashing fields with a _ prefix', () => {
  const line = formatLogJson(entry);
  assert.deepEqual(JSON.parse(line), {
    ts: '2025-01-02T03:04:05.678Z',
    source: 'runner',
    stream: 'stdout',
    level: 'warn',
    msg: 'slow',
    latency: 900,
    _ts: 'runner time',
    _source: 'x',
  });
  assert.ok(line.startsWith('{"ts":"2025-01-02T03:04:05.678Z","source":"runner"'));
});

test('text lines are one line with the fields as JSON', () => {
  assert.equal(formatLogText(entry), '2025-01-02T03:04:05.678Z WARN  [runner] slow {"latency":900,"ts":"runner time","source":"x"}');
  assert.equal(formatLogText({ ...entry, fields: undefined }), '2025-01-02T03:04:05.678Z WARN  [runner] slow');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levelFromNumber, levelFromText, parseBody, parseLine } from '../../src/main/logs/structured.ts';

test('pino numeric levels map to names, values in between round down', () => {
  assert.deepEqual([10, 20, 30, 40, 50, 60, 35, 70, 5].map(levelFromNumber), ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'info', 'fatal', 'trace']);
});

test('a pino line: level, msg, and every other field kept', () => {
  const line = '{"level":50,"time":1700000000000,"pid":42,"hostname":"box","msg":"task failed","taskId":"t-1","err":{"type":"Error"}}';
  assert.deepEqual(parseLine(line, 'stdout'), {
    level: 'error',
    msg: 'task failed',
    fields: { time: 1700000000000, pid: 42, hostname: 'box', taskId: 't-1', err: { type: 'Error' } },
  });
});

test('string levels (any case, Python and Go names) and message/event as text', () => {
  assert.deepEqual(parseLine('{"level":"WARNING","message":"slow model","latency_ms":900}', 'stdout'), {
    level: 'warn',
    msg: 'slow model',
    fields: { latency_ms: 900 },
  });
  assert.deepEqual(parseLine('{"event":"runner.ready","level":"critical"}', 'stdout'), { level: 'fatal', msg: 'runner.ready', fields: undefined });
  assert.deepEqual(parseLine('{"severity":"debug","msg":"x"}', 'stdout'), { level: 'debug', msg: 'x', fields: undefined });
});

test('a JSON object without level or text keeps all its fields and takes the stream level', () => {
  assert.deepEqual(parseLine('{"progress":0.5}', 'stdout'), { level: 'info', msg: '', fields: { progress: 0.5 } });
  assert.deepEqual(parseLine('{"level":"loud","msg":"?"}', 'stderr'), { level: 'warn', msg: '?', fields: { level: 'loud' } });
});

test('a stored line read back gives the message and fields parseLine gave when it was written, without its level', () => {
  for (const line of [
    '{"level":50,"time":1,"msg":"task failed","taskId":"t-1"}',
    '{"event":"runner.ready","level":"critical"}',
    '{"level":"loud","msg":"?"}',
    '{"progress":0.5}',
    'time=1 level=WARN msg="plain text, its level only in the head"',
  ]) {
    const { level: _level, ...body } = parseLine(line, 'stdout');
    assert.deepEqual(parseBody(line), body, line);
  }
});

test('lines that are not JSON objects stay text', () => {
  for (const line of ['{not json}', '[1,2]', '{"open":', ' {"level":50}', 'plain']) {
    assert.equal(parseLine(line, 'stdout').msg, line);
    assert.equal(parseLine(line, 'stdout').fields, undefined);
  }
});

test('text lines: a written level wins, then crash starts, then the stream', () => {
  assert.equal(levelFromText('time=2025-01-01T00:00:00Z level=WARN source=server.go msg="low vram"', 'stderr'), 'warn');
  assert.equal(levelFromText('time=… level=INFO msg="listening"', 'stderr'), 'info');
  assert.equal(levelFromText('WARNING:root:disk almost full', 'stderr'), 'warn');
  assert.equal(levelFromText('2025-01-01 10:00:00,123 - agent - ERROR - boom', 'stdout'), 'error');
  assert.equal(levelFromText('[DEBUG] cache miss', 'stdout'), 'debug');
  assert.equal(levelFromText('TypeError: x is not a function', 'stderr'), 'error');
  assert.equal(levelFromText('Traceback (most recent call last):', 'stderr'), 'error');
  assert.equal(levelFromText('panic: runtime error', 'stderr'), 'error');
  assert.equal(levelFromText('an error in prose is not a level', 'stdout'), 'info');
  assert.equal(levelFromText('    at main (file.js:1:1)', 'stderr'), 'warn');
});

test("Ollama's access log lines are debug detail unless the request failed", () => {
  const access = (status: number) => `[GIN] 2026/11/24 - 03:54:48 | ${status} |     4319.2µs |       127.0.0.1 | GET      "/api/version"`;
  assert.equal(levelFromText(access(200), 'stderr'), 'debug');
  assert.equal(levelFromText(access(404), 'stderr'), 'warn');
  assert.equal(levelFromText(access(500), 'stderr'), 'error');
  assert.equal(levelFromText('INFORMATIONAL is not INFO', 'stdout'), 'info');
});

test("Python's logging default and common formats, and structlog's renderers, name their level (read on stdout, whose default is info)", () => {
  const cases: [string, string][] = [
    ['ERROR:root:connection refused', 'error'],
    ['WARNING:worker.jobs:retrying in 2 s', 'warn'],
    ['CRITICAL:root:cannot continue', 'fatal'],
    ['DEBUG:urllib3.connectionpool:Starting new HTTP connection (1): localhost:11434', 'debug'],
    ['2026-01-19 07:04:59,123 - worker - WARNING - msg', 'warn'],
    ['2026-01-19 07:04:59,123 - agent.runner - ERROR - task failed', 'error'],
    ['[2026-01-19 07:04:59,123] ERROR in app: boom', 'error'],
    ['level=warning event=retrying attempt=2', 'warn'],
    ['timestamp=2026-01-19T07:04:59Z level=error event="model call failed"', 'error'],
    ['2026-01-19 07:04:59 [warning  ] retrying                       attempt=2', 'warn'],
    ['2026-01-19T07:04:59.123Z [error    ] model call failed', 'error'],
    ['2026-01-19 07:04:59 [debug    ] payload                        size=12', 'debug'],
  ];
  for (const [line, level] of cases) assert.equal(parseLine(line, 'stdout').level, level, line);
  assert.deepEqual(parseLine('{"event": "retrying", "level": "warning", "timestamp": "2026-01-19T07:04:59Z", "attempt": 2}', 'stdout'), {
    level: 'warn',
    msg: 'retrying',
    fields: { timestamp: '2026-01-19T07:04:59Z', attempt: 2 },
  });
  assert.deepEqual(parseLine('{"asctime": "2026-01-19", "levelname": "ERROR", "message": "task failed"}', 'stdout'), {
    level: 'error',
    msg: 'task failed',
    fields: { asctime: '2026-01-19' },
  });
  // Ordinary words in brackets or lower case are not levels.
  assert.equal(parseLine('processed [items ] without an error', 'stdout').level, 'info');
});

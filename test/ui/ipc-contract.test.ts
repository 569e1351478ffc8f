import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMAND_NAMES, parseCommand, parseEvent, parseResponse, type CommandFailure } from '../../src/shared/ipc.ts';
import { LIMITS } from '../../src/shared/limits.ts';
import { appStateFixture } from '../support/app-state-fixture.ts';

const failure = (result: ReturnType<typeof parseCommand>): CommandFailure => {
  assert.equal(result.ok, false, 'expected the payload to be rejected');
  return result.error;
};

test('valid payloads are accepted and trimmed', () => {
  const parsed = parseCommand('config:set-model', { provider: 'ollama', model: '  llama3.2:latest ' });
  assert.deepEqual(parsed, { ok: true, command: 'config:set-model', payload: { provider: 'ollama', model: 'llama3.2:latest' } });
  assert.equal(parseCommand('state:get', undefined).ok, true, 'a command without payload may omit it');
  assert.equal(parseCommand('keys:set', { provider: 'openai', key: `sk-${'a'.repeat(LIMITS.apiKey - 3)}` }).ok, true);
  assert.equal(parseCommand('runner:set-command', { command: null }).ok, true);
  assert.equal(parseCommand('logs:recent', { limit: 5000, filter: { sources: ['runner', 'app'], minLevel: 'warn', text: 'timeout' } }).ok, true);
  assert.equal(parseCommand('ollama:set-options', { modelsDir: '/data/models', contextLength: 8192, keepAlive: '-1', exposeToNetwork: true }).ok, true);
});

test('unknown commands name themselves and list the known ones', () => {
  const error = failure(parseCommand('shell:exec', { cmd: 'rm -rf /' }));
  assert.match(error.message, /^Unknown command "shell:exec"\. Known commands: state:get, /);
  for (const name of COMMAND_NAMES) assert.ok(error.message.includes(name));
  assert.match(failure(parseCommand(42, {})).message, /Unknown command of type number/);
  assert.match(failure(parseCommand('__proto__', {})).message, /Unknown command "__proto__"/);
  assert.match(failure(parseCommand('toString', {})).message, /Unknown command "toString"/);
});

test('wrong types are rejected with the command and the field', () => {
  const provider = failure(parseCommand('config:set-provider', { provider: 'olama' }));
  assert.equal(provider.command, 'config:set-provider');
  assert.equal(provider.field, 'provider');
  assert.match(provider.message, /^Invalid payload for "config:set-provider": provider: /);

  const nested = failure(parseCommand('logs:recent', { limit: 10, filter: { minLevel: 'loud' } }));
  assert.equal(nested.field, 'filter.minLevel');

  const context = failure(parseCommand('ollama:set-options', { modelsDir: null, contextLength: '8k', keepAlive: null, exposeToNetwork: false }));
  assert.equal(context.field, 'contextLength');

  const extra = failure(parseCommand('runner:start', { force: true }));
  assert.match(extra.message, /Invalid payload for "runner:start"/);
  assert.match(extra.message, /force/);

  const ollamaKey = failure(parseCommand('keys:set', { provider: 'ollama', key: 'sk-whatever-1234567890' }));
  assert.equal(ollamaKey.field, 'provider');
  assert.ok(!ollamaKey.message.includes('sk-whatever'), 'a rejected key is never echoed');

  assert.equal(failure(parseCommand('playground:run', { prompt: '   ' })).field, 'prompt');
  assert.equal(failure(parseCommand('config:set-provider', 'anthropic')).command, 'config:set-provider');
});

test('oversized strings are rejected, naming the field', () => {
  const cases: Array<[string, unknown, string]> = [
    ['playground:run', { prompt: 'p'.repeat(LIMITS.prompt + 1) }, 'prompt'],
    ['keys:set', { provider: 'anthropic', key: 'k'.repeat(LIMITS.apiKey + 1) }, 'key'],
    ['config:set-model', { provider: 'openai', model: 'm'.repeat(LIMITS.model + 1) }, 'model'],
    ['runner:set-command', { command: 'c'.repeat(LIMITS.command + 1) }, 'command'],
    ['logs:recent', { limit: 1, filter: { text: 't'.repeat(LIMITS.logFilterText + 1) } }, 'filter.text'],
    ['logs:recent', { limit: LIMITS.logRecentEntries + 1 }, 'limit'],
  ];
  for (const [name, payload, field] of cases) {
    const error = failure(parseCommand(name, payload));
    assert.equal(error.field, field, name);
    assert.match(error.message, new RegExp(`Invalid payload for "${name}": ${field.replace('.', '\\.')}: Too big`), name);
    assert.ok(error.message.length < 400, 'the message does not echo the oversized value');
  }
  assert.equal(parseCommand('playground:run', { prompt: 'p'.repeat(LIMITS.prompt) }).ok, true, 'exactly at the limit is fine');
});

test('answers and events are checked, and unknown keys never pass', () => {
  const state = parseResponse('state:get', { ...appStateFixture(), rawAnthropicKey: 'sk-ant-full' });
  assert.equal('rawAnthropicKey' in state, false);
  assert.throws(() => parseResponse('keys:validate', { outcome: 'valid' }), /The answer to "keys:validate" does not match the contract/);
  assert.throws(() => parseEvent('logs', { entries: [], skipped: -1 }), /The "logs" event does not match the contract: skipped/);
  const event = parseEvent('playground', { type: 'delta', taskId: 't-1', text: 'Hel', key: 'x' });
  assert.deepEqual(event, { type: 'delta', taskId: 't-1', text: 'Hel' });
});

test('logs:read-files takes known sources, ISO timestamps and a bounded limit, nothing else', () => {
  const window = { sources: ['runner', 'app'], fromTs: '2026-01-19T07:04:59.123Z', toTs: '2026-01-19T07:05:00.000Z', limit: 5000, end: 'oldest' };
  assert.equal(parseCommand('logs:read-files', window).ok, true);
  for (const [payload, field] of [
    [{ ...window, sources: ['runner', 'kernel'] }, 'sources.1'],
    [{ ...window, sources: [] }, 'sources'],
    [{ ...window, fromTs: 'yesterday' }, 'fromTs'],
    [{ ...window, limit: LIMITS.logFileLines + 1 }, 'limit'],
    [{ ...window, end: 'middle' }, 'end'],
    [{ ...window, path: '/etc/passwd' }, ''],
  ] as const) {
    const error = failure(parseCommand('logs:read-files', payload));
    assert.equal(error.field ?? '', field, JSON.stringify(payload));
  }
});

test('logs:search takes a non-empty bounded text, known sources, a bounded page and a bounded cursor, nothing else', () => {
  const search = { query: 'timeout', sources: ['runner'], minLevel: 'warn', limit: 200 };
  assert.equal(parseCommand('logs:search', search).ok, true);
  for (const [payload, field] of [
    [{ ...search, query: '   ' }, 'query'],
    [{ ...search, query: 'x'.repeat(LIMITS.logFilterText + 1) }, 'query'],
    [{ ...search, sources: [] }, 'sources'],
    [{ ...search, limit: LIMITS.logSearchMatches + 1 }, 'limit'],
    [{ ...search, cursor: 'c'.repeat(LIMITS.logSearchCursor + 1) }, 'cursor'],
    [{ ...search, logsDir: '/etc' }, ''],
  ] as const) {
    const error = failure(parseCommand('logs:search', payload));
    assert.equal(error.field ?? '', field, JSON.stringify(payload));
  }
});

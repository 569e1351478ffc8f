/**
 * The Playground's conversation as data (src/renderer/conversation.ts): what history a new prompt
 * carries (answered and stopped turns, not failed ones, the newest within the protocol's bounds),
 * how runner events change the turns, and the transcript the user saves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEvent, historyFor, transcript, transcriptFileName, type Turn } from '../../src/renderer/conversation.ts';
import { MAX_HISTORY_CHARS } from '../../src/shared/runner-protocol.ts';

const done = (taskId: string) =>
  ({
    type: 'done',
    taskId,
    provider: 'ollama',
    model: 'llama3.2:latest',
    usage: { inputTokens: 3, outputTokens: 4 },
    latencyMs: 1500,
    firstTokenMs: 90,
  }) as const;
const turn = (n: number, patch: Partial<Turn> = {}): Turn => ({
  n,
  prompt: `q${n}`,
  taskId: `t${n}`,
  answer: `a${n}`,
  done: done(`t${n}`),
  error: null,
  withHistory: true,
  ...patch,
});

test('history: answered and stopped turns go, oldest first; a failed or unanswered turn and the one streaming do not', () => {
  const turns = [
    turn(1),
    turn(2, { done: null, error: { type: 'error', taskId: 't2', code: 'server', message: 'boom' }, answer: '' }),
    turn(3, { done: null, error: { type: 'error', taskId: 't3', code: 'cancelled', message: 'cancelled' }, answer: 'part' }),
    turn(4, { done: null, answer: 'still coming' }),
  ];
  assert.deepEqual(historyFor(turns), [
    { role: 'user', content: 'q1' },
    { role: 'assistant', content: 'a1' },
    { role: 'user', content: 'q3' },
    { role: 'assistant', content: 'part' },
  ]);
});

test('history keeps the newest turns that fit the protocol’s character bound', () => {
  const big = 'x'.repeat(MAX_HISTORY_CHARS / 2);
  const history = historyFor([turn(1, { answer: big }), turn(2, { answer: big }), turn(3)]);
  assert.deepEqual(
    history.map((message) => message.content.slice(0, 3)),
    ['q2', 'xxx', 'q3', 'a3'],
  );
});

test('events reach only their own turn, and nothing after it ended', () => {
  let turns: readonly Turn[] = [turn(1), turn(2, { done: null, answer: '' })];
  turns = applyEvent(turns, { type: 'delta', taskId: 't2', text: 'Hel' });
  turns = applyEvent(turns, { type: 'delta', taskId: 't2', text: 'lo' });
  turns = applyEvent(turns, { type: 'delta', taskId: 'elsewhere', text: '!' });
  turns = applyEvent(turns, done('t2'));
  turns = applyEvent(turns, { type: 'delta', taskId: 't2', text: ' late' });
  assert.equal(turns[1]?.answer, 'Hello');
  assert.equal(turns[0]?.answer, 'a1');
});

test('the transcript has every prompt and answer with who answered how fast, and a safe file name', () => {
  const at = new Date('2026-12-07T08:15:30Z');
  const text = transcript([turn(1), turn(2, { done: null, error: { type: 'error', taskId: 't2', code: 'cancelled', message: 'x' }, answer: 'par' })], at);
  assert.match(text, /## You\n\nq1\n\n## Answer\n\na1\n\n_Ollama · llama3\.2:latest · 1\.50 s \(first token 90 ms\) · 3 in, 4 out tokens_/);
  assert.match(text, /q2\n\n## Answer\n\npar\n\n_Stopped\._/);
  assert.equal(transcriptFileName(at), 'stigmer-playground-2026-12-07-0815.md');
});

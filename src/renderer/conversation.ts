import type { PlaygroundEvent } from '../shared/ipc.ts';
import { PROVIDER_SPECS } from '../shared/providers.ts';
import { MAX_HISTORY_CHARS, MAX_HISTORY_MESSAGES, type HistoryMessage } from '../shared/runner-protocol.ts';
import { formatLatency } from './format.ts';

/**
 * The Playground's conversation, as pure data: turns, how runner events change them, the history
 * a new prompt carries, and the transcript the user may save. It lives in the window's memory
 * only; Clear or a reload forgets it.
 */

type Done = Extract<PlaygroundEvent, { type: 'done' }>;
type Failed = Extract<PlaygroundEvent, { type: 'error' }>;

export interface Turn {
  /** Stable within the session, for keys and labels. */
  n: number;
  prompt: string;
  /** Null until the runner took the task. */
  taskId: string | null;
  answer: string;
  done: Done | null;
  error: Failed | null;
  /** The runner was given the conversation before this prompt (false: it answered the prompt alone). */
  withHistory: boolean;
}

export const isStreaming = (turn: Turn): boolean => turn.done === null && turn.error === null;
export const wasStopped = (turn: Turn): boolean => turn.error?.code === 'cancelled';

/** The turns after a runner event; an event for a task no turn holds changes nothing. */
export function applyEvent(turns: readonly Turn[], event: PlaygroundEvent): readonly Turn[] {
  const index = turns.findIndex((turn) => turn.taskId === event.taskId);
  const turn = turns[index];
  if (!turn || !isStreaming(turn)) return turns;
  const next: Turn =
    event.type === 'delta' ? { ...turn, answer: turn.answer + event.text } : event.type === 'done' ? { ...turn, done: event } : { ...turn, error: event };
  return turns.map((existing, at) => (at === index ? next : existing));
}

/**
 * What the model is told came before a new prompt, oldest first: every turn that got an answer
 * (a stopped one with the part the user saw), the newest that fit the protocol's bounds. A turn
 * that failed without text is left out: the model never answered it.
 */
export function historyFor(turns: readonly Turn[]): HistoryMessage[] {
  const pairs: HistoryMessage[][] = [];
  let chars = 0;
  for (const turn of [...turns].reverse()) {
    if (isStreaming(turn) || turn.answer === '' || (turn.error && !wasStopped(turn))) continue;
    const size = turn.prompt.length + turn.answer.length;
    if (chars + size > MAX_HISTORY_CHARS || (pairs.length + 1) * 2 > MAX_HISTORY_MESSAGES) break;
    chars += size;
    pairs.unshift([
      { role: 'user', content: turn.prompt },
      { role: 'assistant', content: turn.answer },
    ]);
  }
  return pairs.flat();
}

/** "Ollama · llama3.2:latest · 1.24 s (first token 180 ms) · 14 in, 8 out tokens". */
export function describeAnswer(done: Done): string {
  const first = done.firstTokenMs === null ? '' : ` (first token ${formatLatency(done.firstTokenMs)})`;
  return `${PROVIDER_SPECS[done.provider].label} · ${done.model} · ${formatLatency(done.latencyMs)}${first} · ${done.usage.inputTokens} in, ${done.usage.outputTokens} out tokens`;
}

/** The conversation as Markdown, for "Save transcript". */
export function transcript(turns: readonly Turn[], savedAt: Date): string {
  const lines = [`# Stigmer Playground transcript`, '', `Saved ${savedAt.toISOString()}.`, ''];
  for (const turn of turns) {
    lines.push(`## You`, '', turn.prompt, '', `## Answer`, '', turn.answer === '' ? '_(no text)_' : turn.answer, '');
    if (turn.done) lines.push(`_${describeAnswer(turn.done)}_`, '');
    else if (wasStopped(turn)) lines.push('_Stopped._', '');
    else if (turn.error) lines.push(`_Failed: ${turn.error.message}_`, '');
  }
  return lines.join('\n');
}

/** `stigmer-playground-2026-12-07-0815.md`: sortable, and safe on every file system. */
export const transcriptFileName = (savedAt: Date): string => `stigmer-playground-${savedAt.toISOString().slice(0, 16).replace('T', '-').replace(':', '')}.md`;

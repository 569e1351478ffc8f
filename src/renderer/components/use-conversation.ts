import { useEffect, useRef, useState } from 'preact/hooks';
import type { PlaygroundEvent } from '../../shared/ipc.ts';
import { applyEvent, historyFor, isStreaming, type Turn } from '../conversation.ts';
import { useStore } from '../store.ts';

export interface Conversation {
  turns: readonly Turn[];
  /** The turn still being answered, if any. */
  streaming: Turn | null;
  send: (prompt: string) => Promise<void>;
  stop: () => Promise<void>;
  /** Stops an answer in flight and forgets the conversation. */
  clear: () => Promise<void>;
}

/**
 * The Playground's conversation for this window's session: each prompt goes through the runner's
 * task channel with the turns before it, and `playground` events stream its answer in. Without
 * `history`, each prompt is asked afresh (setup's first prompt, and its "Ask again").
 */
export function useConversation({ history: remember = true }: { history?: boolean } = {}): Conversation {
  const { bridge } = useStore();
  const [turns, setTurns] = useState<readonly Turn[]>([]);
  const counter = useRef(0);
  /** Events that came before `playground:run` answered with their task's id (the answer may race the first delta). */
  const early = useRef<PlaygroundEvent[]>([]);

  useEffect(
    () =>
      bridge.on('playground', (event) => {
        setTurns((current) => {
          if (current.some((turn) => turn.taskId === event.taskId)) return applyEvent(current, event);
          // Bounded: only the answer to a prompt just sent can be early.
          if (current.some((turn) => turn.taskId === null)) early.current = [...early.current.slice(-999), event];
          return current;
        });
      }),
    [bridge],
  );

  const send = async (prompt: string) => {
    const n = ++counter.current;
    const history = remember ? historyFor(turns) : [];
    setTurns((current) => [...current, { n, prompt, taskId: null, answer: '', done: null, error: null, withHistory: false }]);
    try {
      const { taskId, withHistory } = await bridge.invoke('playground:run', { prompt, ...(history.length > 0 ? { history } : {}) });
      const pending = early.current.filter((event) => event.taskId === taskId);
      early.current = [];
      setTurns((current) =>
        pending.reduce(
          applyEvent,
          current.map((turn) => (turn.n === n ? { ...turn, taskId, withHistory } : turn)),
        ),
      );
    } catch (error) {
      // The runner never took it: the prompt goes back to the box, not into the conversation.
      setTurns((current) => current.filter((turn) => turn.n !== n));
      throw error;
    }
  };

  const streaming = turns.find(isStreaming) ?? null;
  const stop = async () => {
    if (streaming?.taskId) await bridge.invoke('playground:cancel', { taskId: streaming.taskId });
  };
  const clear = async () => {
    await stop();
    early.current = [];
    setTurns([]);
  };
  return { turns, streaming, send, stop, clear };
}

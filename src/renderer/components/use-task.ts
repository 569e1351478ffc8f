import { useEffect, useRef, useState } from 'preact/hooks';
import type { PlaygroundEvent } from '../../shared/ipc.ts';
import { useStore } from '../store.ts';

type Done = Extract<PlaygroundEvent, { type: 'done' }>;
type Failed = Extract<PlaygroundEvent, { type: 'error' }>;

export interface Exchange {
  taskId: string;
  answer: string;
  done: Done | null;
  error: Failed | null;
}

/**
 * One prompt sent through the runner and its streamed answer (`playground` events), as the
 * playground and the wizard's last step show it.
 */
export function useTask(): { exchange: Exchange | null; streaming: boolean; send: (prompt: string) => Promise<void> } {
  const { bridge } = useStore();
  const [exchange, setExchange] = useState<Exchange | null>(null);
  const taskId = useRef<string | null>(null);

  useEffect(
    () =>
      bridge.on('playground', (event) => {
        if (event.taskId !== taskId.current) return;
        setExchange((current) => {
          if (!current) return current;
          if (event.type === 'delta') return { ...current, answer: current.answer + event.text };
          if (event.type === 'done') return { ...current, done: event };
          return { ...current, error: event };
        });
      }),
    [bridge],
  );

  const send = async (prompt: string) => {
    const started = await bridge.invoke('playground:run', { prompt });
    taskId.current = started.taskId;
    setExchange({ taskId: started.taskId, answer: '', done: null, error: null });
  };
  const streaming = exchange !== null && exchange.done === null && exchange.error === null;
  return { exchange, streaming, send };
}

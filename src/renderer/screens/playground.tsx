import { useEffect, useRef, useState } from 'preact/hooks';
import { activeProviderLabel } from '../../shared/provider-availability.ts';
import { LIMITS } from '../../shared/limits.ts';
import { ActionError, Card, Problem, StatusPill, useAction } from '../components/ui.tsx';
import { useConversation } from '../components/use-conversation.ts';
import { describeAnswer, isStreaming, transcript, transcriptFileName, wasStopped, type Turn } from '../conversation.ts';
import { useAppState } from '../store.ts';

/** How long "Copied" shows on a Copy button. */
const COPIED_MS = 2000;

function TurnView({ turn }: { turn: Turn }) {
  const [copied, setCopied] = useState(false);
  const [copy, copyState] = useAction();
  const streaming = isStreaming(turn);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);
  const status = streaming ? (
    <StatusPill tone="working">Streaming</StatusPill>
  ) : wasStopped(turn) ? (
    <StatusPill tone="neutral">Stopped</StatusPill>
  ) : turn.error ? (
    <StatusPill tone="error">Failed</StatusPill>
  ) : null;
  return (
    <li class="turn" aria-label={`Exchange ${turn.n}`}>
      <p class="turn__prompt">
        <span class="visually-hidden">You: </span>
        {turn.prompt}
      </p>
      <div class="turn__answer">
        <div class="answer" aria-busy={streaming} data-testid="answer">
          {turn.answer || (streaming ? <span class="muted">Waiting for the first token…</span> : null)}
        </div>
        <div class="turn__meta">
          {status}
          {turn.done ? <span class="turn__stats">{describeAnswer(turn.done)}</span> : null}
          {turn.answer !== '' && !streaming ? (
            <button
              type="button"
              class="button"
              onClick={() =>
                void copy(async () => {
                  await navigator.clipboard.writeText(turn.answer);
                  setCopied(true);
                })
              }
            >
              {copied ? 'Copied' : 'Copy'}
              <span class="visually-hidden"> answer {turn.n}</span>
            </button>
          ) : null}
        </div>
        {turn.error && !wasStopped(turn) ? <Problem message={turn.error.message} fix={turn.error.fix} /> : null}
        <ActionError state={copyState} />
      </div>
    </li>
  );
}

/** Hands the transcript to the browser as a download: it lands in Downloads, or where the user picks. */
function saveTranscript(turns: readonly Turn[]): void {
  const now = new Date();
  const url = URL.createObjectURL(new Blob([transcript(turns, now)], { type: 'text/markdown' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = transcriptFileName(now);
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function PlaygroundScreen() {
  const state = useAppState();
  const [prompt, setPrompt] = useState('');
  const { turns, streaming, send: sendPrompt, stop, clear } = useConversation();
  const [run, action] = useAction();
  const box = useRef<HTMLTextAreaElement>(null);
  const runnerReady = state.runner.state === 'running';
  const last = turns.at(-1);
  const canSend = !action.busy && streaming === null && prompt.trim() !== '';

  const send = () =>
    run(async () => {
      await sendPrompt(prompt);
      setPrompt('');
    });

  return (
    <div class="screen">
      <div class="grid grid--single">
        <Card
          title="Conversation"
          actions={
            turns.length > 0 ? (
              <>
                <button type="button" class="button" onClick={() => saveTranscript(turns)}>
                  Save transcript
                </button>
                <button
                  type="button"
                  class="button"
                  onClick={() =>
                    void run(async () => {
                      await clear();
                      box.current?.focus();
                    })
                  }
                >
                  Clear
                </button>
              </>
            ) : null
          }
        >
          <p class="hint">
            Sent through the runner to {activeProviderLabel(state.config)} · <span class="mono">{state.config.model.value}</span>. The conversation lasts for
            this session; Clear starts a new one.
          </p>
          {!runnerReady ? <Problem tone="warning" message="The runner is not running." fix="Start it on the Overview page, then send your prompt." /> : null}
          {last && !last.withHistory && last.taskId !== null ? (
            <Problem
              tone="info"
              message="This runner answers each prompt on its own: it did not say it reads the conversation."
              fix={`A runner given the control channel gets the earlier turns in a task's "history" once its "ready" says "history": true.`}
            />
          ) : null}
          {turns.length > 0 ? (
            <ol class="turns" aria-label="Conversation" aria-live="polite">
              {turns.map((turn) => (
                <TurnView key={turn.n} turn={turn} />
              ))}
            </ol>
          ) : null}
          <form
            class="form"
            onSubmit={(event) => {
              event.preventDefault();
              if (canSend) void send();
            }}
          >
            <label class="visually-hidden" for="prompt">
              Prompt
            </label>
            <textarea
              id="prompt"
              ref={box}
              rows={4}
              maxLength={LIMITS.prompt}
              placeholder={turns.length > 0 ? 'Reply… (Ctrl+Enter to send)' : 'Ask something… (Ctrl+Enter to send)'}
              value={prompt}
              onInput={(event) => setPrompt(event.currentTarget.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && canSend) {
                  event.preventDefault();
                  void send();
                }
              }}
            />
            <div class="form__actions">
              <button type="submit" class="button button--primary" disabled={!canSend}>
                Send
              </button>
              {streaming?.taskId ? (
                <button type="button" class="button" onClick={() => void run(stop)}>
                  Stop
                </button>
              ) : null}
            </div>
          </form>
          <ActionError state={action} />
        </Card>
      </div>
    </div>
  );
}

import { activeProviderLabel } from '../../shared/provider-availability.ts';
import { useState } from 'preact/hooks';
import { PROVIDER_SPECS } from '../../shared/providers.ts';
import { ActionError, Card, Problem, Row, StatusPill, useAction } from '../components/ui.tsx';
import { useTask } from '../components/use-task.ts';
import { formatLatency } from '../format.ts';
import { useAppState, useStore } from '../store.ts';
import { LIMITS } from '../../shared/limits.ts';

export function PlaygroundScreen() {
  const { bridge } = useStore();
  const state = useAppState();
  const [prompt, setPrompt] = useState('');
  const { exchange, streaming, send: sendTask } = useTask();
  const [run, action] = useAction();
  const runnerReady = state.runner.state === 'running';

  const send = () => run(() => sendTask(prompt));

  return (
    <div class="screen">
      <div class="grid grid--single">
        <Card title="Prompt">
          <p class="hint">
            Sent through the runner to {activeProviderLabel(state.config)} · <span class="mono">{state.config.model.value}</span>
          </p>
          {!runnerReady ? <Problem tone="warning" message="The runner is not running." fix="Start it on the Overview page, then send your prompt." /> : null}
          <form
            class="form"
            onSubmit={(event) => {
              event.preventDefault();
              void send();
            }}
          >
            <label class="visually-hidden" for="prompt">
              Prompt
            </label>
            <textarea
              id="prompt"
              rows={5}
              maxLength={LIMITS.prompt}
              placeholder="Ask something… (Ctrl+Enter to send)"
              value={prompt}
              onInput={(event) => setPrompt(event.currentTarget.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && prompt.trim() !== '' && !streaming) {
                  event.preventDefault();
                  void send();
                }
              }}
            />
            <div class="form__actions">
              <button type="submit" class="button button--primary" disabled={action.busy || streaming || prompt.trim() === ''}>
                Send
              </button>
              {streaming && exchange ? (
                <button type="button" class="button" onClick={() => void run(() => bridge.invoke('playground:cancel', { taskId: exchange.taskId }))}>
                  Cancel
                </button>
              ) : null}
            </div>
          </form>
          <ActionError state={action} />
        </Card>
        {exchange ? (
          <Card
            title="Answer"
            actions={
              streaming ? (
                <StatusPill tone="working">Streaming</StatusPill>
              ) : exchange.error ? (
                <StatusPill tone="error">Failed</StatusPill>
              ) : (
                <StatusPill tone="ok">Done</StatusPill>
              )
            }
          >
            <div class="answer" aria-live="polite" aria-busy={streaming} data-testid="answer">
              {exchange.answer || (streaming ? <span class="muted">Waiting for the first token…</span> : null)}
            </div>
            {exchange.error ? <Problem message={exchange.error.message} fix={exchange.error.fix} /> : null}
            {exchange.done ? (
              <dl class="rows rows--compact stats">
                <Row label="Provider">{PROVIDER_SPECS[exchange.done.provider].label}</Row>
                <Row label="Model">
                  <span class="mono">{exchange.done.model}</span>
                </Row>
                <Row label="Latency">{formatLatency(exchange.done.latencyMs)}</Row>
                <Row label="First token">{exchange.done.firstTokenMs === null ? '—' : formatLatency(exchange.done.firstTokenMs)}</Row>
                <Row label="Tokens">
                  {exchange.done.usage.inputTokens} in · {exchange.done.usage.outputTokens} out
                </Row>
              </dl>
            ) : null}
          </Card>
        ) : null}
      </div>
    </div>
  );
}

import type { ComponentChildren } from 'preact';
import type { AppState } from '../../shared/state-schema.ts';
import { isOllamaModelInstalled } from '../../shared/model-catalog.ts';
import { PROVIDER_SPECS } from '../../shared/providers.ts';
import { PullProgress } from '../components/download-progress.tsx';
import { ProblemList, type OpenAction } from '../components/problem-list.tsx';
import { ActionError, Problem, buttonClass, Row, StatusPill, useAction } from '../components/ui.tsx';
import { useConversation } from '../components/use-conversation.ts';
import { formatLatency } from '../format.ts';
import { lastStepPrimary, leadingFix, runnerStatus } from '../status.ts';
import { useStore } from '../store.ts';
import { problemsForStep } from '../wizard-problems.ts';

/** What the last step asks, so the user sees the whole chain answer. */
const FIRST_PROMPT = 'Say hello in one short sentence and name the model you are.';

/** The download of the configured Ollama model, while it is in progress. */
export function configuredDownload(state: AppState) {
  if (state.config.provider.value !== 'ollama') return undefined;
  return state.downloads.find((download) => download.state === 'pulling' && isOllamaModelInstalled(state.config.model.value, [download.model]));
}

/**
 * Setup's last step: start the runner, ask it a first prompt, Finish. `frame` lays the body and
 * the footer (Back, then Finish) out as every step does.
 */
export function LastStep({
  state,
  onOpen,
  onFinish,
  frame,
}: {
  state: AppState;
  onOpen: OpenAction;
  onFinish: () => Promise<void>;
  frame: (body: ComponentChildren, forward: ComponentChildren) => ComponentChildren;
}) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const { turns, streaming, send } = useConversation({ history: false });
  // The last prompt sent: "Ask again" shows only its answer.
  const exchange = turns.at(-1) ?? null;
  const download = configuredDownload(state);
  const status = runnerStatus(state.runner, Date.now());
  const problems = problemsForStep(state.problems, 'runner');
  // A stuck runner's problem carries Retry; the button below is for a stop with no reported cause.
  const stuck = (state.runner.state === 'failed' || state.runner.state === 'crash-loop') && problems.length === 0;
  // A problem's fix, when one is to be done first, is the step's one primary button.
  const fix = leadingFix(problems);
  const primary =
    fix === null ? lastStepPrimary({ runner: state.runner.state, stuck, downloading: download !== undefined, answered: exchange?.done != null }) : null;
  const body = (
    <>
      <div class="status-line">
        <StatusPill tone={status.tone}>{status.text}</StatusPill>
        <span>{state.runner.state === 'running' ? `The runner is up (pid ${state.runner.pid}).` : state.runner.reason}</span>
      </div>
      {state.runner.state === 'stopped' ? (
        <button type="button" class={buttonClass(primary === 'start')} disabled={action.busy} onClick={() => void run(() => bridge.invoke('runner:start', {}))}>
          Start runner
        </button>
      ) : null}
      {stuck ? (
        <button type="button" class={buttonClass(primary === 'retry')} disabled={action.busy} onClick={() => void run(() => bridge.invoke('runner:retry', {}))}>
          Retry
        </button>
      ) : null}
      <ProblemList problems={problems} onOpen={onOpen} lead={fix} />
      {download ? <PullProgress download={download} /> : null}
      {state.runner.state === 'running' ? (
        <div class="first-answer">
          <p>
            Ask the runner: <q>{FIRST_PROMPT}</q>
          </p>
          <button
            type="button"
            class={buttonClass(primary === 'send')}
            disabled={action.busy || streaming !== null}
            onClick={() => void run(() => send(FIRST_PROMPT))}
          >
            {exchange ? 'Ask again' : 'Send a first prompt'}
          </button>
          {exchange ? (
            <div class="answer" aria-live="polite" aria-busy={streaming !== null} data-testid="first-answer">
              {exchange.answer || (streaming ? <span class="muted">Waiting for the first token…</span> : null)}
            </div>
          ) : null}
          {exchange?.error ? <Problem message={exchange.error.message} fix={exchange.error.fix} /> : null}
          {exchange?.done ? (
            <dl class="rows rows--compact stats" aria-label="Who answered">
              <Row label="Provider">{PROVIDER_SPECS[exchange.done.provider].label}</Row>
              <Row label="Model">
                <span class="mono">{exchange.done.model}</span>
              </Row>
              <Row label="Latency">{formatLatency(exchange.done.latencyMs)}</Row>
            </dl>
          ) : null}
        </div>
      ) : null}
      <ActionError state={action} />
    </>
  );
  const finish = (
    <button
      type="button"
      class={buttonClass(primary === 'finish')}
      disabled={(state.runner.state !== 'running' && !download) || action.busy}
      onClick={() => void run(onFinish)}
    >
      Finish
    </button>
  );
  return <>{frame(body, finish)}</>;
}

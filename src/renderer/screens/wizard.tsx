import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { sourceName } from '../../shared/config.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { isOllamaModelInstalled } from '../../shared/model-catalog.ts';
import { providerChoices } from '../../shared/provider-availability.ts';
import { OLLAMA_DOWNLOAD_URL } from '../../shared/problems.ts';
import { isCloudProvider, PROVIDER_INFO, type Provider } from '../../shared/providers.ts';
import { KeyEditor } from '../components/key-editor.tsx';
import { ModelPicker } from '../components/model-picker.tsx';
import { ProblemList, type OpenAction } from '../components/problem-list.tsx';
import { ProviderRadio } from '../components/provider-radio.tsx';
import { PullProgress } from '../components/download-progress.tsx';
import { ActionError, PinnedBadge, Problem, Row, SourceBadge, StatusPill, useAction } from '../components/ui.tsx';
import { useTask } from '../components/use-task.ts';
import { formatLatency } from '../format.ts';
import { invalidFieldText, ollamaStatus, runnerStatus, wizardStepMark } from '../status.ts';
import { useAppState, useStore } from '../store.ts';
import { problemsForStep } from '../wizard-problems.ts';

const STEPS = ['Ollama', 'Provider', 'Key or model', 'Summary', 'First answer'] as const;

/** What the last step asks, so the user sees the whole chain answer. */
const FIRST_PROMPT = 'Say hello in one short sentence and name the model you are.';

/** The download of the configured Ollama model, while it is in progress. */
function configuredDownload(state: AppState) {
  if (state.config.provider.value !== 'ollama') return undefined;
  return state.downloads.find((download) => download.state === 'pulling' && isOllamaModelInstalled(state.config.model.value, [download.model]));
}

/** Where a saved key goes, by the host's key storage. */
const KEY_KEPT: Record<AppState['secrets']['persistence'], string> = {
  'os-keychain': 'kept in the OS keychain',
  weak: 'kept on this computer without a keychain, as you accepted',
  session: 'held for this session only (no OS keychain here)',
};

function Stepper({ current, ollama }: { current: number; ollama: AppState['ollama'] }) {
  return (
    <ol class="stepper" aria-label="Setup steps">
      {STEPS.map((title, index) => {
        const mark = wizardStepMark(index, current, ollama);
        return (
          <li key={title} class={`stepper__step stepper__step--${mark}`} aria-current={mark === 'current' ? 'step' : undefined}>
            <span class="stepper__number" aria-hidden="true">
              {mark === 'done' ? '✓' : mark === 'skipped' ? '–' : index + 1}
            </span>
            <span class="stepper__title">
              {title}
              {mark === 'skipped' ? <span class="visually-hidden"> (skipped: no Ollama)</span> : null}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

function StepFrame({ title, intro, children, footer }: { title: string; intro: string; children: ComponentChildren; footer: ComponentChildren }) {
  return (
    <section class="wizard__panel" aria-labelledby="wizard-title">
      <h2 id="wizard-title" class="wizard__title" tabIndex={-1}>
        {title}
      </h2>
      <p class="wizard__intro">{intro}</p>
      <div class="wizard__body">{children}</div>
      <div class="wizard__footer">{footer}</div>
    </section>
  );
}

function DetectOllama({ state, onUseCloud, onOpen }: { state: AppState; onUseCloud: () => void; onOpen: OpenAction }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const { ollama } = state;
  const phase = ollama.server.phase;
  // With Ollama as the provider, what is wrong with it is one of the app's problems, with its buttons.
  const problems = problemsForStep(state.problems, 'ollama');
  // While the configuration is invalid, a green "Running" would say all is well: Ollama's pill stays neutral.
  const running = ollamaStatus(ollama);
  const status = state.config.errors.length > 0 ? { ...running, tone: running.tone === 'ok' ? ('neutral' as const) : running.tone } : running;
  return (
    <>
      <div class="status-line">
        <StatusPill tone={status.tone}>{status.text}</StatusPill>
        {phase === 'running' ? (
          <span>
            Ollama {ollama.serverVersion ?? ''} answers at <span class="mono">{ollama.url}</span> with {ollama.models.length} model
            {ollama.models.length === 1 ? '' : 's'} installed.
          </span>
        ) : null}
        {phase === 'stopped' && ollama.binary ? (
          <span>
            Ollama is installed at <span class="mono">{ollama.binary.path}</span> but not running.
          </span>
        ) : null}
        {phase === 'starting' ? <span>Starting Ollama…</span> : null}
      </div>
      {(phase === 'stopped' || phase === 'failed') && ollama.binary ? (
        <button type="button" class="button button--primary" disabled={action.busy} onClick={() => void run(() => bridge.invoke('ollama:start', {}))}>
          Start Ollama
        </button>
      ) : null}
      <ProblemList problems={problems} onOpen={onOpen} />
      {problems.length === 0 && 'reason' in ollama.server ? (
        <Problem tone={phase === 'not-installed' ? 'info' : 'error'} message={ollama.server.reason} fix={ollama.server.fix} />
      ) : null}
      {phase === 'not-installed' ? (
        <div class="install">
          <p>To run models on this machine, install Ollama:</p>
          <ul class="install__list">
            <li>
              Linux: <code class="mono">curl -fsSL https://ollama.com/install.sh | sh</code>
            </li>
            <li>
              macOS and Windows: download it from <span class="mono">https://ollama.com/download</span>
            </li>
          </ul>
          {problems.length === 0 ? (
            <div class="form__actions">
              <button type="button" class="button button--primary" disabled={action.busy} onClick={() => void run(() => bridge.invoke('ollama:install', {}))}>
                Install Ollama
              </button>
              <a class="button" href={OLLAMA_DOWNLOAD_URL} target="_blank" rel="noreferrer">
                Download Ollama
              </a>
              <button type="button" class="button" disabled={action.busy} onClick={() => void run(() => bridge.invoke('ollama:start', {}))}>
                Check again
              </button>
              <button type="button" class="button" onClick={onUseCloud}>
                Use a cloud provider
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      <ActionError state={action} />
    </>
  );
}

function Summary({ state, onOpen }: { state: AppState; onOpen: OpenAction }) {
  const { config } = state;
  const problems = problemsForStep(state.problems, 'review');
  const keyFor = isCloudProvider(config.provider.value) ? config.keys[config.provider.value] : null;
  const invalidProvider = invalidFieldText(config, 'provider');
  return (
    <>
      <dl class="rows">
        <Row label="Provider">
          {invalidProvider ? (
            <span class="error-text">{invalidProvider}</span>
          ) : (
            <>
              {PROVIDER_INFO[config.provider.value].label} <SourceBadge source={config.provider.source} />
              {config.provider.pinned ? <PinnedBadge source={config.provider.source} /> : null}
            </>
          )}
        </Row>
        <Row label="Model">
          {config.model.alias ? <span class="mono">{config.model.alias.alias} → </span> : null}
          <span class="mono">{config.model.value}</span> <SourceBadge source={config.model.source} />
        </Row>
        <Row label="Base URL">
          <span class="mono">{config.baseUrl.value}</span>
        </Row>
        {keyFor ? (
          <Row label="API key">
            <span class="mono">{keyFor.masked}</span> <SourceBadge source={keyFor.source} />
          </Row>
        ) : null}
        <Row label="Runner">
          <span class="mono">{state.runnerCommand.value}</span>
        </Row>
      </dl>
      <ProblemList problems={problems} onOpen={onOpen} />
      {state.secrets.notice && keyFor ? <Problem tone="info" message={state.secrets.notice} /> : null}
      {/* A download the wizard just started may not be main's model problem yet (the model was saved after it began). */}
      {configuredDownload(state) && !problems.some((problem) => problem.id.startsWith('model-')) ? (
        <Problem tone="info" message={`${config.model.value} is still downloading. You can go on: the runner starts as soon as it lands.`} />
      ) : null}
    </>
  );
}

function FirstAnswer({ state, onOpen }: { state: AppState; onOpen: OpenAction }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const { exchange, streaming, send } = useTask();
  const download = configuredDownload(state);
  const status = runnerStatus(state.runner, Date.now());
  const problems = problemsForStep(state.problems, 'runner');
  // A stuck runner's problem carries Retry; the button below is for a stop with no reported cause.
  const stuck = (state.runner.state === 'failed' || state.runner.state === 'crash-loop') && problems.length === 0;
  return (
    <>
      <div class="status-line">
        <StatusPill tone={status.tone}>{status.text}</StatusPill>
        <span>{state.runner.state === 'running' ? `The runner is up (pid ${state.runner.pid}).` : state.runner.reason}</span>
      </div>
      {state.runner.state === 'stopped' ? (
        <button type="button" class="button button--primary" disabled={action.busy} onClick={() => void run(() => bridge.invoke('runner:start', {}))}>
          Start runner
        </button>
      ) : null}
      {stuck ? (
        <button type="button" class="button button--primary" disabled={action.busy} onClick={() => void run(() => bridge.invoke('runner:retry', {}))}>
          Retry
        </button>
      ) : null}
      <ProblemList problems={problems} onOpen={onOpen} />
      {download ? <PullProgress download={download} /> : null}
      {state.runner.state === 'running' ? (
        <div class="first-answer">
          <p>
            Ask the runner: <q>{FIRST_PROMPT}</q>
          </p>
          <button type="button" class="button button--primary" disabled={action.busy || streaming} onClick={() => void run(() => send(FIRST_PROMPT))}>
            {exchange ? 'Ask again' : 'Send a first prompt'}
          </button>
          {exchange ? (
            <div class="answer" aria-live="polite" aria-busy={streaming} data-testid="first-answer">
              {exchange.answer || (streaming ? <span class="muted">Waiting for the first token…</span> : null)}
            </div>
          ) : null}
          {exchange?.error ? <Problem message={exchange.error.message} fix={exchange.error.fix} /> : null}
          {exchange?.done ? (
            <dl class="rows rows--compact stats" aria-label="Who answered">
              <Row label="Provider">{PROVIDER_INFO[exchange.done.provider].label}</Row>
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
}

/** The first-run wizard: from a blank profile to a running runner, one decision per step. */
export function Wizard({ onClose }: { onClose: (later: boolean, route?: 'models' | 'logs' | 'settings') => void }) {
  const { bridge } = useStore();
  const state = useAppState();
  const choices = providerChoices(state).map((choice) =>
    // A missing key is what the next step adds, so it does not block the choice here.
    choice.disabledReason === 'no API key' ? { ...choice, disabledReason: null } : choice,
  );
  const [step, setStep] = useState(0);
  const [provider, setProvider] = useState<Provider>(
    () =>
      choices.find((choice) => choice.selected && choice.disabledReason === null)?.provider ??
      choices.find((choice) => choice.disabledReason === null)?.provider ??
      state.config.provider.value,
  );
  const [run, action] = useAction();
  /** What the model picker shows as selected: Continue saves exactly this. */
  const [selection, setSelection] = useState<{ model: string; installed: boolean } | null>(null);

  const goTo = (next: number) => {
    setStep(next);
    requestAnimationFrame(() => document.getElementById('wizard-title')?.focus());
  };
  const back =
    step > 0 ? (
      <button type="button" class="button" onClick={() => goTo(step - 1)}>
        Back
      </button>
    ) : (
      <span />
    );
  const next = (label: string, enabled: boolean, work?: () => Promise<unknown>) => (
    <button
      type="button"
      class="button button--primary"
      disabled={!enabled || action.busy}
      onClick={() =>
        void run(async () => {
          await work?.();
          goTo(step + 1);
        })
      }
    >
      {label}
    </button>
  );
  const footer = (forward: ComponentChildren) => (
    <>
      {back}
      <span class="wizard__spacer" />
      {forward}
    </>
  );

  const active = state.config.provider.value;
  const download = configuredDownload(state);
  const pinnedProvider = state.config.provider.pinned;
  const selectionDownloading = selection !== null && state.downloads.some((entry) => entry.state === 'pulling' && entry.model === selection.model);
  const stepReady = isCloudProvider(active)
    ? state.config.keys[active] !== null
    : selection !== null && (selection.installed || !state.config.model.pinned || selectionDownloading);
  /** Saves the picker's selection; an Ollama model not installed yet is pulled and used once it lands. */
  const saveSelection = async () => {
    if (!selection || state.config.model.pinned) return;
    if (active === 'ollama' && !selection.installed) {
      // Not awaited: the pull answers when it ends, and the Downloads panel and the next steps show how it goes.
      if (!selectionDownloading) void bridge.invoke('ollama:pull', { model: selection.model, use: true }).catch(() => undefined);
      // The model is saved now, so the review shows it and the runner waits for the download.
      await bridge.invoke('config:set-model', { provider: active, model: selection.model });
      return;
    }
    if (selection.model !== state.config.model.value) await bridge.invoke('config:set-model', { provider: active, model: selection.model });
  };
  const useCloud = () => {
    setProvider('anthropic');
    goTo(1);
  };
  /** A problem's screen action inside setup: its own steps where it has one, else setup waits for later. */
  const openFromProblem: OpenAction = (action, problem) => {
    if (action.route === 'setup') useCloud();
    else if (action.route === 'settings' && problem.id.startsWith('config:apiKey')) goTo(2);
    else onClose(true, action.route);
  };
  const ollamaContinue =
    selection !== null && !selection.installed ? (selectionDownloading ? 'Continue while it downloads' : 'Download and continue') : 'Continue';

  let panel: ComponentChildren;
  if (step === 0) {
    panel = (
      <StepFrame title="Detect Ollama" intro="Ollama runs open models on this machine: private, offline and free." footer={footer(next('Continue', true))}>
        <DetectOllama state={state} onUseCloud={useCloud} onOpen={openFromProblem} />
      </StepFrame>
    );
  } else if (step === 1) {
    panel = (
      <StepFrame
        title="Choose a provider"
        intro="Where the agent's model runs. You can switch at any time from the tray or Settings."
        footer={footer(
          next('Continue', true, () =>
            provider === active || state.config.provider.pinned ? Promise.resolve() : bridge.invoke('config:set-provider', { provider }),
          ),
        )}
      >
        {pinnedProvider ? (
          <Problem
            tone="info"
            message={`The provider is pinned to ${PROVIDER_INFO[active].label} by ${sourceName(state.config.provider.source)}, so this setup uses ${PROVIDER_INFO[active].label}.`}
            fix={`To choose another provider here, unset ${sourceName(state.config.provider.source)} and start Stigmer again. Continue to set up ${PROVIDER_INFO[active].label}.`}
          />
        ) : null}
        <ProblemList problems={problemsForStep(state.problems, 'provider')} onOpen={openFromProblem} />
        <ProviderRadio legend="Provider" choices={choices} value={pinnedProvider ? active : provider} onChange={setProvider} />
      </StepFrame>
    );
  } else if (step === 2) {
    panel = isCloudProvider(active) ? (
      <StepFrame
        title={`Add your ${PROVIDER_INFO[active].label} API key`}
        intro={`The key is checked with the provider, then ${KEY_KEPT[state.secrets.persistence]}.`}
        footer={footer(next('Continue', stepReady, saveSelection))}
      >
        <KeyEditor provider={active} />
        <h3 class="subheading">Model</h3>
        <ModelPicker provider={active} onSelection={(model, installed) => setSelection({ model, installed })} />
      </StepFrame>
    ) : (
      <StepFrame
        title="Choose a model"
        intro="Pick an installed model, or one to download (a few GB, once). You can go on while it downloads."
        footer={footer(next(ollamaContinue, stepReady, saveSelection))}
      >
        <ModelPicker provider="ollama" onSelection={(model, installed) => setSelection({ model, installed })} />
      </StepFrame>
    );
  } else if (step === 3) {
    panel = (
      <StepFrame
        title="Review"
        intro="This is the configuration the runner will receive."
        footer={footer(next('Looks good', state.config.errors.length === 0))}
      >
        <Summary state={state} onOpen={openFromProblem} />
      </StepFrame>
    );
  } else {
    panel = (
      <StepFrame
        title="Start the runner"
        intro="The runner is the agent process Stigmer keeps running with this configuration. Start it and ask it something to see the whole chain work."
        footer={footer(
          <button
            type="button"
            class="button button--primary"
            disabled={(state.runner.state !== 'running' && !download) || action.busy}
            onClick={() =>
              void run(async () => {
                await bridge.invoke('wizard:complete', {});
                onClose(false);
              })
            }
          >
            Finish
          </button>,
        )}
      >
        <FirstAnswer state={state} onOpen={openFromProblem} />
      </StepFrame>
    );
  }

  return (
    <div class="wizard">
      <header class="wizard__header">
        <div>
          <h1 class="wizard__heading">Set up Stigmer</h1>
          <p class="muted">A few steps from nothing to a running agent.</p>
        </div>
        <button type="button" class="button button--ghost" onClick={() => onClose(true)}>
          Set up later
        </button>
      </header>
      <Stepper current={step} ollama={state.ollama} />
      {panel}
      <ActionError state={action} />
    </div>
  );
}

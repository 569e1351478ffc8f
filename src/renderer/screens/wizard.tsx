import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { sourceName } from '../../shared/config.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { providerChoices, activeProviderLabel } from '../../shared/provider-availability.ts';
import { OLLAMA_DOWNLOAD_URL, type AppProblem } from '../../shared/problems.ts';
import { isCloudProvider, PROVIDER_SPECS, type Provider } from '../../shared/providers.ts';
import { KeyEditor } from '../components/key-editor.tsx';
import { ModelPicker } from '../components/model-picker.tsx';
import { ProblemList, type OpenAction } from '../components/problem-list.tsx';
import { ProviderRadio } from '../components/provider-radio.tsx';
import { ActionError, PinnedBadge, buttonClass, Problem, Row, SourceBadge, StatusPill, useAction } from '../components/ui.tsx';
import { detectStepLead, invalidFieldText, leadingFix, ollamaStatus, wizardStepMark } from '../status.ts';
import { configuredDownload, LastStep } from './wizard-last-step.tsx';
import { useAppState, useStore } from '../store.ts';
import { problemsForStep } from '../wizard-problems.ts';

/**
 * Each step's heading, which the step list shows too, so that the list tells where the user is
 * in the words of the screen. The third step asks for a key with a cloud provider, for a model
 * with Ollama.
 */
export function stepTitles(provider: Provider): string[] {
  const third = isCloudProvider(provider) ? `Add your ${PROVIDER_SPECS[provider].label} API key` : 'Choose a model';
  return ['Detect Ollama', 'Choose a provider', third, 'Review', 'Start the runner'];
}

/** Where a saved key goes, by the host's key storage. */
const KEY_KEPT: Record<AppState['secrets']['persistence'], string> = {
  'os-keychain': 'kept in the OS keychain',
  weak: 'kept on this computer without a keychain, as you accepted',
  session: 'held for this session only (no OS keychain here)',
};

function Stepper({ titles, current, ollama }: { titles: string[]; current: number; ollama: AppState['ollama'] }) {
  return (
    <ol class="stepper" aria-label="Setup steps">
      {titles.map((title, index) => {
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
  const lead = detectStepLead(ollama, problems);
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
        <button type="button" class={buttonClass(lead === 'start')} disabled={action.busy} onClick={() => void run(() => bridge.invoke('ollama:start', {}))}>
          Start Ollama
        </button>
      ) : null}
      <ProblemList problems={problems} onOpen={onOpen} lead={typeof lead === 'object' ? lead.problem : null} />
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
              <button
                type="button"
                class={buttonClass(lead === 'install')}
                disabled={action.busy}
                onClick={() => void run(() => bridge.invoke('ollama:install', {}))}
              >
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

function Summary({ state, problems, onOpen }: { state: AppState; problems: AppProblem[]; onOpen: OpenAction }) {
  const { config } = state;
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
              {activeProviderLabel(config)} <SourceBadge source={config.provider.source} />
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
      <ProblemList problems={problems} onOpen={onOpen} lead={leadingFix(problems)} />
      {state.secrets.notice && keyFor ? <Problem tone="info" message={state.secrets.notice} /> : null}
      {/* A download the wizard just started may not be main's model problem yet (the model was saved after it began). */}
      {configuredDownload(state) && !problems.some((problem) => problem.id.startsWith('model-')) ? (
        <Problem tone="info" message={`${config.model.value} is still downloading. You can go on: the runner starts as soon as it lands.`} />
      ) : null}
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
  /** The step's way on; secondary when a problem's fix is the one thing to do first. */
  const next = (label: string, enabled: boolean, work?: () => Promise<unknown>, primary = true) => (
    <button
      type="button"
      class={buttonClass(primary)}
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
  const titles = stepTitles(active);
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
      <StepFrame
        title={titles[0]!}
        intro="Ollama runs open models on this machine: private, offline and free."
        footer={footer(next('Continue', true, undefined, detectStepLead(state.ollama, problemsForStep(state.problems, 'ollama')) === 'continue'))}
      >
        <DetectOllama state={state} onUseCloud={useCloud} onOpen={openFromProblem} />
      </StepFrame>
    );
  } else if (step === 1) {
    panel = (
      <StepFrame
        title={titles[1]!}
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
            message={`The provider is pinned to ${PROVIDER_SPECS[active].label} by ${sourceName(state.config.provider.source)}, so this setup uses ${PROVIDER_SPECS[active].label}.`}
            fix={`To choose another provider here, unset ${sourceName(state.config.provider.source)} and start Stigmer again. Continue to set up ${PROVIDER_SPECS[active].label}.`}
          />
        ) : null}
        <ProblemList problems={problemsForStep(state.problems, 'provider')} onOpen={openFromProblem} />
        <ProviderRadio legend="Provider" choices={choices} value={pinnedProvider ? active : provider} onChange={setProvider} />
      </StepFrame>
    );
  } else if (step === 2) {
    panel = isCloudProvider(active) ? (
      <StepFrame
        title={titles[2]!}
        intro={`The key is checked with the provider, then ${KEY_KEPT[state.secrets.persistence]}.`}
        footer={footer(next('Continue', stepReady, saveSelection))}
      >
        <KeyEditor provider={active} />
        <h3 class="subheading">Model</h3>
        <ModelPicker provider={active} onSelection={(model, installed) => setSelection({ model, installed })} />
      </StepFrame>
    ) : (
      <StepFrame
        title={titles[2]!}
        intro="Pick an installed model, or one to download (a few GB, once). You can go on while it downloads."
        footer={footer(next(ollamaContinue, stepReady, saveSelection))}
      >
        <ModelPicker provider="ollama" onSelection={(model, installed) => setSelection({ model, installed })} />
      </StepFrame>
    );
  } else if (step === 3) {
    const problems = problemsForStep(state.problems, 'review');
    panel = (
      <StepFrame
        title={titles[3]!}
        intro="This is the configuration the runner will receive."
        footer={footer(next('Looks good', state.config.errors.length === 0, undefined, leadingFix(problems) === null))}
      >
        <Summary state={state} problems={problems} onOpen={openFromProblem} />
      </StepFrame>
    );
  } else {
    panel = (
      <LastStep
        state={state}
        onOpen={openFromProblem}
        onFinish={async () => {
          await bridge.invoke('wizard:complete', {});
          onClose(false);
        }}
        frame={(body, forward) => (
          <StepFrame
            title={titles[4]!}
            intro="The runner is the agent process Stigmer keeps running with this configuration. Start it and ask it something to see the whole chain work."
            footer={footer(forward)}
          >
            {body}
          </StepFrame>
        )}
      />
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
      <Stepper titles={titles} current={step} ollama={state.ollama} />
      {panel}
      <ActionError state={action} />
    </div>
  );
}

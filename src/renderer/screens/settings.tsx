import { useState } from 'preact/hooks';
import { sourceName } from '../../shared/config.ts';
import type { OllamaServerOptions } from '../../shared/ipc.ts';
import { EXPOSURE_EXPLAINED } from '../../shared/ollama-exposure.ts';
import { providerChoices } from '../../shared/provider-availability.ts';
import { PROVIDER_INFO, type Provider } from '../../shared/providers.ts';
import { KeyEditor } from '../components/key-editor.tsx';
import { ModelPicker } from '../components/model-picker.tsx';
import { ProviderRadio } from '../components/provider-radio.tsx';
import { ActionError, Card, PinnedBadge, Problem, useAction } from '../components/ui.tsx';
import { useAppState, useStore } from '../store.ts';

function ProviderCard() {
  const { bridge } = useStore();
  const state = useAppState();
  const [run, action] = useAction();
  // The choice stays checked while the switch is applied (the runner restarts), not only once it is done.
  const [pending, setPending] = useState<Provider | null>(null);
  const { provider } = state.config;
  const choose = async (next: Provider) => {
    setPending(next);
    await run(() => bridge.invoke('config:set-provider', { provider: next }));
    setPending(null);
  };
  return (
    <Card title="Provider">
      {provider.pinned ? (
        <p class="hint">
          <PinnedBadge source={provider.source} /> Unset {sourceName(provider.source)} to choose here; your saved choice is kept.
        </p>
      ) : (
        <p class="hint">Switching restarts the runner with the new configuration.</p>
      )}
      <ProviderRadio
        legend="Provider"
        choices={providerChoices(state)}
        value={pending ?? provider.value}
        onChange={(next) => void choose(next)}
      />
      <ActionError state={action} />
    </Card>
  );
}

function ModelCard() {
  const state = useAppState();
  const provider = state.config.provider.value;
  return (
    <Card title="Model">
      <p class="hint">
        {provider === 'ollama' ? 'Installed Ollama models, and popular ones you can pull.' : `Models offered by ${PROVIDER_INFO[provider].label}.`}
      </p>
      <ModelPicker key={provider} provider={provider} />
    </Card>
  );
}

function KeysCard() {
  const { bridge } = useStore();
  const state = useAppState();
  const [run, action] = useAction();
  return (
    <Card title="API keys" wide>
      <KeyEditor provider="anthropic" />
      <KeyEditor provider="openai" />
      {state.secrets.notice ? <Problem tone={state.secrets.persistence === 'os-keychain' ? 'info' : 'warning'} message={state.secrets.notice} /> : null}
      {state.secrets.weakStorageOffered ? (
        <button type="button" class="button" disabled={action.busy} onClick={() => run(() => bridge.invoke('secrets:accept-weak-storage', {}))}>
          Save keys with weaker storage
        </button>
      ) : null}
      <ActionError state={action} />
    </Card>
  );
}

function OllamaOptionsCard() {
  const { bridge } = useStore();
  const state = useAppState();
  const saved = state.ollamaOptions;
  const [modelsDir, setModelsDir] = useState(saved.modelsDir ?? '');
  const [contextLength, setContextLength] = useState(saved.contextLength === null ? '' : String(saved.contextLength));
  const [keepAlive, setKeepAlive] = useState(saved.keepAlive ?? '');
  const [expose, setExpose] = useState(saved.exposeToNetwork);
  const [done, setDone] = useState(false);
  const [run, action] = useAction();

  const submit = () =>
    run(async () => {
      setDone(false);
      const options: OllamaServerOptions = {
        modelsDir: modelsDir.trim() || null,
        contextLength: contextLength.trim() === '' ? null : Number(contextLength),
        keepAlive: keepAlive.trim() || null,
        exposeToNetwork: expose,
      };
      await bridge.invoke('ollama:set-options', options);
      setDone(true);
    });

  return (
    <Card title="Ollama server">
      <p class="hint">Used when the app launches Ollama itself; applied at the next start of the server.</p>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label class="field">
          <span class="field__label">Models folder</span>
          <input type="text" class="mono" value={modelsDir} maxLength={4096} placeholder="Ollama's default (~/.ollama/models)" onInput={(event) => setModelsDir(event.currentTarget.value)} />
        </label>
        <div class="field-row">
          <label class="field">
            <span class="field__label">Context length</span>
            <input type="number" min={256} max={1048576} step={256} value={contextLength} placeholder="default" onInput={(event) => setContextLength(event.currentTarget.value)} />
          </label>
          <label class="field">
            <span class="field__label">Keep models loaded for</span>
            <input type="text" value={keepAlive} maxLength={32} placeholder="5m" onInput={(event) => setKeepAlive(event.currentTarget.value)} />
          </label>
        </div>
        <label class="check">
          <input type="checkbox" checked={expose} onChange={(event) => setExpose(event.currentTarget.checked)} />
          <span>Expose Ollama to the network (listen on 0.0.0.0)</span>
        </label>
        {expose ? (
          <Problem tone="warning" message={EXPOSURE_EXPLAINED} fix="Only turn this on for a trusted network, or behind a firewall. It stays off unless you turn it on." />
        ) : (
          <p class="hint">Off: only this machine can reach Ollama. Turned on, anyone on your network could use it, without a password.</p>
        )}
        <div class="form__actions">
          <button type="submit" class="button button--primary" disabled={action.busy}>
            Save server options
          </button>
          {done ? <span class="muted" role="status">Saved.</span> : null}
        </div>
      </form>
      <ActionError state={action} />
    </Card>
  );
}

function RunnerCommandCard() {
  const { bridge } = useStore();
  const state = useAppState();
  const { runnerCommand } = state;
  const [draft, setDraft] = useState(runnerCommand.source === 'settings' ? runnerCommand.value : '');
  const [run, action] = useAction();
  return (
    <Card title="Runner command">
      <p class="hint">
        The process Stigmer supervises. Leave empty for the built-in runner; it receives the configuration in STIGMER_LLM_* variables.
      </p>
      {runnerCommand.pinned ? (
        <p class="hint">
          <PinnedBadge source={runnerCommand.source} /> In use: <span class="mono">{runnerCommand.value}</span>
        </p>
      ) : null}
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(() => bridge.invoke('runner:set-command', { command: draft.trim() === '' ? null : draft }));
        }}
      >
        <label class="visually-hidden" for="runner-command">
          Runner command
        </label>
        <input
          id="runner-command"
          type="text"
          class="mono"
          maxLength={8192}
          placeholder="Built-in runner, e.g. python -m my_worker"
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <button type="submit" class="button button--primary" disabled={action.busy}>
          Save
        </button>
      </form>
      <ActionError state={action} />
    </Card>
  );
}

function StartAtLoginCard() {
  const { bridge } = useStore();
  const { startAtLogin } = useAppState();
  const [run, action] = useAction();
  return (
    <Card title="Start at login">
      <label class="check">
        <input
          type="checkbox"
          checked={startAtLogin}
          disabled={action.busy}
          onChange={(event) => void run(() => bridge.invoke('app:set-start-at-login', { enabled: event.currentTarget.checked }))}
        />
        <span>Start Stigmer Desktop in the tray when I log in</span>
      </label>
      <ActionError state={action} />
    </Card>
  );
}

export function SettingsScreen() {
  const { host } = useAppState();
  return (
    <div class="screen">
      <div class="grid">
        <ProviderCard />
        <ModelCard />
        <KeysCard />
        <OllamaOptionsCard />
        <RunnerCommandCard />
        {host === 'electron' ? <StartAtLoginCard /> : null}
      </div>
    </div>
  );
}

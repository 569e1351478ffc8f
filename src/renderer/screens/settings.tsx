import { useState } from 'preact/hooks';
import { sourceName } from '../../shared/config.ts';
import type { OllamaServerOptions } from '../../shared/state-schema.ts';
import { EXPOSURE_EXPLAINED } from '../../shared/ollama-exposure.ts';
import { providerChoices } from '../../shared/provider-availability.ts';
import { PROVIDER_INFO, PROVIDERS, type Provider } from '../../shared/providers.ts';
import { KeyEditor } from '../components/key-editor.tsx';
import { ModelPicker } from '../components/model-picker.tsx';
import { OllamaUpdateCheck } from '../components/ollama-update-check.tsx';
import { ProviderRadio } from '../components/provider-radio.tsx';
import { ControlChannelField } from '../components/runner-channel.tsx';
import { UpdatesCard } from '../components/updates.tsx';
import { ActionError, Card, PinnedBadge, Problem, SourceBadge, useAction } from '../components/ui.tsx';
import { useAppState, useStore } from '../store.ts';
import { LIMITS } from '../../shared/limits.ts';

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
      <ProviderRadio legend="Provider" choices={providerChoices(state)} value={pending ?? provider.value} onChange={(next) => void choose(next)} />
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
      {state.config.model.alias ? (
        <p class="hint">
          Alias <span class="mono">{state.config.model.alias.alias}</span> → <span class="mono">{state.config.model.value}</span>{' '}
          <SourceBadge source={state.config.model.source} /> ({state.config.model.alias.basis})
        </p>
      ) : null}
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
        <button type="button" class="button" disabled={action.busy} onClick={() => void run(() => bridge.invoke('secrets:accept-weak-storage', {}))}>
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
          <input
            type="text"
            class="mono"
            value={modelsDir}
            maxLength={LIMITS.path}
            placeholder="Ollama's default (~/.ollama/models)"
            onInput={(event) => setModelsDir(event.currentTarget.value)}
          />
        </label>
        <div class="field-row">
          <label class="field">
            <span class="field__label">Context length</span>
            <input
              type="number"
              min={256}
              max={1048576}
              step={256}
              value={contextLength}
              placeholder="default"
              onInput={(event) => setContextLength(event.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span class="field__label">Keep models loaded for</span>
            <input type="text" value={keepAlive} maxLength={LIMITS.keepAlive} placeholder="5m" onInput={(event) => setKeepAlive(event.currentTarget.value)} />
          </label>
        </div>
        <label class="check">
          <input type="checkbox" checked={expose} onChange={(event) => setExpose(event.currentTarget.checked)} />
          <span>Expose Ollama to the network (listen on 0.0.0.0)</span>
        </label>
        {expose ? (
          <Problem
            tone="warning"
            message={EXPOSURE_EXPLAINED}
            fix="Only turn this on for a trusted network, or behind a firewall. It stays off unless you turn it on."
          />
        ) : (
          <p class="hint">Off: only this machine can reach Ollama. Turned on, anyone on your network could use it, without a password.</p>
        )}
        <div class="form__actions">
          <button type="submit" class="button button--primary" disabled={action.busy}>
            Save server options
          </button>
          {done ? (
            <span class="muted" role="status">
              Saved.
            </span>
          ) : null}
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
  const [confirming, setConfirming] = useState(false);
  const { controlChannel } = runnerCommand;
  const [channelDraft, setChannelDraft] = useState(controlChannel.saved);
  // The built-in runner has its own channel: the switch is for the command typed here (or shown pinned for the one in use).
  const custom = draft.trim() !== '';
  const showChannel = custom || (runnerCommand.pinned && controlChannel.pinned);
  const savesChannel = custom && !controlChannel.pinned;
  const channelChange = savesChannel ? { controlChannel: channelDraft } : {};
  const [run, action] = useAction();
  const save = (restart: boolean) =>
    void run(async () => {
      await bridge.invoke('runner:set-command', { command: draft.trim() === '' ? null : draft, restart, ...channelChange });
      setConfirming(false);
    });
  // The runner restarts for the channel as for a new command: the same confirmation, now or later.
  const toggleChannel = (next: boolean) => {
    setChannelDraft(next);
    setConfirming(true);
  };
  const cancel = () => {
    setConfirming(false);
    setChannelDraft(controlChannel.saved);
  };
  return (
    <Card title="Runner command">
      <p class="hint">The process Stigmer supervises. Leave empty for the built-in runner; it receives the configuration in STIGMER_LLM_* variables.</p>
      {runnerCommand.pinned ? (
        <p class="hint">
          <PinnedBadge source={runnerCommand.source} /> In use: <span class="mono">{runnerCommand.value}</span>
        </p>
      ) : null}
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          setConfirming(true);
        }}
      >
        <label class="visually-hidden" for="runner-command">
          Runner command
        </label>
        <input
          id="runner-command"
          type="text"
          class="mono"
          maxLength={LIMITS.command}
          placeholder="Built-in runner, e.g. python -m my_worker"
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <button type="submit" class="button button--primary" disabled={action.busy || confirming}>
          Save…
        </button>
      </form>
      {showChannel ? <ControlChannelField channel={controlChannel} checked={channelDraft} disabled={action.busy} onToggle={toggleChannel} /> : null}
      {confirming ? (
        <div class="confirm-box" role="group" aria-label="Confirm the runner command">
          <p>
            {draft.trim() === '' ? (
              'Go back to the built-in runner?'
            ) : (
              <>
                Run <span class="mono">{draft.trim()}</span> as the runner{savesChannel && channelDraft ? ', with the control channel' : ''}? It runs as you,
                and receives the model configuration and API key.
              </>
            )}
          </p>
          <div class="form__actions">
            <button type="button" class="button button--primary" disabled={action.busy} onClick={() => save(true)}>
              Save and restart now
            </button>
            <button type="button" class="button" disabled={action.busy} onClick={() => save(false)}>
              Save, restart later
            </button>
            <button type="button" class="button button--ghost" onClick={cancel}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {runnerCommand.pending ? (
        <Problem
          tone="info"
          message={`Saved: ${runnerCommand.pending} runs from the runner's next restart.`}
          fix="Restart the runner from the Overview or the tray to use it now."
        />
      ) : null}
      <ActionError state={action} />
    </Card>
  );
}

const BASE_URL_HINTS: Record<Provider, string> = {
  anthropic: 'https://api.anthropic.com, or a proxy',
  openai: 'https://api.openai.com/v1, or LM Studio, vLLM, OpenRouter (OpenAI-compatible)',
  ollama: 'http://127.0.0.1:11434, or a remote Ollama',
};

function BaseUrlRow({ provider }: { provider: Provider }) {
  const { bridge } = useStore();
  const state = useAppState();
  const saved = state.savedBaseUrls[provider];
  const [draft, setDraft] = useState(saved ?? '');
  const [done, setDone] = useState<string | null>(null);
  const [run, action] = useAction();
  const active = state.config.provider.value === provider;
  const overridden = active && state.config.baseUrl.pinned;
  const id = `base-url-${provider}`;
  const save = (value: string | null) =>
    void run(async () => {
      setDone(null);
      await bridge.invoke('config:set-base-url', { provider, baseUrl: value });
      if (value === null) setDraft('');
      setDone(value === null ? 'Default restored.' : 'Saved.');
    });
  return (
    <form
      class="form base-url"
      onSubmit={(event) => {
        event.preventDefault();
        save(draft.trim() === '' ? null : draft.trim());
      }}
    >
      <label class="field" for={id}>
        <span class="field__label">{PROVIDER_INFO[provider].label} base URL</span>
      </label>
      <div class="inline-form">
        <input
          id={id}
          type="url"
          class="mono"
          maxLength={LIMITS.baseUrl}
          placeholder={BASE_URL_HINTS[provider]}
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <button type="submit" class="button button--primary" disabled={action.busy}>
          Save
        </button>
        {saved !== null ? (
          <button
            type="button"
            class="button"
            aria-label={`Reset the ${PROVIDER_INFO[provider].label} base URL`}
            disabled={action.busy}
            onClick={() => save(null)}
          >
            Reset
          </button>
        ) : null}
      </div>
      {active ? (
        <p class="hint">
          In use: <span class="mono">{state.config.baseUrl.value}</span> <SourceBadge source={state.config.baseUrl.source} />
          {overridden ? <> — set by {sourceName(state.config.baseUrl.source)}, which wins over the saved value.</> : null}
        </p>
      ) : null}
      {done ? (
        <span class="muted" role="status">
          {done}
        </span>
      ) : null}
      <ActionError state={action} />
    </form>
  );
}

function EndpointsCard() {
  return (
    <Card title="Endpoints" wide>
      <p class="hint">Where each provider is reached. Empty means the provider's default; a flag or environment variable still wins.</p>
      {PROVIDERS.map((provider) => (
        <BaseUrlRow key={provider} provider={provider} />
      ))}
    </Card>
  );
}

/** How the binary in use was found, in words; the flag and the setting keep their names. */
const BINARY_SOURCE_WORDS: Record<string, string> = {
  path: 'found on PATH',
  'install-location': 'found in an install location',
  'app-installed': 'installed by this app',
};

function OllamaBinaryCard() {
  const { bridge } = useStore();
  const { ollama } = useAppState();
  const [draft, setDraft] = useState(ollama.binary?.source === 'settings' ? ollama.binary.path : '');
  const [run, action] = useAction();
  return (
    <Card title="Ollama binary">
      <p class="hint">
        {ollama.binary ? (
          <>
            Using <span class="mono">{ollama.binary.path}</span> ({BINARY_SOURCE_WORDS[ollama.binary.source] ?? ollama.binary.source}
            {ollama.binary.version ? `, version ${ollama.binary.version}` : ''}).
          </>
        ) : ollama.server.phase === 'running' ? (
          // A server that answers needs no binary here: "not found" would read as a problem.
          <>
            No ollama binary on this machine; none is needed while Ollama answers at <span class="mono">{ollama.url}</span> ({ollama.server.owner}).
          </>
        ) : (
          'No ollama binary found yet.'
        )}
      </p>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(() => bridge.invoke('ollama:set-path', { path: draft.trim() === '' ? null : draft.trim() }));
        }}
      >
        <label class="visually-hidden" for="ollama-path">
          Path to the ollama binary
        </label>
        <input
          id="ollama-path"
          type="text"
          class="mono"
          maxLength={LIMITS.path}
          placeholder="Search PATH, e.g. /usr/local/bin/ollama"
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <button type="submit" class="button button--primary" disabled={action.busy}>
          Save
        </button>
      </form>
      <ActionError state={action} />
      <OllamaUpdateCheck />
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
        <EndpointsCard />
        <OllamaOptionsCard />
        <OllamaBinaryCard />
        <RunnerCommandCard />
        {host === 'electron' ? <StartAtLoginCard /> : null}
        <UpdatesCard />
      </div>
    </div>
  );
}

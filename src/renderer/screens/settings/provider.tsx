import { useState } from 'preact/hooks';
import { sourceName } from '../../../shared/config.ts';
import { providerChoices } from '../../../shared/provider-availability.ts';
import { PROVIDER_SPECS, type Provider } from '../../../shared/providers.ts';
import { EndpointModelChoice } from '../../components/endpoints-editor.tsx';
import { ModelPicker } from '../../components/model-picker.tsx';
import { ProviderRadio } from '../../components/provider-radio.tsx';
import { ActionError, PinnedBadge, SourceBadge, useAction } from '../../components/ui.tsx';
import { useAppState, useStore } from '../../store.ts';

/** The provider: a choice applies at once (the runner restarts), as a radio choice reads. */
export function ProviderSection() {
  const { bridge } = useStore();
  const state = useAppState();
  const [run, action] = useAction();
  // The choice stays checked while the switch is applied (the runner restarts), not only once it is done.
  const [pending, setPending] = useState<Provider | null>(null);
  const { provider, endpoint } = state.config;
  const choose = async (next: Provider) => {
    setPending(next);
    await run(() => bridge.invoke('config:set-provider', { provider: next }));
    setPending(null);
  };
  return (
    <>
      {provider.pinned ? (
        <p class="hint">
          <PinnedBadge source={provider.source} /> Unset {sourceName(provider.source)} to choose here; your saved choice is kept.
        </p>
      ) : (
        <p class="hint">Switching restarts the runner with the new configuration.</p>
      )}
      {endpoint && !pending ? (
        <p class="hint">
          In use: the OpenAI-compatible server <strong>{endpoint.name}</strong> (see OpenAI-compatible servers below). Choosing a provider here switches to it.
        </p>
      ) : null}
      {/* An endpoint speaks OpenAI's API, but it is not OpenAI: no built-in provider is checked while one is in use. */}
      <ProviderRadio
        legend="Provider"
        choices={providerChoices(state)}
        value={pending ?? (endpoint ? null : provider.value)}
        onChange={(next) => void choose(next)}
      />
      <ActionError state={action} />
    </>
  );
}

export function ModelSection() {
  const state = useAppState();
  const provider = state.config.provider.value;
  // An endpoint speaks OpenAI's API, but its models are its own: never OpenAI's list or suggestions.
  const endpoint = state.config.endpoints.find((known) => known.id === state.config.endpoint?.id);
  if (endpoint) return <EndpointModelChoice endpoint={endpoint} />;
  return (
    <>
      <p class="hint">
        {provider === 'ollama' ? 'Installed Ollama models, and popular ones you can pull.' : `Models offered by ${PROVIDER_SPECS[provider].label}.`}
      </p>
      {state.config.model.alias ? (
        <p class="hint">
          Alias <span class="mono">{state.config.model.alias.alias}</span> → <span class="mono">{state.config.model.value}</span>{' '}
          <SourceBadge source={state.config.model.source} /> ({state.config.model.alias.basis})
        </p>
      ) : null}
      <ModelPicker key={provider} provider={provider} />
    </>
  );
}

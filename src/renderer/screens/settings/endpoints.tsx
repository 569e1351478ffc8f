import { sourceName } from '../../../shared/config.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { PROVIDER_SPECS, PROVIDERS, type Provider } from '../../../shared/providers.ts';
import { SaveField, useSaveField } from '../../components/save-row.tsx';
import { ActionError, SourceBadge } from '../../components/ui.tsx';
import { baseUrlCheck, saveOffer } from '../../settings-checks.ts';
import { useAppState, useStore } from '../../store.ts';

function BaseUrlRow({ provider }: { provider: Provider }) {
  const { bridge } = useStore();
  const state = useAppState();
  const saved = state.savedBaseUrls[provider];
  const { draft, action, clear, field } = useSaveField(
    saved ?? '',
    (baseUrl) => bridge.invoke('config:set-base-url', { provider, baseUrl }),
    'Default restored.',
  );
  // While a user's endpoint is in use, the base URL in use is the endpoint's, not this provider's.
  const active = state.config.provider.value === provider && state.config.endpoint === null;
  const overridden = active && state.config.baseUrl.pinned;
  const label = PROVIDER_SPECS[provider].label;
  const offer = saveOffer([{ draft, saved: saved ?? '', check: baseUrlCheck }]);
  return (
    <SaveField
      id={`base-url-${provider}`}
      label={`${label} base URL`}
      labelShown
      formLabel={`${label} endpoint`}
      formClass="form base-url"
      type="url"
      maxLength={LIMITS.baseUrl}
      placeholder={PROVIDER_SPECS[provider].hints.baseUrl}
      {...field}
      offer={offer}
      below={
        <>
          {active ? (
            <p class="hint">
              In use: <span class="mono">{state.config.baseUrl.value}</span> <SourceBadge source={state.config.baseUrl.source} />
              {overridden ? <> — set by {sourceName(state.config.baseUrl.source)}, which wins over the saved value.</> : null}
            </p>
          ) : null}
          <ActionError state={action} />
        </>
      }
    >
      {saved !== null ? (
        <button type="button" class="button" aria-label={`Reset the ${label} base URL`} disabled={action.busy} onClick={clear}>
          Reset
        </button>
      ) : null}
    </SaveField>
  );
}

export function EndpointsSection() {
  return (
    <>
      <p class="hint">Where each provider is reached. Empty means the provider's default; a flag or environment variable still wins.</p>
      {PROVIDERS.map((provider) => (
        <BaseUrlRow key={provider} provider={provider} />
      ))}
    </>
  );
}

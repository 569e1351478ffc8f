import { useEffect, useState } from 'preact/hooks';
import { sourceName } from '../../../shared/config.ts';
import { LIMITS } from '../../../shared/limits.ts';
import { PROVIDER_SPECS, PROVIDERS, type Provider } from '../../../shared/providers.ts';
import { SaveRow } from '../../components/save-row.tsx';
import { ActionError, SourceBadge, useAction } from '../../components/ui.tsx';
import { baseUrlCheck, saveOffer } from '../../settings-checks.ts';
import { useAppState, useStore } from '../../store.ts';

function BaseUrlRow({ provider }: { provider: Provider }) {
  const { bridge } = useStore();
  const state = useAppState();
  const saved = state.savedBaseUrls[provider];
  const [draft, setDraft] = useState(saved ?? '');
  // The saved value as main keeps it (normalised), once a save lands or another window saves.
  useEffect(() => setDraft(saved ?? ''), [saved]);
  const [done, setDone] = useState<string | null>(null);
  const [run, action] = useAction();
  // While a user's endpoint is in use, the base URL in use is the endpoint's, not this provider's.
  const active = state.config.provider.value === provider && state.config.endpoint === null;
  const overridden = active && state.config.baseUrl.pinned;
  const id = `base-url-${provider}`;
  const label = PROVIDER_SPECS[provider].label;
  const offer = saveOffer([{ draft, saved: saved ?? '', check: baseUrlCheck }]);
  const save = (value: string | null) =>
    void run(async () => {
      setDone(null);
      await bridge.invoke('config:set-base-url', { provider, baseUrl: value });
      setDone(value === null ? 'Default restored.' : 'Saved.');
    });
  return (
    <form
      class="form base-url"
      aria-label={`${label} endpoint`}
      onSubmit={(event) => {
        event.preventDefault();
        if (offer.enabled) save(draft.trim());
      }}
    >
      <label class="field" for={id}>
        <span class="field__label">{label} base URL</span>
      </label>
      <SaveRow
        offer={offer}
        action={action}
        problemId={`${id}-problem`}
        saved={done}
        field={
          <input
            id={id}
            type="url"
            class="mono"
            maxLength={LIMITS.baseUrl}
            placeholder={PROVIDER_SPECS[provider].hints.baseUrl}
            value={draft}
            aria-invalid={offer.problem ? true : undefined}
            aria-describedby={offer.problem ? `${id}-problem` : undefined}
            onInput={(event) => {
              setDraft(event.currentTarget.value);
              setDone(null);
            }}
          />
        }
      >
        {saved !== null ? (
          <button type="button" class="button" aria-label={`Reset the ${label} base URL`} disabled={action.busy} onClick={() => save(null)}>
            Reset
          </button>
        ) : null}
      </SaveRow>
      {active ? (
        <p class="hint">
          In use: <span class="mono">{state.config.baseUrl.value}</span> <SourceBadge source={state.config.baseUrl.source} />
          {overridden ? <> — set by {sourceName(state.config.baseUrl.source)}, which wins over the saved value.</> : null}
        </p>
      ) : null}
      <ActionError state={action} />
    </form>
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

import { useState } from 'preact/hooks';
import { sourceName } from '../../shared/config.ts';
import type { KeyCheck } from '../../shared/ipc.ts';
import { PROVIDER_SPECS, keySpec, type CloudProvider } from '../../shared/providers.ts';
import { keyStatus } from '../status.ts';
import { ActionError, Problem, SourceBadge, StatusPill, useAction } from './ui.tsx';
import { useAppState, useStore } from '../store.ts';
import { LIMITS } from '../../shared/limits.ts';

const keyHint = (provider: CloudProvider): string => `Starts with ${keySpec(provider).prefix}. Create one at ${keySpec(provider).page}.`;

function CheckResult({ check, saved }: { check: KeyCheck; saved: boolean | null }) {
  if (check.outcome === 'valid') {
    const message = saved === false ? check.message : `${check.message}${saved ? ' Saved.' : ''}`;
    return <Problem tone="info" message={message} />;
  }
  // Saved although the provider could not be asked: offline use must not cost the user their key.
  if (saved) {
    return (
      <Problem
        tone="warning"
        message={`Saved, not verified yet: ${check.message}`}
        fix={`It is checked again when ${PROVIDER_SPECS[check.provider].label} can be reached (every minute, at the next start, or with Test).`}
      />
    );
  }
  return <Problem message={check.message} fix={check.fix} />;
}

/** What is known of the held key, when there is a key and something is known. */
function Verification({ provider }: { provider: CloudProvider }) {
  const verification = useAppState().keyChecks[provider];
  const status = keyStatus(verification);
  if (!verification || !status) return null;
  return (
    <span title={verification.message}>
      <StatusPill tone={status.tone}>{status.text}</StatusPill>
    </span>
  );
}

/**
 * Adds, replaces, tests or removes one provider's key. The typed key goes to main once, in
 * `keys:set`; the field is emptied after a save and only the masked form is ever shown.
 */
export function KeyEditor({ provider }: { provider: CloudProvider }) {
  const { bridge } = useStore();
  const state = useAppState();
  const [draft, setDraft] = useState('');
  const [result, setResult] = useState<{ check: KeyCheck; saved: boolean | null } | null>(null);
  const [run, action] = useAction();
  const current = state.config.keys[provider];
  const verification = state.keyChecks[provider];
  // "Saved, not verified yet" is true until the key is checked; then the pill tells what is known.
  const outdated = result?.saved === true && result.check.outcome !== 'valid' && verification?.state !== 'unverified';
  const shownResult = outdated ? null : result;
  const fromOutside = current !== null && (current.source.startsWith('env:') || current.source.startsWith('flag:'));
  const inputId = `key-${provider}`;
  const label = PROVIDER_SPECS[provider].label;

  const save = () =>
    run(async () => {
      setResult(null);
      const outcome = await bridge.invoke('keys:set', { provider, key: draft });
      setResult({ check: outcome.check, saved: outcome.saved });
      if (outcome.saved) setDraft('');
    });

  return (
    <div class="key-editor">
      <div class="key-editor__header">
        <span class="key-editor__name">{label}</span>
        {current ? (
          <span class="key-editor__current">
            <span class="mono" data-testid={`masked-${provider}`}>
              {current.masked}
            </span>
            <SourceBadge source={current.source} />
            <Verification provider={provider} />
          </span>
        ) : (
          <span class="muted">No key</span>
        )}
      </div>
      {fromOutside ? (
        <p class="hint">This key comes from {current ? sourceName(current.source) : ''}; a key saved here is kept underneath and used once that is unset.</p>
      ) : null}
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (draft.trim() !== '') void save();
        }}
      >
        <label class="visually-hidden" for={inputId}>
          {current ? `New ${label} API key` : `${label} API key`}
        </label>
        <input
          id={inputId}
          type="password"
          class="mono"
          autocomplete="off"
          spellcheck={false}
          maxLength={LIMITS.apiKey}
          placeholder={current ? 'Paste a new key to replace it' : 'Paste your API key'}
          value={draft}
          onInput={(event) => setDraft(event.currentTarget.value)}
          aria-describedby={`${inputId}-hint`}
        />
        <button type="submit" class="button button--primary" disabled={action.busy || draft.trim() === ''}>
          {action.busy ? 'Checking…' : current ? 'Validate & replace' : 'Validate & save'}
        </button>
        {current ? (
          <>
            <button
              type="button"
              class="button"
              disabled={action.busy}
              onClick={() => void run(async () => setResult({ check: await bridge.invoke('keys:validate', { provider }), saved: null }))}
            >
              Test
            </button>
            <button
              type="button"
              class="button button--danger"
              disabled={action.busy || fromOutside}
              title={fromOutside ? 'Set outside the app: unset the variable or flag to remove it.' : undefined}
              onClick={() =>
                void run(async () => {
                  await bridge.invoke('keys:remove', { provider });
                  setResult(null);
                })
              }
            >
              Remove
            </button>
          </>
        ) : null}
      </form>
      <p class="hint" id={`${inputId}-hint`}>
        {keyHint(provider)} It is checked with the provider; a key the provider rejects is not saved, and one saved offline is checked when the provider can be
        reached.
      </p>
      {shownResult ? <CheckResult check={shownResult.check} saved={shownResult.saved} /> : null}
      {!shownResult && verification?.state === 'rejected' ? <Problem message={verification.message} fix={verification.fix} /> : null}
      <ActionError state={action} />
    </div>
  );
}

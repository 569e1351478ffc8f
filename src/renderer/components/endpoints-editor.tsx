import { useState } from 'preact/hooks';
import { endpointChoices } from '../../shared/provider-availability.ts';
import { LIMITS } from '../../shared/limits.ts';
import { useAppState, useStore } from '../store.ts';
import { ActionError, useAction } from './ui.tsx';

const EMPTY = { id: '', name: '', baseUrl: '', models: '', key: '' };

/**
 * The user's OpenAI-compatible endpoints (OpenRouter, Groq, Together, LM Studio, vLLM, LiteLLM, a
 * second Ollama): listed with their masked key, used or removed, and added with a key that goes to
 * main once, in `endpoints:add`, and is never shown again.
 */
export function CustomEndpointsSection() {
  const { bridge } = useStore();
  const state = useAppState();
  const [draft, setDraft] = useState(EMPTY);
  const [run, action] = useAction();
  const choices = new Map(endpointChoices(state).map((choice) => [choice.id, choice]));
  const field = (name: keyof typeof EMPTY) => ({
    id: `endpoint-${name}`,
    value: draft[name],
    onInput: (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value }),
  });
  const models = draft.models
    .split(',')
    .map((model) => model.trim())
    .filter(Boolean);
  const add = () =>
    run(async () => {
      await bridge.invoke('endpoints:add', {
        id: draft.id.trim(),
        baseUrl: draft.baseUrl.trim(),
        models,
        ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
        ...(draft.key.trim() ? { key: draft.key.trim() } : {}),
      });
      setDraft(EMPTY);
    });

  return (
    <>
      <p class="hint">Any server that speaks the OpenAI API. Each endpoint is a provider you can switch to here, in the tray, or with --llm-provider ID.</p>
      <ul class="endpoint-list" aria-label="Endpoints">
        {state.config.endpoints.map((endpoint) => {
          const choice = choices.get(endpoint.id);
          return (
            <li key={endpoint.id} class="endpoint" data-testid={`endpoint-${endpoint.id}`}>
              <span class="endpoint__name">{endpoint.name}</span> <span class="mono">{endpoint.id}</span> <span class="mono">{endpoint.baseUrl}</span>{' '}
              <span class="muted">{endpoint.models.join(', ')}</span> <span class="mono">{endpoint.key ? endpoint.key.masked : 'no key'}</span>{' '}
              {choice?.selected ? (
                <span class="muted">In use</span>
              ) : (
                <button
                  type="button"
                  class="button"
                  disabled={action.busy || choice?.disabledReason != null}
                  title={choice?.disabledReason ?? undefined}
                  onClick={() => void run(() => bridge.invoke('endpoints:use', { id: endpoint.id }))}
                >
                  Use {endpoint.name}
                </button>
              )}{' '}
              <button
                type="button"
                class="button button--danger"
                disabled={action.busy}
                onClick={() => void run(() => bridge.invoke('endpoints:remove', { id: endpoint.id }))}
              >
                Remove {endpoint.name}
              </button>
            </li>
          );
        })}
      </ul>
      <form
        class="stack-form"
        aria-label="Add an endpoint"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <label for="endpoint-id">Id</label>
        <input {...field('id')} class="mono" required maxLength={40} placeholder="my-groq" spellcheck={false} />
        <label for="endpoint-name">Name</label>
        <input {...field('name')} maxLength={64} placeholder="Groq" />
        <label for="endpoint-baseUrl">Base URL</label>
        <input {...field('baseUrl')} class="mono" required maxLength={LIMITS.baseUrl} placeholder="https://api.groq.com/openai/v1" spellcheck={false} />
        <label for="endpoint-models">Models (comma-separated; the first is the default)</label>
        <input {...field('models')} class="mono" required placeholder="llama-3.3-70b-versatile" spellcheck={false} />
        <label for="endpoint-key">API key (optional; kept in the keychain)</label>
        <input {...field('key')} type="password" class="mono" autocomplete="off" maxLength={LIMITS.apiKey} spellcheck={false} />
        <button
          type="submit"
          class="button button--primary"
          disabled={action.busy || draft.id.trim() === '' || draft.baseUrl.trim() === '' || models.length === 0}
        >
          Add endpoint
        </button>
      </form>
      <ActionError state={action} />
    </>
  );
}

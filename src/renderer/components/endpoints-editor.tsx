import { useState } from 'preact/hooks';
import type { EndpointCheck, PublicEndpoint } from '../../shared/endpoints.ts';
import { endpointChoices, type EndpointChoice } from '../../shared/provider-availability.ts';
import { LIMITS } from '../../shared/limits.ts';
import { useAppState, useStore } from '../store.ts';
import { sourceName } from '../../shared/config.ts';
import { ActionError, PinnedBadge, Problem, StatusPill, useAction } from './ui.tsx';

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
        {state.config.endpoints.map((endpoint) => (
          <EndpointRow key={endpoint.id} endpoint={endpoint} choice={choices.get(endpoint.id)} />
        ))}
      </ul>
      <form
        class="form"
        aria-label="Add an endpoint"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <div class="field-row">
          <label class="field">
            <span class="field__label">Id</span>
            <input {...field('id')} type="text" class="mono" required maxLength={40} placeholder="my-groq" spellcheck={false} />
          </label>
          <label class="field">
            <span class="field__label">Name</span>
            <input {...field('name')} type="text" maxLength={64} placeholder="Groq" />
          </label>
        </div>
        <label class="field">
          <span class="field__label">Base URL</span>
          <input
            {...field('baseUrl')}
            type="text"
            class="mono"
            required
            maxLength={LIMITS.baseUrl}
            placeholder="https://api.groq.com/openai/v1"
            spellcheck={false}
          />
        </label>
        <label class="field">
          <span class="field__label">Models (comma-separated; the first is the default)</span>
          <input {...field('models')} type="text" class="mono" required placeholder="llama-3.3-70b-versatile" spellcheck={false} />
        </label>
        <label class="field">
          <span class="field__label">API key (optional; kept in the keychain)</span>
          <input {...field('key')} type="password" class="mono" autocomplete="off" maxLength={LIMITS.apiKey} spellcheck={false} />
        </label>
        <div class="form__actions">
          <button
            type="submit"
            class="button button--primary"
            disabled={action.busy || draft.id.trim() === '' || draft.baseUrl.trim() === '' || models.length === 0}
          >
            Add endpoint
          </button>
        </div>
      </form>
      <ActionError state={action} />
    </>
  );
}

/**
 * One endpoint: its facts, Use, Check (a live listing with its key, which changes nothing) and
 * Remove. Its model is chosen in the Model section while it is in use.
 */
function EndpointRow({ endpoint, choice }: { endpoint: PublicEndpoint; choice: EndpointChoice | undefined }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const [check, setCheck] = useState<EndpointCheck | null>(null);
  return (
    <li class="endpoint" data-testid={`endpoint-${endpoint.id}`}>
      <p class="endpoint__title">
        <span class="endpoint__name">{endpoint.name}</span> <span class="mono muted">{endpoint.id}</span>{' '}
        {choice?.selected ? <StatusPill tone="ok">In use</StatusPill> : null}
      </p>
      <dl class="endpoint__facts">
        <dt>Base URL</dt>
        <dd class="mono">{endpoint.baseUrl}</dd>
        <dt>Models</dt>
        <dd class="mono">{endpoint.models.join(', ')}</dd>
        <dt>Key</dt>
        <dd class="mono">{endpoint.key ? endpoint.key.masked : 'none'}</dd>
      </dl>
      <div class="form__actions">
        {choice?.selected ? null : (
          <button
            type="button"
            class="button"
            disabled={action.busy || choice?.disabledReason != null}
            title={choice?.disabledReason ?? undefined}
            onClick={() => void run(() => bridge.invoke('endpoints:use', { id: endpoint.id }))}
          >
            Use {endpoint.name}
          </button>
        )}
        <button
          type="button"
          class="button"
          disabled={action.busy}
          onClick={() => void run(async () => setCheck(await bridge.invoke('endpoints:check', { id: endpoint.id })))}
        >
          Check {endpoint.name}
        </button>
        <button
          type="button"
          class="button button--danger"
          disabled={action.busy}
          onClick={() => void run(() => bridge.invoke('endpoints:remove', { id: endpoint.id }))}
        >
          Remove {endpoint.name}
        </button>
      </div>
      {check ? <Problem tone={check.outcome === 'valid' ? 'info' : 'error'} message={check.message} fix={check.fix} /> : null}
      <ActionError state={action} />
    </li>
  );
}

/**
 * The model of the endpoint in use, among the ones the user listed for it: a choice applies at
 * once (the runner restarts) and is remembered for the endpoint.
 */
export function EndpointModelChoice({ endpoint }: { endpoint: PublicEndpoint }) {
  const { bridge } = useStore();
  const state = useAppState();
  const [run, action] = useAction();
  const { model } = state.config;
  const selectId = `endpoint-model-${endpoint.id}`;
  return (
    <>
      <p class="hint">
        Models of {endpoint.name}, as listed for it (Check {endpoint.name} under OpenAI-compatible servers asks the server which it offers).
      </p>
      {model.pinned ? (
        <p class="hint">
          <PinnedBadge source={model.source} /> The model is set by {sourceName(model.source)}: unset it and start the app again to choose here.
        </p>
      ) : null}
      <div class="inline-form">
        <label for={selectId}>Model for {endpoint.name}</label>
        <select
          id={selectId}
          value={model.value}
          disabled={action.busy || model.pinned}
          onChange={(event) => void run(() => bridge.invoke('endpoints:use', { id: endpoint.id, model: event.currentTarget.value }))}
        >
          {(endpoint.models.includes(model.value) ? endpoint.models : [model.value, ...endpoint.models]).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <ActionError state={action} />
    </>
  );
}

import { sourceName } from '../../shared/config.ts';
import { useEffect, useState } from 'preact/hooks';
import type { ModelList, ModelOption } from '../../shared/ipc.ts';
import type { OllamaPullResult } from '../../shared/ollama.ts';
import type { Provider } from '../../shared/providers.ts';
import { useAppState, useStore } from '../store.ts';
import { PullProgress } from './download-progress.tsx';
import { ActionError, PinnedBadge, Problem, useAction } from './ui.tsx';

const optionLabel = (model: ModelOption, provider: Provider) =>
  `${model.name}${model.detail ? ` — ${model.detail}` : ''}${provider === 'ollama' && !model.installed ? ' (not installed)' : ''}`;

/**
 * Chooses the model for one provider from `models:list` (Ollama's tags or the provider's list).
 * An Ollama model that is not installed can be pulled here, with progress.
 */
export function ModelPicker({
  provider,
  onChosen,
  onSelection,
}: {
  provider: Provider;
  onChosen?: (model: string, installed: boolean) => void;
  /** Told the model shown as selected, so that the wizard saves exactly that one. */
  onSelection?: (model: string, installed: boolean) => void;
}) {
  const store = useStore();
  const state = useAppState();
  const [list, setList] = useState<ModelList | null>(null);
  const [choice, setChoice] = useState('');
  const [pullResult, setPullResult] = useState<OllamaPullResult | null>(null);
  const [run, action] = useAction();
  const [load, loading] = useAction();
  const active = state.config.provider.value === provider;
  const current = active ? state.config.model.value : '';
  const pinned = active && state.config.model.pinned;
  const installedNames = state.ollama.models.map((model) => model.name).join('\n');
  // A cloud provider lists its models once it has a key: a key added or replaced fetches the list again.
  const keyMask = provider === 'ollama' ? '' : (state.config.keys[provider]?.masked ?? '');

  useEffect(() => {
    void load(async () => {
      const fetched = await store.bridge.invoke('models:list', { provider });
      setList(fetched);
      // A pulled model is listed under its installed name; a choice the list no longer holds gives way.
      const listed = (name: string) => fetched.models.some((model) => model.name === name);
      setChoice((previous) => (listed(previous) ? previous : '') || fetched.selected || current || fetched.models[0]?.name || '');
    });
  }, [provider, installedNames, current, keyMask]);

  const selected = list?.models.find((model) => model.name === choice);
  const inUse = choice !== '' && (choice === current || choice === list?.selected);
  const needsPull = provider === 'ollama' && selected !== undefined && !selected.installed;
  const download = provider === 'ollama' ? state.downloads.find((entry) => entry.model === choice && entry.state === 'pulling') : undefined;
  const pulling = download !== undefined;
  const selectId = `model-${provider}`;
  useEffect(() => {
    if (choice !== '' && selected) onSelection?.(choice, selected.installed);
  }, [choice, selected?.installed]);

  const save = () =>
    void run(async () => {
      await store.bridge.invoke('config:set-model', { provider, model: choice });
      onChosen?.(choice, !needsPull);
    });
  const pull = () =>
    void run(async () => {
      setPullResult(null);
      // `use`: main makes it the model once it lands, even if this screen is gone by then.
      const result = await store.bridge.invoke('ollama:pull', { model: choice, use: true });
      setPullResult(result);
      if (result.status === 'success') onChosen?.(choice, true);
    });

  return (
    <div class="model-picker">
      {pinned ? (
        <p class="hint" id={`${selectId}-pinned`}>
          <PinnedBadge source={state.config.model.source} /> The model is set by {sourceName(state.config.model.source)}, so it cannot be changed here: unset{' '}
          {sourceName(state.config.model.source)} and start the app again to choose another.
        </p>
      ) : null}
      <div class="inline-form">
        <label class="visually-hidden" for={selectId}>
          Model
        </label>
        <select id={selectId} value={choice} disabled={list === null} onChange={(event) => setChoice(event.currentTarget.value)}>
          {list === null ? <option value="">Loading models…</option> : null}
          {list?.models.map((model) => (
            <option key={model.name} value={model.name}>
              {optionLabel(model, provider)}
            </option>
          ))}
        </select>
        {needsPull ? (
          pulling ? (
            <button type="button" class="button" onClick={() => void run(() => store.bridge.invoke('ollama:cancel-pull', { model: choice }))}>
              Cancel pull
            </button>
          ) : (
            <button type="button" class="button button--primary" disabled={action.busy || !choice} onClick={pull}>
              Pull model
            </button>
          )
        ) : (
          <button
            type="button"
            class="button button--primary"
            disabled={action.busy || !choice || inUse || pinned}
            aria-describedby={pinned ? `${selectId}-pinned` : undefined}
            onClick={save}
          >
            {inUse ? 'In use' : 'Use this model'}
          </button>
        )}
      </div>
      {list?.error ? <Problem tone="warning" message={list.error.message} fix={list.error.fix} /> : null}
      {download ? <PullProgress download={download} /> : null}
      {pullResult?.status === 'failed' ? <Problem message={pullResult.reason} fix={pullResult.fix} /> : null}
      {pullResult?.status === 'cancelled' ? <Problem tone="info" message={`Download of ${pullResult.model} cancelled.`} /> : null}
      {pullResult?.status === 'success' ? <Problem tone="info" message={`${pullResult.model} is installed and selected.`} /> : null}
      <ActionError state={loading} />
      <ActionError state={action} />
    </div>
  );
}

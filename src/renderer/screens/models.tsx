import { DiskUsage } from '../components/disk-usage.tsx';
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFocusAfterRender } from '../components/focus.ts';
import type { ModelCatalog } from '../../shared/ipc.ts';
import { sourceName } from '../../shared/config.ts';
import { isOllamaModelInstalled, ollamaNameProblem } from '../../shared/model-catalog.ts';
import { HardwarePanel } from '../components/hardware-panel.tsx';
import { FitPill, LoadedSplit, ModelFitCards } from '../components/model-fit.tsx';
import { ActionError, Card, PinnedBadge, Problem, SourceBadge, useAction } from '../components/ui.tsx';
import { formatBytes } from '../format.ts';
import { useAppState, useStore } from '../store.ts';
import { LIMITS } from '../../shared/limits.ts';

/** Fetches the catalog again whenever Ollama's installed or loaded models change. */
function useCatalog(): [ModelCatalog | null, () => void] {
  const { bridge } = useStore();
  const state = useAppState();
  const [catalog, setCatalog] = useState<ModelCatalog | null>(null);
  const [version, setVersion] = useState(0);
  const key = [state.ollama.server.phase, ...state.ollama.models.map((model) => model.name), '|', ...state.ollama.loaded.map((model) => model.name)].join(',');
  useEffect(() => {
    let current = true;
    void bridge.invoke('models:catalog', {}).then(
      (fetched) => current && setCatalog(fetched),
      () => undefined,
    );
    return () => void (current = false);
  }, [key, version]);
  return [catalog, () => setVersion((count) => count + 1)];
}

function InstalledModels({ catalog }: { catalog: ModelCatalog }) {
  const { bridge } = useStore();
  const state = useAppState();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [freed, setFreed] = useState<string | null>(null);
  const [run, action] = useAction();
  const table = useRef<HTMLTableElement>(null);
  const focusNext = useFocusAfterRender();
  /** Back to the row's Delete button: the confirmation that replaced it is gone. */
  const keep = () => {
    const model = confirming;
    setConfirming(null);
    focusNext(() => table.current?.querySelector<HTMLElement>(`[data-delete="${CSS.escape(model ?? '')}"]`));
  };
  const active = state.config.provider.value === 'ollama' ? state.config.model.value : null;
  const pinned = state.config.model.pinned;
  // Deleting the model in use offers the switch first: the next installed model, unless the model is pinned.
  const switchTo = active !== null && !pinned ? catalog.installed.find((model) => !isOllamaModelInstalled(active, [model.name]))?.name : undefined;
  const remove = async (name: string) => {
    const result = await bridge.invoke('ollama:delete', { model: name });
    setConfirming(null);
    setFreed(`Deleted ${result.model}; ${formatBytes(result.freedBytes)} freed.`);
    // The row is gone: focus goes to what became of it.
    focusNext(() => document.getElementById('models-freed'));
  };
  if (catalog.installed.length === 0) return <p class="muted">No models installed yet. Pull one of the suggestions below, or any model by name.</p>;
  return (
    <>
      {pinned && state.config.provider.value === 'ollama' ? (
        <p class="hint" id="models-pinned">
          <PinnedBadge source={state.config.model.source} /> The model in use is set by {sourceName(state.config.model.source)}, so Use is off: unset{' '}
          {sourceName(state.config.model.source)} and start the app again to choose another.
        </p>
      ) : null}
      <div class="table-scroll">
        <table class="models-table" ref={table}>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">On disk</th>
              <th scope="col">
                <abbr title="Parameters">Params</abbr>
              </th>
              <th scope="col">
                <abbr title="Quantisation">Quant</abbr>
              </th>
              <th scope="col">
                <abbr title="Fit on this machine at the model's context length">Fit</abbr>
              </th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {catalog.installed.map((model) => {
              const inUse = active !== null && isOllamaModelInstalled(active, [model.name]);
              const confirm = (
                <span
                  class="confirm"
                  role="group"
                  aria-label={`Confirm deleting ${model.name}`}
                  onKeyDown={(event) => {
                    if (event.key !== 'Escape') return;
                    // Used here: the Downloads panel does not close on the same key.
                    event.preventDefault();
                    keep();
                  }}
                >
                  <span>
                    {inUse
                      ? `${model.name} is the model in use: once it is deleted, the runner cannot answer until another model is chosen or it is pulled again. `
                      : ''}
                    Delete and free {formatBytes(model.sizeBytes)}?
                  </span>
                  {inUse && switchTo ? (
                    <button
                      type="button"
                      class="button button--primary"
                      aria-disabled={action.busy}
                      onClick={() =>
                        action.busy ||
                        void run(async () => {
                          await bridge.invoke('config:set-model', { provider: 'ollama', model: switchTo });
                          await remove(model.name);
                        })
                      }
                    >
                      Use {switchTo}, then delete
                    </button>
                  ) : null}
                  <button
                    type="button"
                    class="button button--danger"
                    aria-disabled={action.busy}
                    onClick={() => action.busy || void run(() => remove(model.name))}
                  >
                    Delete
                  </button>
                  <button type="button" class="button" data-keep onClick={keep}>
                    Keep
                  </button>
                </span>
              );
              return (
                <Fragment key={model.name}>
                  <tr>
                    <th scope="row">
                      <span class="mono models-table__name">{model.name}</span>
                      <span class="models-table__sub">
                        {model.family ? `${model.family} family` : 'family unknown'} {inUse ? <span class="badge badge--accent">In use</span> : null}
                      </span>
                    </th>
                    <td>{formatBytes(model.sizeBytes)}</td>
                    <td>{model.parameterSize ?? '—'}</td>
                    <td>{model.quantization ?? '—'}</td>
                    <td>
                      <FitPill fit={model.fit} short />
                    </td>
                    <td class="models-table__actions">
                      {confirming === model.name ? (
                        inUse ? null : (
                          confirm
                        )
                      ) : (
                        <>
                          {inUse || state.config.provider.value !== 'ollama' ? null : (
                            <button
                              type="button"
                              class="button"
                              disabled={action.busy || pinned}
                              aria-label={`Use ${model.name}`}
                              aria-describedby={pinned ? 'models-pinned' : undefined}
                              onClick={() => void run(() => bridge.invoke('config:set-model', { provider: 'ollama', model: model.name }))}
                            >
                              Use
                            </button>
                          )}
                          <button
                            type="button"
                            class="button button--danger"
                            aria-label={`Delete ${model.name}`}
                            data-delete={model.name}
                            onClick={() => {
                              setFreed(null);
                              setConfirming(model.name);
                              // Into the confirmation, on its harmless choice.
                              focusNext(() => table.current?.querySelector<HTMLElement>('[data-keep]'));
                            }}
                          >
                            Delete
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                  {/* The model in use: what happens next needs the table's whole width to be read. */}
                  {confirming === model.name && inUse ? (
                    <tr class="models-table__confirm">
                      <td colSpan={6}>{confirm}</td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {freed ? (
        <div id="models-freed" tabIndex={-1}>
          <Problem tone="info" message={freed} />
        </div>
      ) : null}
      <ActionError state={action} />
    </>
  );
}

function LoadedModels({ catalog, refresh }: { catalog: ModelCatalog; refresh: () => void }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  if (catalog.loaded.length === 0) return <p class="muted">No model is loaded in memory; Ollama loads one on its first prompt.</p>;
  return (
    <>
      <ul class="model-list">
        {catalog.loaded.map((model) => (
          <li key={model.name} class="model-list__item">
            <span class="mono">{model.name}</span>
            <span class="muted">
              {formatBytes(model.sizeBytes)} in memory{model.vramBytes > 0 ? ` (${formatBytes(model.vramBytes)} on the GPU)` : ''}
            </span>
            <LoadedSplit model={model} />
            <button
              type="button"
              class="button"
              aria-label={`Unload ${model.name}`}
              disabled={action.busy}
              onClick={() =>
                void run(async () => {
                  await bridge.invoke('ollama:unload', { model: model.name });
                  // The app state may not have listed it as loaded, so the catalog is read again.
                  refresh();
                })
              }
            >
              Unload
            </button>
          </li>
        ))}
      </ul>
      <ActionError state={action} />
    </>
  );
}

/** Pulls any `name[:tag]`; a name the registry cannot hold is refused with the rule before it is sent. */
function PullByName() {
  const { bridge } = useStore();
  const [name, setName] = useState('');
  const [use, setUse] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [run, action] = useAction();
  const input = useRef<HTMLInputElement>(null);
  const pull = () => {
    const invalid = ollamaNameProblem(name);
    setProblem(invalid);
    if (invalid) return;
    const model = name.trim();
    setName('');
    // The Pull button is disabled once the field is empty: focus stays where the next name goes.
    input.current?.focus();
    // The download list in main tracks it; the answer arrives when it ends.
    void run(() => bridge.invoke('ollama:pull', { model, use }));
  };
  return (
    <form
      class="form"
      onSubmit={(event) => {
        event.preventDefault();
        pull();
      }}
    >
      <div class="inline-form">
        <label class="visually-hidden" for="pull-name">
          Model name to pull
        </label>
        <input
          id="pull-name"
          ref={input}
          type="text"
          class="mono"
          maxLength={LIMITS.model}
          placeholder="name[:tag], e.g. mistral:7b"
          value={name}
          aria-invalid={problem ? true : undefined}
          aria-describedby="pull-name-rule"
          onInput={(event) => {
            setName(event.currentTarget.value);
            setProblem(null);
          }}
        />
        <button type="submit" class="button button--primary" disabled={name.trim() === ''}>
          Pull
        </button>
      </div>
      <label class="check">
        <input type="checkbox" checked={use} onChange={(event) => setUse(event.currentTarget.checked)} />
        <span>Use it once it is downloaded</span>
      </label>
      <p class="hint" id="pull-name-rule">
        Any model from ollama.com/library. Progress shows in Downloads.
      </p>
      {problem ? <Problem message={problem} /> : null}
      <ActionError state={action} />
    </form>
  );
}

function SuggestedModels({ catalog }: { catalog: ModelCatalog }) {
  const { bridge } = useStore();
  const state = useAppState();
  const [run, action] = useAction();
  return (
    <>
      <ul class="suggestions">
        {catalog.suggested.map((model) => {
          const pulling = state.downloads.some((download) => download.model === model.name && download.state === 'pulling');
          return (
            <li key={model.name} class={`suggestion${model.recommended ? ' suggestion--recommended' : ''}`}>
              <div class="suggestion__main">
                <span class="mono suggestion__name">{model.name}</span>
                {model.recommended ? <span class="badge badge--accent">Recommended</span> : null}
              </div>
              <div>
                <FitPill fit={model.fit} />
              </div>
              <p class="hint">{model.fit.summary}</p>
              <p class="suggestion__detail">{model.goodAt}</p>
              <p class="hint">
                {model.parameterSize} parameters · {formatBytes(model.downloadBytes)} download
              </p>
              {/* The name is the visible word and the model ("Pull gemma3:4b", "Downloading… gemma3:4b"), so
                  voice control finds it by what it reads. aria-disabled, not disabled: the button keeps
                  the focus the user gave it when its pull starts. */}
              <button
                type="button"
                class={model.recommended ? 'button button--primary' : 'button'}
                aria-disabled={pulling}
                onClick={() => pulling || void run(() => bridge.invoke('ollama:pull', { model: model.name }))}
              >
                {pulling ? 'Downloading…' : 'Pull'}
                <span class="visually-hidden"> {model.name}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <ActionError state={action} />
    </>
  );
}

function Aliases({ catalog }: { catalog: ModelCatalog }) {
  const { config } = useAppState();
  const alias = config.model.alias;
  return (
    <>
      {alias ? (
        <p class="alias-now">
          In use: <span class="mono">{alias.alias}</span> → <span class="mono">{config.model.value}</span> <SourceBadge source={config.model.source} />
          <span class="muted"> ({alias.basis})</span>
        </p>
      ) : null}
      <dl class="rows rows--compact">
        {catalog.aliases.map((entry) => (
          <div class="row" key={entry.alias}>
            <dt class="row__label mono">{entry.alias}</dt>
            <dd class="row__value">
              <span class="mono">{entry.model}</span> <span class="muted">— {entry.basis}</span>
            </dd>
          </div>
        ))}
      </dl>
      <p class="hint">
        Use an alias anywhere a model goes: <span class="mono">--llm-model fast</span> or <span class="mono">STIGMER_LLM_MODEL=balanced</span>. Cloud providers
        map them to their own tiers.
      </p>
    </>
  );
}

/** Ollama's models: installed first, loaded, pull by name, suggestions judged against this machine, aliases. */
export function ModelsScreen() {
  const [catalog, refresh] = useCatalog();
  if (!catalog) return <p class="muted screen">Loading models…</p>;
  return (
    <div class="screen">
      <div class="grid grid--single">
        <Card title="Installed" actions={<span class="muted">{formatBytes(catalog.hardware.memory.totalBytes)} memory on this machine</span>}>
          {catalog.error ? (
            <>
              <Problem tone="warning" message={catalog.error.message} fix={catalog.error.fix} />
              <button type="button" class="button" onClick={refresh}>
                Check again
              </button>
            </>
          ) : (
            <InstalledModels catalog={catalog} />
          )}
          <DiskUsage />
        </Card>
        <Card title="This machine">
          <HardwarePanel hardware={catalog.hardware} />
        </Card>
        <Card title="Fit and context length">
          <ModelFitCards catalog={catalog} refresh={refresh} />
        </Card>
        <Card title="Loaded in memory">
          <LoadedModels catalog={catalog} refresh={refresh} />
        </Card>
        <Card title="Pull a model">
          <PullByName />
        </Card>
        <Card title="Suggested">
          <p class="hint">{catalog.fitRule}</p>
          <SuggestedModels catalog={catalog} />
        </Card>
        <Card title="Aliases">
          <Aliases catalog={catalog} />
        </Card>
      </div>
    </div>
  );
}

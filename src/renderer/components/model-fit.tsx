import { useState } from 'preact/hooks';
import { MAX_CONTEXT, MIN_CONTEXT, estimateMemory, judgeFit, type Fit, type FitVerdict } from '../../shared/fit.ts';
import { budgetOf } from '../../shared/hardware.ts';
import type { ModelCatalog } from '../../shared/ipc.ts';
import { formatBytes } from '../format.ts';
import { useStore } from '../store.ts';
import { ActionError, Problem, StatusPill, useAction, type Tone } from './ui.tsx';

const VERDICT: Record<FitVerdict, { tone: Tone; text: (fit: Fit) => string; short: (fit: Fit) => string }> = {
  gpu: { tone: 'ok', text: () => 'Fits on the GPU', short: () => 'GPU' },
  partial: { tone: 'working', text: (fit) => `Partly on the GPU (~${fit.gpuPercent} %)`, short: (fit) => `~${fit.gpuPercent} % GPU` },
  cpu: { tone: 'working', text: () => 'CPU only', short: () => 'CPU only' },
  'too-large': { tone: 'error', text: () => 'Does not fit', short: () => 'Does not fit' },
};

/** The verdict as a pill: its word, never colour alone; `short` in the table, whose header says what it is about. */
export function FitPill({ fit, short = false }: { fit: Fit; short?: boolean }) {
  const verdict = VERDICT[fit.verdict];
  return <StatusPill tone={verdict.tone}>{short ? verdict.short(fit) : verdict.text(fit)}</StatusPill>;
}

/** Weights + KV cache + overhead = the memory needed, as the verdict counted it. */
function Breakdown({ fit }: { fit: Fit }) {
  const { estimate } = fit;
  return (
    <p class="hint fit-breakdown">
      {formatBytes(estimate.weightsBytes)} weights + {formatBytes(estimate.kvCacheBytes)} KV cache ({estimate.kvCacheType}
      {estimate.kvCacheKnown ? '' : ', assumed: Ollama did not give the model’s architecture'}) + {formatBytes(estimate.overheadBytes)} overhead ={' '}
      {formatBytes(estimate.totalBytes)}
    </p>
  );
}

const tokens = (count: number) => `${count.toLocaleString('en-US')} tokens`;

/**
 * One installed model's fit with its context length, which the user changes here: the estimate
 * follows as they type, and is saved only with Save.
 */
function ModelFitCard({ model, catalog, refresh }: { model: ModelCatalog['installed'][number]; catalog: ModelCatalog; refresh: () => void }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const saved = model.contextLength ?? catalog.defaultContext.tokens;
  const [draft, setDraft] = useState(String(saved));
  const typed = Number(draft);
  const valid = Number.isInteger(typed) && typed >= MIN_CONTEXT && typed <= MAX_CONTEXT;
  const changed = valid && typed !== saved;
  const preview = changed
    ? judgeFit(
        estimateMemory({ weightsBytes: model.sizeBytes, architecture: model.architecture, contextLength: typed, kvCacheType: catalog.kvCache.type }),
        budgetOf(catalog.hardware),
      )
    : null;
  const id = `context-${model.name.replace(/\W+/g, '-')}`;
  const save = (contextLength: number | null) =>
    void run(async () => {
      await bridge.invoke('models:set-context', { model: model.name, contextLength });
      if (contextLength === null) setDraft(String(catalog.defaultContext.tokens));
      refresh();
    });
  return (
    <li class="fit-card">
      <div class="fit-card__head">
        <span class="mono fit-card__name">{model.name}</span>
        <FitPill fit={model.fit} />
      </div>
      <p class="fit-card__summary">{model.fit.summary}</p>
      <Breakdown fit={model.fit} />
      <form
        class="inline-form fit-card__context"
        onSubmit={(event) => {
          event.preventDefault();
          if (changed) save(typed);
        }}
      >
        <label for={id}>Context length</label>
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={MIN_CONTEXT}
          max={model.architecture?.contextLength ?? MAX_CONTEXT}
          step={256}
          value={draft}
          aria-invalid={valid ? undefined : true}
          aria-describedby={`${id}-note`}
          onInput={(event) => setDraft(event.currentTarget.value)}
        />
        <button type="submit" class="button button--primary" disabled={!changed || action.busy}>
          Save<span class="visually-hidden"> the context length of {model.name}</span>
        </button>
        {model.contextLength !== null ? (
          <button type="button" class="button" disabled={action.busy} onClick={() => save(null)}>
            Use the default<span class="visually-hidden"> for {model.name}</span>
          </button>
        ) : null}
      </form>
      <div aria-live="polite">
        {!valid ? (
          <Problem message={`A context length is a whole number of tokens from ${MIN_CONTEXT} to ${MAX_CONTEXT.toLocaleString('en-US')}.`} />
        ) : preview ? (
          <div class="fit-card__preview">
            <p>
              At {tokens(typed)}, not saved yet: <FitPill fit={preview} />
            </p>
            <p class="hint">{preview.summary}</p>
          </div>
        ) : null}
      </div>
      <p class="hint" id={`${id}-note`}>
        {model.contextLength === null ? `The default, ${tokens(catalog.defaultContext.tokens)} (${catalog.defaultContext.source}).` : `Set for this model.`}
        {model.architecture?.contextLength ? ` The model handles up to ${tokens(model.architecture.contextLength)}.` : ''}
      </p>
      <ActionError state={action} />
    </li>
  );
}

/** Every installed model's fit at its context length, and where to change it. */
export function ModelFitCards({ catalog, refresh }: { catalog: ModelCatalog; refresh: () => void }) {
  if (catalog.installed.length === 0) return <p class="muted">Pull a model to see how it fits this machine.</p>;
  return (
    <>
      <ul class="fit-cards">
        {catalog.installed.map((model) => (
          <ModelFitCard key={`${model.name}-${model.contextLength ?? 'default'}`} model={model} catalog={catalog} refresh={refresh} />
        ))}
      </ul>
      <p class="hint">
        The context length here is what the estimate counts. Ollama runs every model at {tokens(catalog.defaultContext.tokens)} ({catalog.defaultContext.source}
        ) unless a request asks for another: the runner talks to Ollama’s OpenAI-compatible API, which cannot. To run a model at its own length, set Context
        length in Settings (all models), or create a variant with <span class="mono">PARAMETER num_ctx</span>.
      </p>
    </>
  );
}

/** A loaded model's real GPU split from `/api/ps`, next to the estimate, and the problem when they differ by more than 10 points. */
export function LoadedSplit({ model }: { model: ModelCatalog['loaded'][number] }) {
  return (
    <div class="loaded-split">
      <span>
        <strong>{model.gpuPercent} % GPU</strong>
        {model.fit ? <span class="muted"> · estimated {model.fit.gpuPercent} %</span> : null}
      </span>
      {model.problem ? <Problem tone="warning" message={model.problem.message} fix={model.problem.fix} /> : null}
    </div>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { LIMITS } from '../../shared/limits.ts';
import { EXTERNAL_FIX, describeMove, type ModelsMoveProgress, type ModelsMoveResult } from '../../shared/models-folder.ts';
import { formatBytes } from '../format.ts';
import { useAppState, useStore } from '../store.ts';
import { ActionError, Problem, useAction } from './ui.tsx';

const PHASES: Record<ModelsMoveProgress['phase'], string> = {
  copying: 'Copying',
  verifying: 'Verifying sizes and digests',
  switching: 'Restarting Ollama on the new folder',
  listing: 'Checking that every model is listed',
};

/**
 * "Move models folder" (issue 24 §5): the managed Ollama's folder is copied, verified and
 * switched by main; here the user picks the folder, watches, may cancel, and then may delete the
 * old copy. An Ollama the app did not start is explained instead.
 */
export function ModelsFolderMoveSection() {
  const { bridge } = useStore();
  const state = useAppState();
  const [target, setTarget] = useState('');
  const [progress, setProgress] = useState<ModelsMoveProgress | null>(null);
  const [result, setResult] = useState<ModelsMoveResult | null>(null);
  const [freed, setFreed] = useState<number | null>(null);
  const [run, action] = useAction();
  const [remove, removal] = useAction();
  const { server } = state.ollama;
  const owner = 'owner' in server ? server.owner : null;
  const moving = action.busy;

  useEffect(() => bridge.on('models-move-progress', setProgress), [bridge]);

  const move = () =>
    run(async () => {
      setResult(null);
      setFreed(null);
      setProgress(null);
      try {
        const outcome = await bridge.invoke('ollama:move-models', { target: target.trim() });
        setResult(outcome);
        if (outcome.ok) setTarget('');
      } finally {
        setProgress(null);
      }
    });
  const percent = progress && progress.totalBytes > 0 ? Math.floor((progress.doneBytes / progress.totalBytes) * 100) : 0;

  return (
    <>
      <p class="hint">
        In use: <span class="mono">{state.ollamaOptions.modelsDir ?? "Ollama's default (~/.ollama/models)"}</span>
      </p>
      {owner === 'external' || owner === 'remote' ? (
        <Problem tone="info" message="This Ollama was not started by this app, so the app does not move its models folder." fix={EXTERNAL_FIX} />
      ) : (
        <form
          class="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (target.trim() !== '' && !moving) void move();
          }}
        >
          <label class="field">
            <span class="field__label">Move to (an existing folder)</span>
            <input
              type="text"
              class="mono"
              value={target}
              maxLength={LIMITS.path}
              placeholder="/mnt/big-disk/ollama-models"
              disabled={moving}
              onInput={(event) => setTarget(event.currentTarget.value)}
            />
          </label>
          <p class="hint">
            Free space is checked first; the models are copied and verified, Ollama restarts on the new folder, and the old copy stays until you delete it.
          </p>
          {progress ? (
            <div class="pull">
              <div class="pull__line">
                <span>{PHASES[progress.phase]}</span>
                <span class="muted">{percent}%</span>
              </div>
              <progress class="pull__bar" max={100} value={percent} aria-label="Moving the models folder" />
              <p class="hint">
                {formatBytes(progress.doneBytes)} of {formatBytes(progress.totalBytes)}
              </p>
            </div>
          ) : null}
          <div class="form__actions">
            <button type="submit" class="button button--primary" disabled={moving || target.trim() === ''}>
              Move models folder
            </button>
            {moving ? (
              <button type="button" class="button" onClick={() => void bridge.invoke('ollama:cancel-move-models', {})}>
                Cancel
              </button>
            ) : null}
          </div>
        </form>
      )}
      {result && !result.ok ? <Problem tone={result.cancelled ? 'info' : 'error'} message={result.message} fix={result.fix} /> : null}
      {result?.ok ? (
        <div class="notice notice--info" role="status">
          <p class="notice__message">{describeMove(result)}</p>
          {freed === null ? (
            <p class="notice__fix">
              The old copy is still in <span class="mono">{result.source}</span>.{' '}
              <button
                type="button"
                class="button button--danger"
                disabled={removal.busy}
                onClick={() => void remove(async () => setFreed((await bridge.invoke('ollama:delete-old-models', { folder: result.source })).freedBytes))}
              >
                Delete the old copy
              </button>
            </p>
          ) : (
            <p class="notice__fix">Old copy deleted, {formatBytes(freed)} freed.</p>
          )}
        </div>
      ) : null}
      <ActionError state={action} />
      <ActionError state={removal} />
    </>
  );
}

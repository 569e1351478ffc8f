import { useEffect, useRef } from 'preact/hooks';
import type { Download } from '../../shared/state-schema.ts';
import { useAppState, useStore } from '../store.ts';
import { PullProgress } from './download-progress.tsx';
import { ActionError, Problem, StatusPill, useAction } from './ui.tsx';

const TONE = { pulling: 'working', done: 'ok', cancelled: 'neutral', failed: 'error' } as const;

function DownloadRow({ download }: { download: Download }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  return (
    <li class="download">
      {download.state === 'pulling' ? (
        <PullProgress download={download} />
      ) : (
        <div class="pull__line">
          <span class="mono">{download.model}</span>
          <StatusPill tone={TONE[download.state]}>{download.phase}</StatusPill>
        </div>
      )}
      {download.message ? <Problem tone={download.state === 'failed' ? 'error' : 'info'} message={download.message} /> : null}
      <div class="download__actions">
        {download.state === 'pulling' ? (
          <button
            type="button"
            class="button"
            aria-label={`Cancel download of ${download.model}`}
            disabled={action.busy}
            onClick={() => void run(() => bridge.invoke('ollama:cancel-pull', { model: download.model }))}
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            class="button button--ghost"
            aria-label={`Dismiss ${download.model}`}
            onClick={() => void run(() => bridge.invoke('downloads:dismiss', { model: download.model }))}
          >
            Dismiss
          </button>
        )}
      </div>
      <ActionError state={action} />
    </li>
  );
}

/** The sidebar's Downloads button: on every screen, with the number in progress. */
export function DownloadsButton({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  const { downloads } = useAppState();
  const active = downloads.filter((download) => download.state === 'pulling').length;
  return (
    <button
      type="button"
      class={`nav__link nav__button${open ? ' nav__button--open' : ''}`}
      aria-expanded={open}
      aria-controls="downloads-panel"
      onClick={onToggle}
    >
      <svg class="icon" viewBox="0 0 20 20" aria-hidden="true">
        <path d="M9 3h2v8l3-3 1.4 1.4L10 14.8 4.6 9.4 6 8l3 3V3ZM4 16h12v2H4v-2Z" />
      </svg>
      Downloads
      {active > 0 ? (
        <span class="count" aria-label={`${active} in progress`}>
          {active}
        </span>
      ) : null}
    </button>
  );
}

/**
 * The downloads panel: every pull main knows of, in progress or recently finished. It opens by
 * itself when a new download starts, wherever the user is, unless `autoOpen` is off: setup shows
 * its download in the step itself, and the panel would cover the step's buttons in a small window.
 */
export function DownloadsPanel({ open, autoOpen, onOpen, onClose }: { open: boolean; autoOpen: boolean; onOpen: () => void; onClose: () => void }) {
  const { downloads } = useAppState();
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    const keys = new Set(downloads.filter((download) => download.state === 'pulling').map((download) => `${download.model}@${download.startedAt}`));
    // The first snapshot (a reload) is not news: only a download begun since opens the panel.
    if (autoOpen && seen.current !== null && [...keys].some((key) => !seen.current!.has(key))) onOpen();
    seen.current = keys;
  }, [downloads]);
  if (!open) return null;
  return (
    <aside
      id="downloads-panel"
      class="downloads"
      aria-labelledby="downloads-title"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <header class="downloads__header">
        <h2 id="downloads-title" class="card__title">
          Downloads
        </h2>
        <button type="button" class="button button--ghost" onClick={onClose}>
          Close
        </button>
      </header>
      {downloads.length === 0 ? (
        <p class="muted">No downloads. Pull a model from the Models screen.</p>
      ) : (
        <ul class="downloads__list">
          {[...downloads].reverse().map((download) => (
            <DownloadRow key={`${download.model}@${download.startedAt}`} download={download} />
          ))}
        </ul>
      )}
    </aside>
  );
}

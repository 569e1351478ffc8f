import { useEffect, useRef } from 'preact/hooks';
import type { Download } from '../../shared/state-schema.ts';
import { formatBytes } from '../format.ts';
import { useAppState, useStore } from '../store.ts';
import { PullProgress } from './download-progress.tsx';
import { ActionError, Problem, StatusPill, useAction } from './ui.tsx';

const TONE = { pulling: 'working', interrupted: 'error', done: 'ok', cancelled: 'neutral', failed: 'error' } as const;

function DownloadRow({ download }: { download: Download }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const cancel = (
    <button
      type="button"
      class="button"
      aria-label={`Cancel download of ${download.model}`}
      disabled={action.busy}
      onClick={() => void run(() => bridge.invoke('ollama:cancel-pull', { model: download.model }))}
    >
      Cancel
    </button>
  );
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
      {download.state === 'interrupted' && download.totalBytes > 0 ? (
        <p class="hint">
          {formatBytes(download.completedBytes)} of {formatBytes(download.totalBytes)} downloaded
        </p>
      ) : null}
      {download.state === 'pulling' && download.warning ? <Problem tone="warning" message={download.warning} /> : null}
      {download.message ? (
        <Problem tone={download.state === 'failed' ? 'error' : download.state === 'interrupted' ? 'warning' : 'info'} message={download.message} />
      ) : null}
      <div class="download__actions">
        {download.state === 'pulling' ? (
          cancel
        ) : download.state === 'interrupted' ? (
          <>
            {/* Resuming is pulling again: Ollama continues each layer from the part it kept. */}
            <button
              type="button"
              class="button button--primary"
              aria-label={`Resume download of ${download.model}`}
              disabled={action.busy}
              onClick={() => void run(() => bridge.invoke('ollama:pull', { model: download.model, use: download.use }))}
            >
              Resume
            </button>
            {cancel}
          </>
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

/** Who opened the Downloads panel: the user takes focus into it, a download that starts does not. */
export type DownloadsOpen = 'closed' | 'user' | 'auto';

export const DOWNLOADS_BUTTON_ID = 'downloads-button';

/** The sidebar's Downloads button: on every screen, with the number in progress. */
export function DownloadsButton({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  const { downloads } = useAppState();
  const active = downloads.filter((download) => download.state === 'pulling').length;
  // Left by a quit, a crash or a lost network: the button says so until each is resumed or cancelled.
  const interrupted = downloads.filter((download) => download.state === 'interrupted').length;
  return (
    <button
      type="button"
      id={DOWNLOADS_BUTTON_ID}
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
      {interrupted > 0 ? (
        <span class="count count--warning" aria-label={`${interrupted} interrupted`}>
          {interrupted}
        </span>
      ) : null}
    </button>
  );
}

/** "Dismiss all finished": every entry that is no longer pulling, one command each. */
function DismissFinished({ downloads }: { downloads: readonly Download[] }) {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const finished = downloads.filter((download) => download.state !== 'pulling' && download.state !== 'interrupted');
  if (finished.length < 2) return null;
  return (
    <>
      <button
        type="button"
        class="button button--ghost"
        aria-disabled={action.busy}
        onClick={() => action.busy || void run(() => Promise.all(finished.map((download) => bridge.invoke('downloads:dismiss', { model: download.model }))))}
      >
        Dismiss all finished
      </button>
      <ActionError state={action} />
    </>
  );
}

/**
 * The downloads panel: every pull main knows of, in progress or recently finished. It opens by
 * itself when a new download starts, wherever the user is, unless `autoOpen` is off: setup shows
 * its download in the step itself. Opened by itself, it neither takes nor steals focus; opened by
 * the user, it takes focus, and Escape closes it from anywhere. Closing it from inside gives focus
 * back to the Downloads button, never to the page body.
 */
export function DownloadsPanel({ open, autoOpen, onOpen, onClose }: { open: DownloadsOpen; autoOpen: boolean; onOpen: () => void; onClose: () => void }) {
  const { downloads } = useAppState();
  const seen = useRef<Set<string> | null>(null);
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    // A pull refused at once (no space) is never seen pulling: any new entry is news.
    const keys = new Set(downloads.map((download) => `${download.model}@${download.startedAt}`));
    // The first snapshot (a reload) is not news: only a download begun since opens the panel.
    if (autoOpen && seen.current !== null && [...keys].some((key) => !seen.current!.has(key))) onOpen();
    seen.current = keys;
  }, [downloads]);

  const close = () => {
    const active = document.activeElement;
    const focusWasHere = active === null || active === document.body || (panel.current?.contains(active) ?? false);
    onClose();
    if (focusWasHere) document.getElementById(DOWNLOADS_BUTTON_ID)?.focus();
  };
  useEffect(() => {
    if (open !== 'user') return;
    panel.current?.focus();
    // Another handler that used Escape first (a confirmation it cancelled) stops it reaching here.
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  if (open === 'closed') return null;
  return (
    <aside
      id="downloads-panel"
      ref={panel}
      class="downloads"
      aria-labelledby="downloads-title"
      tabIndex={-1}
      onKeyDown={(event) => {
        // Opened by the user, the document's listener closes it.
        if (event.key === 'Escape' && open === 'auto' && !event.defaultPrevented) close();
      }}
    >
      <header class="downloads__header">
        <h2 id="downloads-title" class="card__title">
          Downloads
        </h2>
        <button type="button" class="button button--ghost" onClick={close}>
          Close
        </button>
      </header>
      {downloads.length === 0 ? (
        <p class="muted">No downloads. Pull a model from the Models screen.</p>
      ) : (
        <>
          <ul class="downloads__list">
            {[...downloads].reverse().map((download) => (
              <DownloadRow key={`${download.model}@${download.startedAt}`} download={download} />
            ))}
          </ul>
          <DismissFinished downloads={downloads} />
        </>
      )}
    </aside>
  );
}

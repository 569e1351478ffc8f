import { useAppState, useStore } from '../store.ts';
import { ActionError, useAction } from './ui.tsx';

/** "Restart to update", on every screen once a verified update is waiting; nothing otherwise (a failed check does not nag). */
export function UpdateBanner() {
  const { bridge } = useStore();
  const { update } = useAppState();
  const [run, action] = useAction();
  if (update?.status !== 'downloaded' || update.version === null) return null;
  return (
    <div class="banner banner--update" role="status">
      <span>Stigmer Desktop {update.version} is ready. Restarting stops the runner first, as Quit does.</span>
      <button type="button" class="button button--primary" disabled={action.busy} onClick={() => void run(() => bridge.invoke('app:restart-to-update', {}))}>
        Restart to update
      </button>
      <ActionError state={action} />
    </div>
  );
}

const STATUS_TEXT = {
  idle: 'Not checked yet.',
  checking: 'Checking for updates…',
  'up-to-date': 'This is the latest version.',
  downloading: 'Downloading',
  downloaded: 'Ready to install',
  failed: '',
} as const;

/** Settings: the opt-out, and what the last check found (the one place a failure is shown). Shown only where the host updates itself. */
export function UpdatesSection() {
  const { bridge } = useStore();
  const { update } = useAppState();
  const [run, action] = useAction();
  if (!update) return null;
  const progress =
    update.status === 'downloading' || update.status === 'downloaded'
      ? ` ${update.version ?? ''}${update.percent !== null && update.status === 'downloading' ? ` (${Math.round(update.percent)} %)` : ''}`
      : '';
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          checked={update.enabled}
          disabled={action.busy}
          onChange={(event) => void run(() => bridge.invoke('app:set-auto-update', { enabled: event.currentTarget.checked }))}
        />
        <span>Check for updates on start and daily, and download them in the background</span>
      </label>
      <p class="muted" data-testid="update-feed">
        Updates come from {update.feed.url ?? 'the address built into the app'} ({update.feed.source}).
      </p>
      <p class="muted" data-testid="update-status">
        {update.message ?? `${STATUS_TEXT[update.status]}${progress}`}
      </p>
      <ActionError state={action} />
    </>
  );
}

import type { UpdateState } from '../../shared/updates.ts';

/** How often a running app checks again (issue 23 §4: on start and daily). */
export const CHECK_INTERVAL_MS = 24 * 60 * 60 * 1000;

/** What the updater reports, whatever drives it (electron-updater in the Electron host). */
export type UpdaterEvent =
  | { kind: 'checking' }
  | { kind: 'available'; version: string }
  | { kind: 'not-available' }
  | { kind: 'progress'; percent: number }
  | { kind: 'downloaded'; version: string }
  | { kind: 'error'; error: { message: string; code?: string | undefined } };

/** The feed the updater reads `latest*.yml` from: the environment wins over Settings, which win over the build's app-update.yml. Pure. */
export function resolveFeed(env: NodeJS.ProcessEnv, saved: string | undefined): UpdateState['feed'] {
  const fromEnv = env.STIGMER_UPDATE_URL?.trim();
  if (fromEnv) return { url: fromEnv, source: 'env:STIGMER_UPDATE_URL' };
  if (saved) return { url: saved, source: 'settings' };
  return { url: null, source: 'app-update.yml' };
}

export const initialUpdateState = (enabled: boolean, feed: UpdateState['feed']): UpdateState => ({
  enabled,
  status: 'idle',
  version: null,
  percent: null,
  message: null,
  checkedAt: null,
  feed,
});

// Node's and Chromium's ways of saying the server was not reached.
const UNREACHABLE =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|net::ERR_(INTERNET_DISCONNECTED|NAME_NOT_RESOLVED|CONNECTION_REFUSED|CONNECTION_RESET|TIMED_OUT|ADDRESS_UNREACHABLE|NETWORK_CHANGED|PROXY_CONNECTION_FAILED))\b/;

/** One sentence for a failed check or download: what happened and what the app does about it. Pure. */
export function describeUpdateError(error: { message: string; code?: string | undefined }, state: Pick<UpdateState, 'version' | 'feed'>): string {
  const where = state.feed.url ?? 'the update server';
  if (error.code === 'ERR_CHECKSUM_MISMATCH' || /sha512 checksum mismatch/i.test(error.message))
    return `The downloaded update${state.version ? ` ${state.version}` : ''} was refused: its sha512 checksum does not match the one published in latest.yml, so nothing was installed. The app tries again at the next check.`;
  if (error.code === 'ERR_UPDATER_INVALID_SIGNATURE' || /not signed by the application owner|signature/i.test(error.message))
    return `The downloaded update${state.version ? ` ${state.version}` : ''} was refused: its code signature could not be verified, so nothing was installed.`;
  if (UNREACHABLE.test(`${error.code ?? ''} ${error.message}`))
    return `Could not reach ${where} to check for updates (offline?); the app checks again tomorrow.`;
  const first = error.message.split('\n')[0]!.slice(0, 300);
  return `The update check failed: ${first}`;
}

/** The state after one updater event, at `now`. Pure. */
export function nextUpdateState(state: UpdateState, event: UpdaterEvent, now: number): UpdateState {
  switch (event.kind) {
    case 'checking':
      // A downloaded update stays offered while a later check runs.
      return state.status === 'downloaded' ? state : { ...state, status: 'checking', message: null };
    case 'available':
      return { ...state, status: 'downloading', version: event.version, percent: 0, message: null, checkedAt: now };
    case 'not-available':
      return { ...state, status: 'up-to-date', version: null, percent: null, message: null, checkedAt: now };
    case 'progress':
      return state.status === 'downloading' ? { ...state, percent: Math.max(0, Math.min(100, event.percent)) } : state;
    case 'downloaded':
      return { ...state, status: 'downloaded', version: event.version, percent: 100, message: null };
    case 'error':
      if (state.status === 'downloaded') return state;
      return { ...state, status: 'failed', percent: null, message: describeUpdateError(event.error, state), checkedAt: now };
  }
}

/** The line the app log gets for an event, or none (progress would flood it). Pure. */
export function updateLogLine(before: UpdateState, after: UpdateState, event: UpdaterEvent): { level: 'info' | 'warn'; message: string } | undefined {
  switch (event.kind) {
    case 'available':
      return { level: 'info', message: `Update ${event.version} is available; downloading it in the background` };
    case 'not-available':
      return { level: 'info', message: 'Checked for updates: this is the latest version' };
    case 'downloaded':
      return { level: 'info', message: `Update ${event.version} downloaded and verified; "Restart to update" installs it` };
    case 'error':
      // One line per failure, not one per retry of the same one: offline does not nag.
      return after.message && after.message !== before.message ? { level: 'warn', message: after.message } : undefined;
    default:
      return undefined;
  }
}

/** "Restart to update" is offered only for a verified download. Pure. */
export const canRestartToUpdate = (state: UpdateState | null): state is UpdateState & { version: string } =>
  state !== null && state.status === 'downloaded' && state.version !== null;

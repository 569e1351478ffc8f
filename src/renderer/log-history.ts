import { LIMITS } from '../shared/limits.ts';
import { LOG_SOURCES } from '../shared/logs.ts';
import type { AppStore } from './store.ts';

/**
 * Loads what the window does not hold from the log files: the lines of a gap left by sampling,
 * and lines older than the buffer. Each call reads at most this many lines, so one answer stays
 * a few megabytes; a bigger gap leaves a marker for the rest.
 */
export const FILE_READ_LINES = 5_000;
/** Older lines come in smaller steps: they load as the user scrolls up. */
export const OLDER_READ_LINES = 1_000;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Opens the gap marker at `absolute`: its lines replace it (and a marker for the rest, if more). */
export async function openGap(store: AppStore, absolute: number): Promise<void> {
  const gap = store.logs.at(absolute)?.gap;
  if (!gap || gap.loading) return;
  gap.loading = true;
  gap.error = null;
  store.logsChanged();
  try {
    const { lines, more } = await store.bridge.invoke('logs:read-files', {
      sources: [...LOG_SOURCES],
      fromTs: gap.fromTs,
      toTs: gap.toTs,
      limit: FILE_READ_LINES,
      end: 'oldest',
    });
    // The marker may have moved meanwhile (older lines loaded in front): find it again.
    let at = absolute;
    while (store.logs.at(at) && store.logs.at(at)!.gap !== gap) at++;
    gap.loading = false;
    store.logs.fillGap(at, lines, more);
  } catch (error) {
    gap.loading = false;
    gap.error = describe(error);
  }
  store.logsChanged();
}

let loadingOlder = false;

/** Loads the lines just older than the oldest one in the window. */
export async function loadOlder(store: AppStore): Promise<void> {
  const oldest = store.logs.entries[0];
  if (loadingOlder || !oldest || !store.logs.olderInFiles) return;
  loadingOlder = true;
  try {
    const { lines, more } = await store.bridge.invoke('logs:read-files', {
      sources: [...LOG_SOURCES],
      toTs: oldest.ts,
      // The lines at `oldest.ts` the window holds come back too; prependOlder leaves them out.
      limit: Math.min(LIMITS.logFileLines, OLDER_READ_LINES + store.logs.oldestMillisecond().length),
      end: 'newest',
    });
    if (store.logs.entries[0] === oldest) store.logs.prependOlder(lines, more);
  } finally {
    loadingOlder = false;
    store.logsChanged();
  }
}

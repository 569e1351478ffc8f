/**
 * electron-updater behind the core's `UpdaterPort`: a generic feed (`latest*.yml` next to the
 * artifacts), background downloads, install only on "Restart to update". electron-updater keeps
 * its checks: the sha512 of every download against latest*.yml, and the code signature on
 * Windows (publisherName) and macOS (Squirrel.Mac).
 */
import type { UpdateState } from '../../shared/updates.ts';
import type { UpdaterPort } from '../updates/app-updates.ts';
import type { UpdaterEvent } from '../updates/update-policy.ts';

export interface ElectronUpdaterOptions {
  feed: UpdateState['feed'];
  onEvent: (event: UpdaterEvent) => void;
  /** electron-updater's own lines: detail for the log at debug level (the core words the outcome once). */
  log: (message: string) => void;
}

/**
 * Undefined where electron-updater cannot update this installation (a Linux build that is neither
 * an AppImage nor a deb/rpm/pacman package). electron-updater is loaded here, by the packaged app
 * only: importing it costs ~150 ms of CPU, which an app that cannot update itself never pays.
 */
export async function electronUpdaterPort({ feed, onEvent, log }: ElectronUpdaterOptions): Promise<UpdaterPort | undefined> {
  const { default: electronUpdater } = await import('electron-updater');
  // The platform's updater: NSIS, Squirrel.Mac, AppImage (or deb/rpm by resources/package-type).
  const updater = electronUpdater.autoUpdater;
  const detail = (message: unknown) => log(String(message));
  updater.logger = { info: detail, warn: detail, error: detail };
  updater.autoDownload = true;
  // Installing is "Restart to update" only, after the runner stopped: never behind the user's back at Quit.
  updater.autoInstallOnAppQuit = false;
  // Without an override the feed is electron-builder.yml's `publish`, written into resources/app-update.yml.
  if (feed.url) updater.setFeedURL({ provider: 'generic', url: feed.url });
  if (!updater.isUpdaterActive()) return undefined;

  updater.on('checking-for-update', () => onEvent({ kind: 'checking' }));
  updater.on('update-available', (info) => onEvent({ kind: 'available', version: info.version }));
  updater.on('update-not-available', () => onEvent({ kind: 'not-available' }));
  updater.on('download-progress', (progress) => onEvent({ kind: 'progress', percent: progress.percent }));
  updater.on('update-downloaded', (info) => onEvent({ kind: 'downloaded', version: info.version }));
  updater.on('error', (error: Error & { code?: string }) => onEvent({ kind: 'error', error: { message: error.message, code: error.code } }));

  return {
    check: async () => {
      // A failed check is also an `error` event, which reports it.
      await updater.checkForUpdates().catch(() => undefined);
    },
    // Silent (no installer UI where there is one) and relaunch the new version.
    quitAndInstall: () => updater.quitAndInstall(true, true),
  };
}

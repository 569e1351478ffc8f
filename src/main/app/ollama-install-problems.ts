import { formatBytes } from '../../shared/format-bytes.ts';
import type { AppState } from '../../shared/state-schema.ts';
import type { AppProblem } from '../../shared/problems.ts';

const STAGE_WORDS = {
  checking: 'looking for the newest release',
  downloading: 'downloading',
  verifying: 'checking its SHA-256',
  unpacking: 'unpacking',
  starting: 'starting it',
};

/**
 * A title short enough for the tray ("Installing Ollama 0.14.2: downloading 45%") and the figures
 * ("120 MB of 260 MB, 8.1 MB/s, 17 s left"), empty outside the download. Pure.
 */
export function describeInstallProgress(progress: NonNullable<AppState['ollamaInstall']['progress']>): { title: string; figures: string } {
  const percent = progress.stage === 'downloading' && progress.percent !== null ? ` ${Math.floor(progress.percent)}%` : '';
  const title = `Installing Ollama${progress.version ? ` ${progress.version}` : ''}: ${STAGE_WORDS[progress.stage]}${percent}`;
  if (progress.stage !== 'downloading') return { title, figures: '' };
  const parts = [
    progress.totalBytes > 0 ? `${formatBytes(progress.completedBytes)} of ${formatBytes(progress.totalBytes)}` : formatBytes(progress.completedBytes),
  ];
  if (progress.bytesPerSecond !== null) parts.push(`${formatBytes(progress.bytesPerSecond)}/s`);
  if (progress.etaSeconds !== null) parts.push(`${Math.ceil(progress.etaSeconds)} s left`);
  return { title, figures: parts.join(', ') };
}

/**
 * An install in progress (with Cancel), or an update of the app's own Ollama that is available.
 * Shown whichever provider is in use: the user started it, or the Ollama is the app's. Pure.
 */
export function ollamaInstallProblem(install: AppState['ollamaInstall']): AppProblem | null {
  if (install.progress) {
    const { title, figures } = describeInstallProgress(install.progress);
    const resumed = install.progress.resumedFromBytes > 0 ? ` Resumed after ${formatBytes(install.progress.resumedFromBytes)} kept from before.` : '';
    return {
      id: 'ollama:installing',
      severity: 'info',
      title: `${title}.`,
      detail:
        `${figures ? `${figures}.` : ''}${resumed} It goes into this app's data folder, for this user only; nothing runs before its checksum matches.`.trim(),
      actions: [{ kind: 'cancel-install-ollama', label: 'Cancel' }],
    };
  }
  const update = install.update;
  if (update?.managed && update.updateAvailable && update.latest) {
    return {
      id: `ollama:update:${update.latest}`,
      severity: 'info',
      title: `Ollama ${update.latest} is available.`,
      detail: `${update.message} Updating stops this app's Ollama, starts the new one, and keeps the old one until the new one answers.`,
      actions: [{ kind: 'install-ollama', label: 'Update Ollama' }],
    };
  }
  return null;
}

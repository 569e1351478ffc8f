/**
 * Disk space under Ollama's models folder: where that folder is (only known for a server this app
 * launched), how much is free there (`statfs`), and whether a download of a given size fits.
 * The judgement is pure; measuring is one `statfs` call.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../../shared/format-bytes.ts';
import type { OllamaPhase } from '../../shared/ollama.ts';

/** A download must fit with this margin (Ollama writes a partial file, then verifies). */
export const SPACE_MARGIN = 1.1;
/** Below this much free space after a download, the pull goes ahead with a warning. */
export const LOW_SPACE_BYTES = 5e9;

export interface DiskFree {
  freeBytes: number;
  totalBytes: number;
}

/** `statfs` of the file system holding `dir`, or of its nearest existing parent (Ollama creates the folder on its first pull). */
export type MeasureDisk = (dir: string) => Promise<DiskFree>;

export const measureDisk: MeasureDisk = async (dir) => {
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const stats = await fs.promises.statfs(existing);
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
};

export type ModelsFolder = { folder: string } | { folder: null; note: string };

/**
 * The models folder of the server in use. A launched server's is the one the app gave it
 * (`OLLAMA_MODELS` from the settings or the environment, else Ollama's default under HOME); an
 * external or remote server's is its own setting, which the app cannot see, so it says so.
 */
export function modelsFolder(server: OllamaPhase, settingsDir: string | undefined, env: NodeJS.ProcessEnv): ModelsFolder {
  const owner = server.phase === 'running' || server.phase === 'unhealthy' ? server.owner : null;
  if (owner === 'managed') {
    const folder = settingsDir?.trim() || env.OLLAMA_MODELS?.trim() || path.join(env.HOME ?? env.USERPROFILE ?? '', '.ollama', 'models');
    return { folder };
  }
  if (owner === 'remote') {
    return {
      folder: null,
      note: 'Ollama runs on another machine, so the free space of its models folder cannot be seen from here: it is not checked before a pull.',
    };
  }
  if (owner === 'external') {
    return {
      folder: null,
      note: 'Ollama was already running when the app started, so its models folder is that server’s own OLLAMA_MODELS, which the app cannot see: free space is not checked before a pull.',
    };
  }
  return { folder: null, note: 'Ollama is not running, so its models folder and free space are unknown.' };
}

export type SpaceVerdict = { verdict: 'fits' } | { verdict: 'low'; warning: string } | { verdict: 'refused'; reason: string; fix: string };

/**
 * Whether `neededBytes` more fit in `free` bytes of `folder`: refused without a 10 % margin, a
 * warning when less than 5 GB would be left.
 */
export function judgeSpace(model: string, neededBytes: number, free: number, folder: string): SpaceVerdict {
  const withMargin = Math.round(neededBytes * SPACE_MARGIN);
  if (withMargin > free) {
    return {
      verdict: 'refused',
      reason: `Not enough space for ${model}: it needs ${formatBytes(neededBytes)} (${formatBytes(withMargin)} with a 10 % margin) but ${folder} has ${formatBytes(free)} free`,
      fix: `Free at least ${formatBytes(withMargin - free)} there (delete models you no longer use on the Models screen), or set a models folder on a larger disk in Settings, then pull again`,
    };
  }
  const left = free - neededBytes;
  if (left < LOW_SPACE_BYTES) {
    return {
      verdict: 'low',
      warning: `After this download ${folder} will have about ${formatBytes(left)} free, less than ${formatBytes(LOW_SPACE_BYTES)}.`,
    };
  }
  return { verdict: 'fits' };
}

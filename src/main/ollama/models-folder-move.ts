import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { formatBytes } from '../../shared/format-bytes.ts';
import { EXTERNAL_FIX } from '../../shared/models-folder.ts';
import type { OllamaState } from '../../shared/ollama.ts';

export { EXTERNAL_FIX };

/**
 * Moving the managed Ollama's models folder (issue 24 §5): check, copy, verify, switch, list,
 * and only then offer to delete the old copy. `planModelsFolderMove` decides (pure);
 * `moveModelsFolder` acts. Until the new folder is in use and lists every model, the old one is
 * untouched and the setting unchanged: a cancel or a failure removes the partial copy and, if the
 * switch already happened, switches back.
 */

/** The copy needs its size plus this margin free on the target, as a pull does (§3). */
export const SPACE_MARGIN = 1.1;

export interface ModelsFile {
  /** Relative to the models folder, `/`-separated. */
  rel: string;
  size: number;
  /** The sha256 a blob's name promises (`blobs/sha256-<hex>`); null for manifests and other files. */
  digest: string | null;
}

export type Refusal = { ok: false; cancelled: false; message: string; fix: string };
export interface MovePlan {
  ok: true;
  files: readonly ModelsFile[];
  totalBytes: number;
}

export interface MoveSituation {
  /** The Ollama the app sees now. */
  server: OllamaState['server'];
  source: string;
  target: string;
  /** What is at `target`: nothing, something that is not a folder, a folder that already holds models, or a folder to copy into. */
  targetKind: 'missing' | 'not-a-folder' | 'models-folder' | 'folder';
  /** Null when the source folder does not exist. */
  files: readonly ModelsFile[] | null;
  freeBytes: number;
}

const refuse = (message: string, fix: string): Refusal => ({ ok: false, cancelled: false, message, fix });

const isInside = (child: string, parent: string): boolean => {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

/** The sha256 a blob's file name promises, or null for anything that is not a blob. */
export function blobDigest(rel: string): string | null {
  return /^blobs\/sha256[-:]([0-9a-f]{64})$/.exec(rel)?.[1] ?? null;
}

/** Ollama's unfinished download pieces (`sha256-…-partial`, `-partial-0`): not models yet, left behind. */
export const isPartialDownload = (rel: string): boolean => /-partial(-\d+)?$/.test(rel);

/** Whether and what to copy. Pure. */
export function planModelsFolderMove(situation: MoveSituation): MovePlan | Refusal {
  const { server, source, target, targetKind, files, freeBytes } = situation;
  if (server.phase !== 'running' && server.phase !== 'unhealthy') {
    return refuse('Ollama is not running, so the move could not check that every model is listed afterwards.', 'Start Ollama, then move the folder.');
  }
  if (server.owner !== 'managed') {
    return refuse(
      server.owner === 'remote'
        ? 'This Ollama runs on another machine; its models folder is not on this one.'
        : 'This Ollama was not started by this app (a system service or another app), so its models folder is not the app’s to move.',
      EXTERNAL_FIX,
    );
  }
  if (!path.isAbsolute(target)) return refuse(`The new folder must be a full path; "${target}" is not.`, 'Choose the folder again, as a full path.');
  if (targetKind === 'missing') return refuse(`The folder ${target} does not exist.`, 'Create it (or plug in its drive), then move again.');
  if (targetKind === 'not-a-folder') return refuse(`${target} is a file, not a folder.`, 'Choose a folder.');
  if (isInside(target, source) || isInside(source, target)) {
    return refuse(`${target} and the current models folder ${source} contain one another.`, 'Choose a folder outside the current models folder.');
  }
  if (targetKind === 'models-folder') {
    return refuse(`${target} already holds an Ollama models folder (blobs or manifests).`, 'Choose an empty folder, or point Ollama at that one in Settings.');
  }
  if (files === null) return refuse(`There is no models folder at ${source}.`, 'Nothing to move: set the new folder in Settings instead.');
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const needed = Math.ceil(totalBytes * SPACE_MARGIN);
  if (freeBytes < needed) {
    return refuse(
      `Not enough space in ${target}: the models take ${formatBytes(totalBytes)} (${formatBytes(needed)} with a 10 % margin), and ${formatBytes(freeBytes)} is free.`,
      'Free some space there, choose another folder, or delete models you no longer use first.',
    );
  }
  return { ok: true, files, totalBytes };
}

export interface MoveProgress {
  phase: 'copying' | 'verifying' | 'switching' | 'listing';
  doneBytes: number;
  totalBytes: number;
}

export type MoveResult =
  | { ok: true; cancelled: false; source: string; target: string; models: string[]; bytes: number; files: number }
  | Refusal
  | { ok: false; cancelled: true; message: string; fix: string };

export interface MoveDeps {
  server: () => OllamaState['server'];
  /** Saves the folder as the managed Ollama's `OLLAMA_MODELS` and restarts it through the manager's own API. */
  switchTo: (folder: string) => Promise<void>;
  /** The models the running Ollama lists. */
  listModels: () => Promise<string[]>;
  /** Free bytes for an unprivileged user on the file system of `folder`. */
  freeBytes?: (folder: string) => Promise<number>;
}

async function freeBytesOf(folder: string): Promise<number> {
  const stats = await fs.promises.statfs(folder);
  return stats.bavail * stats.bsize;
}

async function targetKind(target: string): Promise<MoveSituation['targetKind']> {
  const stats = await fs.promises.stat(target).catch(() => null);
  if (!stats) return 'missing';
  if (!stats.isDirectory()) return 'not-a-folder';
  const entries = await fs.promises.readdir(target);
  return entries.includes('blobs') || entries.includes('manifests') ? 'models-folder' : 'folder';
}

/** Every file of the models folder but unfinished downloads; null when there is no folder. */
export async function listModelsFiles(source: string): Promise<ModelsFile[] | null> {
  const entries = await fs.promises.readdir(source, { recursive: true, withFileTypes: true }).catch(() => null);
  if (!entries) return null;
  const files: ModelsFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(source, full).split(path.sep).join('/');
    if (isPartialDownload(rel)) continue;
    files.push({ rel, size: (await fs.promises.stat(full)).size, digest: blobDigest(rel) });
  }
  return files.sort((a, b) => a.rel.localeCompare(b.rel));
}

async function sha256Of(file: string, signal: AbortSignal, onBytes: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { signal })) {
    hash.update(chunk as Buffer);
    onBytes((chunk as Buffer).length);
  }
  return hash.digest('hex');
}

const cancelled = (): MoveResult => ({
  ok: false,
  cancelled: true,
  message: 'The move was cancelled; the models stay where they were.',
  fix: 'Nothing to do: the partial copy was removed and the setting is unchanged.',
});

/**
 * Copies `source` to `target`, verifies every size and blob digest, switches the managed Ollama
 * to `target` and checks it lists every model it listed before. The old folder is never changed.
 */
export async function moveModelsFolder(
  request: { source: string; target: string; signal: AbortSignal; onProgress?: (progress: MoveProgress) => void },
  deps: MoveDeps,
): Promise<MoveResult> {
  const source = path.resolve(request.source);
  const target = request.target;
  const { signal } = request;
  const kind = await targetKind(target);
  const files = await listModelsFiles(source);
  const freeBytes = kind === 'folder' ? await (deps.freeBytes ?? freeBytesOf)(target) : 0;
  const plan = planModelsFolderMove({ server: deps.server(), source, target, targetKind: kind, files, freeBytes });
  if (!plan.ok) return plan;

  // Only what the copy creates is removed on the way back: the target may hold other things.
  const created = [...new Set(plan.files.map((file) => file.rel.split('/')[0] ?? file.rel))].filter((top) => !fs.existsSync(path.join(target, top)));
  const removeCopy = () => Promise.all(created.map((top) => fs.promises.rm(path.join(target, top), { recursive: true, force: true })));
  const report = (phase: MoveProgress['phase'], doneBytes: number) => request.onProgress?.({ phase, doneBytes, totalBytes: plan.totalBytes });
  let switched = false;
  try {
    const before = await deps.listModels();
    let done = 0;
    for (const file of plan.files) {
      signal.throwIfAborted();
      const to = path.join(target, ...file.rel.split('/'));
      await fs.promises.mkdir(path.dirname(to), { recursive: true });
      const counted = fs.createReadStream(path.join(source, ...file.rel.split('/')));
      counted.on('data', (chunk) => report('copying', (done += chunk.length)));
      await pipeline(counted, fs.createWriteStream(to, { flags: 'wx' }), { signal });
    }
    done = 0;
    for (const file of plan.files) {
      signal.throwIfAborted();
      const copy = path.join(target, ...file.rel.split('/'));
      const size = (await fs.promises.stat(copy)).size;
      if (size !== file.size) throw new Error(`${file.rel} has ${size} bytes in the copy, ${file.size} in the original`);
      if (file.digest === null) {
        report('verifying', (done += size));
        continue;
      }
      const digest = await sha256Of(copy, signal, (bytes) => report('verifying', (done += bytes)));
      if (digest !== file.digest) throw new Error(`${file.rel}: the copy's sha256 is ${digest}, its name promises ${file.digest}`);
    }
    signal.throwIfAborted();
    report('switching', plan.totalBytes);
    switched = true;
    await deps.switchTo(target);
    report('listing', plan.totalBytes);
    const after = await deps.listModels();
    const missing = before.filter((name) => !after.includes(name));
    if (missing.length > 0) throw new Error(`Ollama does not list ${missing.join(', ')} from the new folder`);
    signal.throwIfAborted();
    return { ok: true, cancelled: false, source, target, models: after, bytes: plan.totalBytes, files: plan.files.length };
  } catch (error) {
    if (switched) await deps.switchTo(source);
    await removeCopy();
    if (signal.aborted) return cancelled();
    const detail = error instanceof Error ? error.message : String(error);
    return refuse(`The move failed and was undone: ${detail}.`, 'The models stay in the old folder. Check the new folder’s drive, then try again.');
  }
}

/** Deletes the old copy after a move: only the entries the move copied, and never the folder Ollama now uses. */
export async function deleteOldModelsFolder(oldFolder: string, inUse: string): Promise<number> {
  if (isInside(path.resolve(inUse), path.resolve(oldFolder)) || isInside(path.resolve(oldFolder), path.resolve(inUse))) {
    throw new Error(`${oldFolder} is (or holds) the models folder in use`);
  }
  const files = (await listModelsFiles(oldFolder)) ?? [];
  const tops = [...new Set(files.map((file) => file.rel.split('/')[0] ?? file.rel))];
  await Promise.all(tops.map((top) => fs.promises.rm(path.join(oldFolder, top), { recursive: true, force: true })));
  return files.reduce((sum, file) => sum + file.size, 0);
}

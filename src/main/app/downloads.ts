import type { Download } from '../../shared/state-schema.ts';
import { asSentence } from './command-error.ts';
import type { OllamaPullProgress, OllamaPullResult } from '../../shared/ollama.ts';

/** Finished downloads kept for the panel; older ones drop off. */
const MAX_FINISHED = 10;

/** Ollama's status line as people read it; layer digests (`pulling 6a0746a1ec1a`) become "Downloading". */
export function downloadPhase(status: string): string {
  if (/^pulling manifest/i.test(status)) return 'Starting';
  if (/^pulling /i.test(status)) return 'Downloading';
  if (/^verifying/i.test(status)) return 'Verifying';
  if (/^(writing|removing)/i.test(status)) return 'Finishing';
  if (/^success/i.test(status)) return 'Installed';
  return 'Downloading';
}

function finishedMessage(result: OllamaPullResult, use: boolean): string {
  switch (result.status) {
    case 'success':
      return use ? `${result.model} is installed and in use.` : `${result.model} is installed. Your current model is unchanged.`;
    case 'cancelled':
      return `Download of ${result.model} cancelled. Ollama keeps the finished parts; pulling it again resumes.`;
    case 'failed':
      return `${asSentence(result.reason)}. ${asSentence(result.fix)}.`;
  }
}

/**
 * The downloads the window lists, kept in main so a reload or another window sees the same:
 * pulls in progress with bytes, speed and time left, and the last few finished ones.
 */
export class DownloadList {
  readonly #downloads = new Map<string, Download>();
  readonly #now: () => number;
  readonly #onChange: () => void;

  constructor(onChange: () => void, now: () => number = Date.now) {
    this.#onChange = onChange;
    this.#now = now;
  }

  list(): Download[] {
    return [...this.#downloads.values()];
  }

  isPulling(model: string): boolean {
    return this.#downloads.get(model)?.state === 'pulling';
  }

  /** Whether the user asked to use `model` once its pull lands. */
  wantsUse(model: string): boolean {
    return this.#downloads.get(model)?.use === true;
  }

  begin(model: string, use: boolean): void {
    this.#downloads.delete(model);
    this.#downloads.set(model, {
      model,
      state: 'pulling',
      phase: 'Starting',
      completedBytes: 0,
      totalBytes: 0,
      percent: null,
      bytesPerSecond: null,
      etaSeconds: null,
      use,
      message: null,
      startedAt: this.#now(),
      finishedAt: null,
    });
    this.#onChange();
  }

  progress(progress: OllamaPullProgress): void {
    const current = this.#downloads.get(progress.model);
    if (current?.state !== 'pulling') return;
    const { model: _model, status, ...numbers } = progress;
    this.#downloads.set(progress.model, { ...current, ...numbers, phase: downloadPhase(status) });
    this.#onChange();
  }

  finish(result: OllamaPullResult): void {
    const current = this.#downloads.get(result.model);
    if (!current) return;
    const state = result.status === 'success' ? 'done' : result.status;
    this.#downloads.set(result.model, {
      ...current,
      state,
      phase: { done: 'Installed', cancelled: 'Cancelled', failed: 'Failed' }[state],
      bytesPerSecond: null,
      etaSeconds: null,
      message: finishedMessage(result, current.use),
      finishedAt: this.#now(),
    });
    const finished = this.list().filter((download) => download.state !== 'pulling');
    for (const old of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED))) this.#downloads.delete(old.model);
    this.#onChange();
  }

  /** Removes a finished download; one in progress stays (cancel it first). */
  dismiss(model: string): void {
    if (this.#downloads.get(model)?.state === 'pulling') return;
    if (this.#downloads.delete(model)) this.#onChange();
  }
}

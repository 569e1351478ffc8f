import type { Download } from '../../shared/state-schema.ts';
import { asSentence } from './command-error.ts';
import type { OllamaPullProgress, OllamaPullResult } from '../../shared/ollama.ts';
import type { QueueEntry } from './download-queue.ts';

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
      return `Download of ${result.model} cancelled. Ollama's API has no request to delete a partial download: the parts already down stay in its models folder until Ollama removes unused files when it next starts (unless OLLAMA_NOPRUNE is set).`;
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

  isInterrupted(model: string): boolean {
    return this.#downloads.get(model)?.state === 'interrupted';
  }

  /** A pull a previous run left unfinished, offered for Resume. */
  restore(entry: QueueEntry): void {
    const percent = entry.totalBytes > 0 ? Math.min(100, (entry.completedBytes / entry.totalBytes) * 100) : null;
    this.#downloads.set(entry.model, {
      ...this.#fresh(entry.model, entry.use),
      state: 'interrupted',
      phase: 'Interrupted',
      completedBytes: entry.completedBytes,
      totalBytes: entry.totalBytes,
      percent,
      message: `The download of ${entry.model} stopped${percent === null ? '' : ` at ${Math.floor(percent)} %`} when the app last closed. Resume continues where it stopped (Ollama keeps what was downloaded); Cancel discards it.`,
      startedAt: entry.startedAt,
    });
    this.#onChange();
  }

  /** Whether the user asked to use `model` once its pull lands. */
  wantsUse(model: string): boolean {
    return this.#downloads.get(model)?.use === true;
  }

  #fresh(model: string, use: boolean): Download {
    return {
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
      warning: null,
      startedAt: this.#now(),
      finishedAt: null,
    };
  }

  begin(model: string, use: boolean): void {
    this.#downloads.delete(model);
    this.#downloads.set(model, this.#fresh(model, use));
    this.#onChange();
  }

  /** A note on the disk while the pull runs (little space left after it, or space not checked). */
  warn(model: string, warning: string): void {
    const current = this.#downloads.get(model);
    if (current?.state !== 'pulling' || current.warning === warning) return;
    this.#downloads.set(model, { ...current, warning });
    this.#onChange();
  }

  /** Between two attempts: the phase says when the next one starts. */
  retrying(model: string, phase: string): void {
    const current = this.#downloads.get(model);
    if (current?.state !== 'pulling') return;
    this.#downloads.set(model, { ...current, phase, bytesPerSecond: null, etaSeconds: null });
    this.#onChange();
  }

  /** Cut short but resumable: kept with its bytes, a message with the fix, and Resume. */
  interrupt(model: string, phase: string, message: string): void {
    const current = this.#downloads.get(model);
    if (!current) return;
    this.#downloads.set(model, { ...current, state: 'interrupted', phase, bytesPerSecond: null, etaSeconds: null, message, finishedAt: this.#now() });
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
    const finished = this.list().filter((download) => download.state !== 'pulling' && download.state !== 'interrupted');
    for (const old of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED))) this.#downloads.delete(old.model);
    this.#onChange();
  }

  /** Removes a finished download; one in progress or interrupted stays (cancel it first). */
  dismiss(model: string): void {
    const state = this.#downloads.get(model)?.state;
    if (state === 'pulling' || state === 'interrupted') return;
    if (this.#downloads.delete(model)) this.#onChange();
  }
}

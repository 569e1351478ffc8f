import type { OllamaPullProgress } from '../../shared/ollama.ts';

/** One line of Ollama's `/api/pull` stream. */
export interface PullStreamPart {
  status: string;
  digest?: string | undefined;
  total?: number | undefined;
  completed?: number | undefined;
}

export interface PullProgressOptions {
  now?: () => number;
  /** Speed is measured over this recent window, so a stall shows quickly. */
  speedWindowMs?: number;
}

/** Statuses after the download, when every byte is in. */
const FINISHING = /^(verifying|writing|removing|success)/;

/**
 * Folds Ollama's per-layer pull lines into one progress: bytes over all layers seen, percent,
 * speed over a recent window, and the ETA at that speed.
 */
export class PullProgressTracker {
  readonly #model: string;
  readonly #now: () => number;
  readonly #windowMs: number;
  readonly #layers = new Map<string, { total: number; completed: number }>();
  #samples: { at: number; bytes: number }[] = [];

  constructor(model: string, options: PullProgressOptions = {}) {
    this.#model = model;
    this.#now = options.now ?? (() => Date.now());
    this.#windowMs = options.speedWindowMs ?? 3000;
  }

  update(part: PullStreamPart): OllamaPullProgress {
    if (part.digest && typeof part.total === 'number' && part.total > 0) {
      const completed = Math.min(part.total, Math.max(0, part.completed ?? 0));
      this.#layers.set(part.digest, { total: part.total, completed });
    }
    let totalBytes = 0;
    let completedBytes = 0;
    for (const layer of this.#layers.values()) {
      totalBytes += layer.total;
      completedBytes += layer.completed;
    }
    const finishing = FINISHING.test(part.status);
    if (finishing) completedBytes = totalBytes;

    const at = this.#now();
    this.#samples.push({ at, bytes: completedBytes });
    // Keep one sample at or before the window's start, so a stall reads as 0 B/s rather than unknown.
    while (this.#samples.length > 2 && at - (this.#samples[1]?.at ?? at) >= this.#windowMs) this.#samples.shift();
    const first = this.#samples[0];
    const elapsedMs = first ? at - first.at : 0;
    const bytesPerSecond = first && elapsedMs > 0 ? ((completedBytes - first.bytes) * 1000) / elapsedMs : null;
    const remaining = totalBytes - completedBytes;
    const etaSeconds = finishing || (totalBytes > 0 && remaining === 0) ? 0 : bytesPerSecond && bytesPerSecond > 0 ? remaining / bytesPerSecond : null;

    return {
      model: this.#model,
      status: part.status,
      completedBytes,
      totalBytes,
      percent: totalBytes > 0 ? Math.min(100, (completedBytes / totalBytes) * 100) : null,
      bytesPerSecond,
      etaSeconds,
    };
  }
}

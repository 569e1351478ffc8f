import type { OllamaPullProgress, OllamaPullResult } from '../../shared/ollama.ts';

export interface PullOptions {
  signal?: AbortSignal;
  onProgress?: (progress: OllamaPullProgress) => void;
}

/** The model pulls in progress, one per model, each cancellable, with their progress as the state shows it. */
export class Pulls {
  readonly #controllers = new Map<string, AbortController>();
  #progress: Record<string, OllamaPullProgress> = {};
  readonly #onChange: (progress: Record<string, OllamaPullProgress>) => void;

  constructor(onChange: (progress: Record<string, OllamaPullProgress>) => void) {
    this.#onChange = onChange;
  }

  /** Runs `pull` for `model` unless one runs already; never throws for that (the result says so). */
  async run(
    model: string,
    options: PullOptions,
    pull: (signal: AbortSignal, onProgress: (progress: OllamaPullProgress) => void) => Promise<OllamaPullResult>,
  ): Promise<OllamaPullResult> {
    if (this.#controllers.has(model)) {
      return { status: 'failed', model, reason: `${JSON.stringify(model)} is already being pulled`, fix: 'wait for that pull to finish, or cancel it' };
    }
    const controller = new AbortController();
    const cancel = () => controller.abort();
    options.signal?.addEventListener('abort', cancel, { once: true });
    if (options.signal?.aborted) controller.abort();
    this.#controllers.set(model, controller);
    try {
      return await pull(controller.signal, (progress) => {
        this.#set({ ...this.#progress, [model]: progress });
        options.onProgress?.(progress);
      });
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      this.#controllers.delete(model);
      const { [model]: _done, ...others } = this.#progress;
      this.#set(others);
    }
  }

  /** Cancels a pull in progress; false when none is running for that model. */
  cancel(model: string): boolean {
    const controller = this.#controllers.get(model);
    controller?.abort();
    return controller !== undefined;
  }

  cancelAll(): void {
    for (const controller of this.#controllers.values()) controller.abort();
  }

  #set(progress: Record<string, OllamaPullProgress>): void {
    this.#progress = progress;
    this.#onChange(progress);
  }
}

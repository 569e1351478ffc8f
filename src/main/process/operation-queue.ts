/**
 * Runs lifecycle operations (start, stop, restart, reconfigure) one at a time, in the order
 * they were asked for. A failed operation rejects its own caller only; the next one still runs.
 */
export class OperationQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** Queues `operation` behind those already asked for; resolves or rejects with its result. */
  run<T>(operation: () => Promise<T> | T): Promise<T> {
    this.#pending += 1;
    const result = this.#tail.then(operation).finally(() => {
      this.#pending -= 1;
    });
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Whether an operation runs or waits. */
  get busy(): boolean {
    return this.#pending > 0;
  }
}

import type { Hardware } from '../../shared/hardware.ts';
import { detectHardware, type HardwareOptions } from './detect.ts';

/** How long a reading stands before the next request reads again (memory in use changes). */
export const HARDWARE_MAX_AGE_MS = 60_000;

/**
 * The hardware, read in the background and cached: start-up never waits for it, one read runs
 * at a time, and a reading older than `maxAgeMs` is refreshed on the next request.
 */
export class HardwareWatch {
  readonly #options: HardwareOptions;
  readonly #maxAgeMs: number;
  #current: { hardware: Hardware; at: number } | undefined;
  #reading: Promise<Hardware> | undefined;

  constructor(options: HardwareOptions = {}, maxAgeMs = HARDWARE_MAX_AGE_MS) {
    this.#options = options;
    this.#maxAgeMs = maxAgeMs;
  }

  /** The last reading, or undefined before the first one ends. */
  current(): Hardware | undefined {
    return this.#current?.hardware;
  }

  /** A reading no older than `maxAgeMs`; reads again (once, for all callers) when it is. */
  get(): Promise<Hardware> {
    if (this.#current && performance.now() - this.#current.at < this.#maxAgeMs) return Promise.resolve(this.#current.hardware);
    this.#reading ??= detectHardware(this.#options).then((hardware) => {
      this.#current = { hardware, at: performance.now() };
      this.#reading = undefined;
      return hardware;
    });
    return this.#reading;
  }
}

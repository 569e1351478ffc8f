export interface RingBufferOptions {
  /** At most this many items are kept. */
  maxEntries: number;
  /** The kept items' sizes never add up to more than this; an item larger on its own is not kept. */
  maxBytes: number;
}

/** The newest items, bounded both in count and in (caller-estimated) bytes; the oldest go first. */
export class RingBuffer<T> {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #items: (T | undefined)[];
  readonly #sizes: Float64Array;
  /** Index of the oldest item. */
  #head = 0;
  #count = 0;
  #bytes = 0;

  constructor(options: RingBufferOptions) {
    if (!(options.maxEntries >= 1) || !(options.maxBytes >= 1)) throw new RangeError('A ring buffer needs room for at least one entry and one byte');
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
    this.#items = new Array<T | undefined>(options.maxEntries);
    this.#sizes = new Float64Array(options.maxEntries);
  }

  get size(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  push(item: T, bytes: number): void {
    if (bytes > this.#maxBytes) return;
    while (this.#count === this.#maxEntries || this.#bytes + bytes > this.#maxBytes) this.#dropOldest();
    const index = (this.#head + this.#count) % this.#maxEntries;
    this.#items[index] = item;
    this.#sizes[index] = bytes;
    this.#count++;
    this.#bytes += bytes;
  }

  /** The kept items, oldest first, that pass `keep`; at most the newest `limit` of them. */
  toArray(keep: (item: T) => boolean = () => true, limit = Infinity): T[] {
    const result: T[] = [];
    for (let offset = this.#count - 1; offset >= 0 && result.length < limit; offset--) {
      const item = this.#items[(this.#head + offset) % this.#maxEntries]!;
      if (keep(item)) result.push(item);
    }
    return result.reverse();
  }

  #dropOldest(): void {
    this.#bytes -= this.#sizes[this.#head]!;
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#maxEntries;
    this.#count--;
  }
}

/**
 * Where the fake Ollama keeps the layers it pulls, as Ollama does: a layer being downloaded is
 * `blobs/sha256-<hex>-partial` and is renamed to `blobs/sha256-<hex>` once whole; a pull that
 * stops leaves the partial file, and the next pull continues from its size. With a models folder
 * the bytes are really written (zeros), so a small file system fills up and a full one fails the
 * write with ENOSPC as Ollama's does; without one only partial sizes are remembered, in memory.
 */
import fs from 'node:fs';
import path from 'node:path';

/** A fault injected into a pull, used once: the stream goes silent (`stall`) or the connection drops (`drop`). */
export interface PullFault {
  /** `name:tag`, as Ollama names models. */
  model: string;
  /** When the pull has this share of its bytes (0–100). */
  atPercent: number;
  fault: 'stall' | 'drop';
}

const blobName = (digest: string) => digest.replace(':', '-');

export class LayerStore {
  readonly #dir: string | undefined;
  readonly #partial = new Map<string, number>();

  constructor(modelsDir: string | undefined) {
    this.#dir = modelsDir === undefined ? undefined : path.join(modelsDir, 'blobs');
    if (this.#dir) fs.mkdirSync(this.#dir, { recursive: true });
  }

  #file(digest: string, partial: boolean): string {
    return path.join(this.#dir ?? '', `${blobName(digest)}${partial ? '-partial' : ''}`);
  }

  /** Bytes of this layer already here: all of a whole blob, or what a partial file holds. */
  have(digest: string, total: number): number {
    if (!this.#dir) return this.#partial.get(digest) ?? 0;
    if (fs.existsSync(this.#file(digest, false))) return total;
    try {
      return fs.statSync(this.#file(digest, true)).size;
    } catch {
      return 0;
    }
  }

  /** Appends `bytes` to the layer's partial file; throws ENOSPC when the file system is full. */
  write(digest: string, bytes: number): void {
    this.#partial.set(digest, (this.#partial.get(digest) ?? 0) + bytes);
    if (this.#dir) fs.appendFileSync(this.#file(digest, true), Buffer.alloc(bytes));
  }

  complete(digest: string): void {
    this.#partial.delete(digest);
    if (this.#dir && fs.existsSync(this.#file(digest, true))) fs.renameSync(this.#file(digest, true), this.#file(digest, false));
  }

  /** Removes a deleted model's whole blobs, freeing their space. */
  remove(digests: readonly string[]): void {
    if (!this.#dir) return;
    for (const digest of digests) fs.rmSync(this.#file(digest, false), { force: true });
  }
}

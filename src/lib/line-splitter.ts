const LF = 0x0a;
const CR = 0x0d;

/** Lines longer than this (in UTF-8 bytes, without the line ending) are truncated. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** The visible end of a truncated line. */
export const truncationMarker = (droppedBytes: number): string => `… [truncated ${droppedBytes} bytes]`;

export interface LineSplitterOptions {
  maxLineBytes?: number;
  /**
   * Called once per line, in order. `line` is decoded UTF-8 without its `\n` or `\r\n`;
   * `droppedBytes` > 0 means the line was cut after `maxLineBytes` and that many bytes were discarded.
   * `spansChunks` tells that the line was assembled from more than one `write`.
   */
  onLine: (line: string, droppedBytes: number, spansChunks: boolean) => void;
  /**
   * Optional: takes runs of whole lines of one chunk at once, as bytes: `chunk[start, end)` holds
   * lines separated by `\n` (the byte at `end` is the last one's `\n`), none over `maxLineBytes`,
   * each possibly ending in `\r`, undecoded, so that a consumer can work on the bytes. `chunk` is
   * only valid during the call. Without it, those lines go to `onLine` too.
   */
  onRegion?: (chunk: Buffer, start: number, end: number) => void;
}

/**
 * Splits a raw byte stream into lines exactly.
 *
 * Lines are cut on the byte `\n` before decoding: UTF-8 never uses that byte inside a multi-byte
 * character, so a character split across chunks is reassembled first and each complete line is
 * decoded on its own. Invalid UTF-8 becomes U+FFFD with the WHATWG rules (the same result as a
 * non-fatal `TextDecoder`), which never swallow a valid neighbouring character.
 * At most `maxLineBytes` of a line are held in memory, however long the line is.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  readonly #onLine: (line: string, droppedBytes: number, spansChunks: boolean) => void;
  readonly #onRegion: ((chunk: Buffer, start: number, end: number) => void) | undefined;
  /** Bytes of the current, unfinished line that are kept (at most `maxLineBytes`). */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes of the current line beyond `maxLineBytes`, counted but not kept. */
  #droppedBytes = 0;
  /** Whether the last byte seen of the current line (kept or dropped) is `\r`. */
  #endsWithCR = false;

  constructor(options: LineSplitterOptions) {
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#onLine = options.onLine;
    this.#onRegion = options.onRegion;
  }

  write(chunk: Buffer): void {
    let start = 0;
    if (this.#pendingBytes > 0 || this.#droppedBytes > 0 || this.#endsWithCR) {
      const newline = chunk.indexOf(LF);
      if (newline === -1) return this.#hold(chunk, 0, chunk.length);
      this.#hold(chunk, 0, newline);
      this.#finishPending();
      start = newline + 1;
    }
    const lastNewline = chunk.lastIndexOf(LF);
    if (lastNewline >= start) {
      this.#emitWholeLines(chunk, start, lastNewline);
      start = lastNewline + 1;
    }
    this.#hold(chunk, start, chunk.length);
  }

  /** Emits the last line if the stream ended without a newline. */
  end(): void {
    if (this.#pendingBytes > 0 || this.#droppedBytes > 0 || this.#endsWithCR) this.#finishPending();
  }

  /**
   * Emits the lines of `chunk[start, end)`, which are whole: the region ends just before a
   * newline. Runs of lines that cannot be over the limit are decoded at once and split, which
   * gives the same strings as decoding each line (`\n` is never part of a UTF-8 sequence, so a
   * decoder ends any invalid sequence before it) at a fraction of the cost.
   */
  #emitWholeLines(chunk: Buffer, start: number, end: number): void {
    while (end - start > this.#maxLineBytes) {
      const cut = chunk.lastIndexOf(LF, start + this.#maxLineBytes);
      if (cut < start) {
        const newline = chunk.indexOf(LF, start);
        this.#emit(chunk, start, newline > start && chunk[newline - 1] === CR ? newline - 1 : newline, 0, false);
        start = newline + 1;
      } else {
        this.#emitShortLines(chunk, start, cut);
        start = cut + 1;
      }
    }
    if (start <= end) this.#emitShortLines(chunk, start, end);
  }

  /** `chunk[start, end)` holds whole lines, none over the limit. */
  #emitShortLines(chunk: Buffer, start: number, end: number): void {
    if (this.#onRegion) return this.#onRegion(chunk, start, end);
    const lines = chunk.toString('utf8', start, end).split('\n');
    for (const line of lines) this.#onLine(line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line, 0, false);
  }

  #hold(chunk: Buffer, start: number, end: number): void {
    if (end === start) return;
    this.#endsWithCR = chunk[end - 1] === CR;
    const room = this.#maxLineBytes - this.#pendingBytes;
    const kept = Math.min(room, end - start);
    if (kept > 0) {
      // Copied: the caller may reuse its chunk once `write` returns.
      this.#pending.push(Buffer.from(chunk.subarray(start, start + kept)));
      this.#pendingBytes += kept;
    }
    this.#droppedBytes += end - start - kept;
  }

  #finishPending(): void {
    const line = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    let end = this.#pendingBytes;
    let dropped = this.#droppedBytes;
    if (this.#endsWithCR) {
      if (dropped > 0) dropped -= 1;
      else end -= 1;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#droppedBytes = 0;
    this.#endsWithCR = false;
    this.#emit(line, 0, end, dropped, true);
  }

  #emit(bytes: Buffer, start: number, end: number, dropped: number, spansChunks: boolean): void {
    let cut = end;
    if (end - start > this.#maxLineBytes) cut = start + this.#maxLineBytes;
    if (cut < end || dropped > 0) {
      cut = utf8Boundary(bytes, start, cut);
      dropped += end - cut;
    }
    this.#onLine(bytes.toString('utf8', start, cut), dropped, spansChunks);
  }
}

/**
 * The largest position ≤ `end` that does not cut a multi-byte character in half, so a truncated
 * line ends cleanly instead of with a stray U+FFFD.
 */
function utf8Boundary(bytes: Buffer, start: number, end: number): number {
  let lead = end - 1;
  while (lead >= start && lead > end - 4 && (bytes[lead]! & 0xc0) === 0x80) lead--;
  if (lead < start) return end;
  const byte = bytes[lead]!;
  const width = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return lead + width > end ? lead : end;
}

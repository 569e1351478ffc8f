import { StringDecoder } from 'node:string_decoder';
import { stripVTControlCharacters } from 'node:util';
import { neutralizeControls } from '../logs/control-chars.ts';

/** Longest line kept; the full text of longer lines is in the log files. */
const MAX_LINE_CHARS = 2_000;
const LF = 0x0a;

/**
 * The last few lines a runner printed, shown with a crash loop so the user sees why it keeps
 * failing without opening the logs. Deliberately small: the full log pipeline lives in
 * `src/main/logs`.
 */
export class OutputTail {
  readonly #maxLines: number;
  readonly #redact: (text: string) => string;
  readonly #lines: string[] = [];
  /** Per stream: the decoder, and the start of a line whose newline has not arrived yet. */
  readonly #partial = new Map<string, { decoder: StringDecoder; text: string }>();

  constructor(options: { maxLines: number; redact: (text: string) => string }) {
    this.#maxLines = options.maxLines;
    this.#redact = options.redact;
  }

  /**
   * Takes one chunk of a stream's output. Lines are read newest first and only until
   * `maxLines` are kept, so that a flood of output costs next to nothing here.
   */
  write(stream: string, chunk: Buffer): void {
    let state = this.#partial.get(stream);
    if (!state) {
      state = { decoder: new StringDecoder('utf8'), text: '' };
      this.#partial.set(stream, state);
    }
    const lastNewline = chunk.lastIndexOf(LF);
    if (lastNewline === -1) {
      state.text = (state.text + state.decoder.write(chunk)).slice(-MAX_LINE_CHARS);
      return;
    }
    const newestFirst: string[] = [];
    let end = lastNewline;
    let reachedFirstLine = false;
    while (newestFirst.length < this.#maxLines) {
      const newline = end === 0 ? -1 : chunk.lastIndexOf(LF, end - 1);
      if (newline === -1) {
        // Includes its newline, so that the decoder is left holding nothing.
        this.#keep(newestFirst, (state.text + state.decoder.write(chunk.subarray(0, end + 1))).slice(0, -1));
        reachedFirstLine = true;
        break;
      }
      this.#keep(newestFirst, chunk.toString('utf8', newline + 1, end));
      end = newline;
    }
    this.#append(newestFirst.reverse());
    // The skipped older lines may have left half a character in the decoder: start afresh.
    if (!reachedFirstLine) state.decoder = new StringDecoder('utf8');
    state.text = state.decoder.write(chunk.subarray(lastNewline + 1)).slice(-MAX_LINE_CHARS);
  }

  /** Keeps what each stream printed without a final newline, as at the process's exit. */
  flush(): void {
    for (const state of this.#partial.values()) {
      const rest: string[] = [];
      this.#keep(rest, state.text + state.decoder.end());
      this.#append(rest);
    }
    this.#partial.clear();
  }

  lines(): string[] {
    return [...this.#lines];
  }

  clear(): void {
    this.#lines.length = 0;
    this.#partial.clear();
  }

  #append(lines: readonly string[]): void {
    this.#lines.push(...lines);
    if (this.#lines.length > this.#maxLines) this.#lines.splice(0, this.#lines.length - this.#maxLines);
  }

  /** Adds the line as shown (no ANSI codes, controls made visible, secrets masked, at most `MAX_LINE_CHARS`) unless it is blank. */
  #keep(into: string[], raw: string): void {
    const line = neutralizeControls(this.#redact(stripVTControlCharacters(raw.replace(/\r$/, '')).slice(0, MAX_LINE_CHARS)));
    if (line.trim() !== '') into.push(line);
  }
}

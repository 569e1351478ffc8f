import { StringDecoder } from 'node:string_decoder';
import { stripVTControlCharacters } from 'node:util';

/** Longest line kept; the full text of longer lines is in the log files. */
const MAX_LINE_CHARS = 2_000;

/**
 * The last few lines a runner printed, shown with a crash loop so the user sees why it keeps
 * failing without opening the logs. Deliberately small: the full log pipeline lives in
 * `src/main/logs`.
 */
export class OutputTail {
  readonly #maxLines: number;
  readonly #redact: (text: string) => string;
  readonly #lines: string[] = [];
  readonly #partial = new Map<string, { decoder: StringDecoder; text: string }>();

  constructor(options: { maxLines: number; redact: (text: string) => string }) {
    this.#maxLines = options.maxLines;
    this.#redact = options.redact;
  }

  write(stream: string, chunk: Buffer): void {
    const state = this.#partial.get(stream) ?? { decoder: new StringDecoder('utf8'), text: '' };
    this.#partial.set(stream, state);
    const pieces = (state.text + state.decoder.write(chunk)).split('\n');
    state.text = (pieces.pop() ?? '').slice(-MAX_LINE_CHARS);
    for (const piece of pieces) this.#push(piece);
  }

  /** Keeps what each stream printed without a final newline, as at the process's exit. */
  flush(): void {
    for (const state of this.#partial.values()) {
      const rest = state.text + state.decoder.end();
      if (rest !== '') this.#push(rest);
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

  #push(raw: string): void {
    const line = this.#redact(stripVTControlCharacters(raw.replace(/\r$/, '')).slice(0, MAX_LINE_CHARS));
    if (line.trim() === '') return;
    this.#lines.push(line);
    if (this.#lines.length > this.#maxLines) this.#lines.splice(0, this.#lines.length - this.#maxLines);
  }
}

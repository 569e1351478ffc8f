import type { LogLevel } from '../../../shared/logs.ts';
import { COMPOSE_WASM_BASE64 } from './compose-wasm.ts';

/** Level codes, in `LOG_LEVELS` order: what the composer returns and the index of a line's head. */
export const LEVEL_CODES: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
/** A level only the full rules (`levelFromText`, `parseLine`) can read. */
export const UNSURE = -1;

/** What `Composer.run` stopped at (compose.as.ts returns these). */
export const Stop = {
  /** Every line of the input is composed. */
  Done: 0,
  /** The output area is full: take it and run again. */
  Full: 1,
  /** A slow line (`slowStart`, `slowEnd`, `slowScrub`); the next run goes on after it. */
  Slow: 2,
} as const;
export type Stop = (typeof Stop)[keyof typeof Stop];

interface ComposeExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  compose(heads: number, headBytes: number, input: number, length: number, output: number, capacity: number, stderr: number): number;
  consumed(): number;
  outputEndsAt(): number;
  lines(): number;
  slowStart(): number;
  slowEnd(): number;
  slowScrub(): number;
  levelOf(start: number, end: number, stderr: number): number;
}

const PAGE_BYTES = 65_536;
/** Input bytes the composer starts with room for; it grows for a longer line. */
const INITIAL_INPUT_BYTES = 1024 * 1024;
/** The scan reads whole 16-byte blocks, one byte before a block and a few after a character. */
const SLACK = 32;
const LF = 0x0a;

/** One compiled module for the process: it is small (a few KiB) and stateless. */
let compiled: WebAssembly.Module | undefined;

/**
 * The JavaScript side of compose.as.ts: lays out its memory (heads, an input area, an output
 * area), copies a region of a chunk in and runs the composer over it, one window at a time.
 * Positions it reports are in the chunk's terms.
 */
export class Composer {
  readonly #wasm: ComposeExports;
  #bytes: Uint8Array;
  readonly #headsAt: number;
  #headBytes = 0;
  readonly #inputAt: number;
  #inputCapacity = 0;
  #outputAt = 0;
  #outputCapacity = 0;
  /** The chunk position of the input area's first byte, and where the next run starts (in memory). */
  #chunkOffset = 0;
  #next = 0;
  #inputEnd = 0;

  constructor() {
    compiled ??= new WebAssembly.Module(Buffer.from(COMPOSE_WASM_BASE64, 'base64'));
    this.#wasm = new WebAssembly.Instance(compiled, {}).exports as unknown as ComposeExports;
    this.#headsAt = align(this.#wasm.heapBase());
    this.#inputAt = this.#headsAt + 256 + SLACK;
    this.#bytes = new Uint8Array(this.#wasm.memory.buffer);
    this.#ensureInput(INITIAL_INPUT_BYTES);
  }

  /** The six heads (one per level code), all `headBytes` long. */
  setHeads(heads: Uint8Array, headBytes: number): void {
    if (heads.length !== 6 * headBytes || heads.length > 256) throw new Error('log line heads do not fit the composer');
    this.#headBytes = headBytes;
    this.#bytes.set(heads, this.#headsAt);
  }

  /**
   * Loads the longest run of whole lines of `chunk[start, end]` (`end` is a newline) that fits,
   * at least one line, and returns the chunk position of its last newline.
   */
  load(chunk: Uint8Array, start: number, end: number): number {
    let last = end;
    if (last - start + 1 > this.#inputCapacity) {
      last = chunk.lastIndexOf(LF, start + this.#inputCapacity - 1);
      if (last < start) {
        last = chunk.indexOf(LF, start);
        this.#ensureInput(last - start + 1);
      }
    }
    this.#bytes.set(chunk.subarray(start, last + 1), this.#inputAt);
    this.#chunkOffset = start - this.#inputAt;
    this.#next = this.#inputAt;
    this.#inputEnd = this.#inputAt + last - start + 1;
    return last;
  }

  /** Composes loaded lines into the output area until done, full or at a slow line. */
  run(stderr: boolean): Stop {
    const stop = this.#wasm.compose(
      this.#headsAt,
      this.#headBytes,
      this.#next,
      this.#inputEnd - this.#next,
      this.#outputAt,
      this.#outputCapacity,
      stderr ? 1 : 0,
    ) as Stop;
    this.#next = this.#wasm.consumed();
    return stop;
  }

  /** The lines the last run composed, as bytes; valid until the next call. */
  get output(): Uint8Array {
    return this.#bytes.subarray(this.#outputAt, this.#wasm.outputEndsAt());
  }

  get lines(): number {
    return this.#wasm.lines();
  }

  /** The slow line the last run stopped at, in chunk positions, without its line ending. */
  get slowStart(): number {
    return this.#wasm.slowStart() + this.#chunkOffset;
  }

  get slowEnd(): number {
    return this.#wasm.slowEnd() + this.#chunkOffset;
  }

  /** Whether the slow line needs scrubbing, not only its level read by the full rules. */
  get slowScrub(): boolean {
    return this.#wasm.slowScrub() === 1;
  }

  /** The level code of one line (no newline), or UNSURE: `levelFromText`'s answer, read from the bytes. */
  levelOf(line: Uint8Array, stderr: boolean): number {
    this.#ensureInput(line.length);
    this.#bytes.set(line, this.#inputAt);
    // The byte after the line is read as a line end would be; make it one.
    this.#bytes[this.#inputAt + line.length] = LF;
    return this.#wasm.levelOf(this.#inputAt, this.#inputAt + line.length, stderr ? 1 : 0);
  }

  /** Makes room for `bytes` of input and twice that of output (heads make lines longer). */
  #ensureInput(bytes: number): void {
    if (bytes <= this.#inputCapacity) return;
    let capacity = Math.max(this.#inputCapacity, INITIAL_INPUT_BYTES);
    while (capacity < bytes) capacity *= 2;
    const outputAt = align(this.#inputAt + capacity + SLACK);
    const needed = outputAt + 2 * capacity + SLACK;
    const memory = this.#wasm.memory;
    if (memory.buffer.byteLength < needed) {
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE_BYTES));
      // Growing detaches the old buffer; the heads in it are kept by the new one.
      this.#bytes = new Uint8Array(memory.buffer);
    }
    this.#inputCapacity = capacity;
    this.#outputAt = outputAt;
    this.#outputCapacity = 2 * capacity;
  }
}

const align = (address: number): number => Math.ceil(address / 16) * 16;

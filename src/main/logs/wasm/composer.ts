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
/** The longest run of input the composer takes at once; a longer line goes the slow way. */
const INPUT_BYTES = 1024 * 1024;
/** Output for pools outside the composer's memory: room for one longest line and its head. */
const SCRATCH_BYTES = INPUT_BYTES + 64 * 1024;
/** The scan reads whole 16-byte blocks, one byte before a block and a few after a character. */
const SLACK = 32;
const LF = 0x0a;

/** One compiled module for the process: it is small (a few KiB) and stateless. */
let compiled: WebAssembly.Module | undefined;

/**
 * The JavaScript side of compose.as.ts. Its memory holds six heads, an input area, a scratch
 * output area and `pools` buffers that composed lines can be written into directly; it is
 * sized once and never grows, because growing would detach every buffer over it (the pools the
 * log file and the ring still read). Positions it reports are in the chunk's terms.
 */
export class Composer {
  /** Buffers in the composer's memory, for LineWriter's pools. */
  readonly pools: readonly Buffer[];
  /** Output area for lines that go to a pool outside the composer's memory. */
  readonly scratch: Buffer;
  readonly #wasm: ComposeExports;
  readonly #bytes: Uint8Array;
  readonly #headsAt: number;
  #headBytes = 0;
  readonly #inputAt: number;
  /** The chunk position of the input area's first byte, where the next run starts and where the input ends (in memory). */
  #chunkOffset = 0;
  #next = 0;
  #inputEnd = 0;
  #outputStart = 0;

  constructor(options: { pools: number; poolBytes: number }) {
    compiled ??= new WebAssembly.Module(Buffer.from(COMPOSE_WASM_BASE64, 'base64'));
    this.#wasm = new WebAssembly.Instance(compiled, {}).exports as unknown as ComposeExports;
    this.#headsAt = align(this.#wasm.heapBase());
    this.#inputAt = this.#headsAt + 256 + SLACK;
    const scratchAt = align(this.#inputAt + INPUT_BYTES + SLACK);
    const poolsAt = align(scratchAt + SCRATCH_BYTES + SLACK);
    const memory = this.#wasm.memory;
    const needed = poolsAt + options.pools * options.poolBytes;
    if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE_BYTES));
    this.#bytes = new Uint8Array(memory.buffer);
    this.scratch = Buffer.from(memory.buffer, scratchAt, SCRATCH_BYTES);
    this.pools = Array.from({ length: options.pools }, (_, index) => Buffer.from(memory.buffer, poolsAt + index * options.poolBytes, options.poolBytes));
  }

  /** The six heads (one per level code), all `headBytes` long. */
  setHeads(heads: Uint8Array, headBytes: number): void {
    if (heads.length !== 6 * headBytes || heads.length > 256) throw new Error('log line heads do not fit the composer');
    this.#headBytes = headBytes;
    this.#bytes.set(heads, this.#headsAt);
  }

  /**
   * Loads the longest run of whole lines of `chunk[start, end]` (`end` is a newline) that fits
   * and returns the chunk position of its last newline, or -1 when the first line alone is
   * longer than the input area.
   */
  load(chunk: Uint8Array, start: number, end: number): number {
    const last = end - start < INPUT_BYTES ? end : chunk.lastIndexOf(LF, start + INPUT_BYTES - 1);
    if (last < start) return -1;
    this.#bytes.set(chunk.subarray(start, last + 1), this.#inputAt);
    this.#chunkOffset = start - this.#inputAt;
    this.#next = this.#inputAt;
    this.#inputEnd = this.#inputAt + last - start + 1;
    return last;
  }

  /**
   * Composes loaded lines into `capacity` bytes at `output` (an address in the composer's
   * memory: the `byteOffset` of a pool or of `scratch`) until done, full or at a slow line.
   */
  run(stderr: boolean, output: number, capacity: number): Stop {
    this.#outputStart = output;
    const stop = this.#wasm.compose(this.#headsAt, this.#headBytes, this.#next, this.#inputEnd - this.#next, output, capacity, stderr ? 1 : 0) as Stop;
    this.#next = this.#wasm.consumed();
    return stop;
  }

  /** Bytes the last run wrote. */
  get written(): number {
    return this.#wasm.outputEndsAt() - this.#outputStart;
  }

  /** Lines the last run wrote. */
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

  /** The level code of one line (no newline, at most 1 MiB), or UNSURE: `levelFromText`'s answer, read from the bytes. */
  levelOf(line: Uint8Array, stderr: boolean): number {
    if (line.length >= INPUT_BYTES) throw new RangeError('line too long for the composer');
    this.#bytes.set(line, this.#inputAt);
    // The byte after the line is read as a line end would be; make it one.
    this.#bytes[this.#inputAt + line.length] = LF;
    return this.#wasm.levelOf(this.#inputAt, this.#inputAt + line.length, stderr ? 1 : 0);
  }
}

const align = (address: number): number => Math.ceil(address / 16) * 16;

// AssemblyScript, compiled to WebAssembly by `npm run build:wasm` (scripts/build-wasm.ts) into
// compose-wasm.ts beside it; the log pipeline's LineWriter (../line-writer.ts) is its only user.
//
// It composes log file lines (`head body\n`) from a child's raw output: one SIMD pass over the
// bytes finds the newlines and the few bytes that need a closer look, line bodies are copied
// with `memory.copy`, and a line is handed back to JavaScript (a "slow line") only when it has
// a control character, invalid UTF-8, a character that can hide inside a key or bend the line
// (tables.as.ts: SCRUBBED), a credential's marker (tables.as.ts: markerEndsAt), or a level only
// the full rules can read. In JavaScript the same work was a per-byte loop that took most of a
// flood's CPU time. The tables are generated from the data the redactor reads, so the two
// cannot disagree on what a credential or a hidden character is.
//
// Memory is laid out by the caller (see LineWriter): six heads of `headBytes` bytes (one per
// level) at `heads`, the input lines, and room for the output. Input must be followed by 16
// readable bytes: the scan reads whole 16-byte blocks.

import { codeUnit } from './text.as';
import { SCRUBBED, SCRUBBED_LEADS, isLabelSeparator, markerBytes, markerEndsAt, nameEndsAt } from './tables.as';

/** `compose` results. */
const DONE = 0;
/** The output has no room for the next line: copy it out and call again from `consumed()`. */
const FULL = 1;
/** A slow line, `[slowStart(), slowEnd())`, without its CR LF; `consumed()` is after its newline. */
const SLOW = 2;

const LF: u8 = 0x0a;
const CR: u8 = 0x0d;
const UNSURE: i32 = -1;
const INFO: i32 = 2;
const WARN: i32 = 3;
const ERROR: i32 = 4;

let consumedAt: usize = 0;
let outputEnd: usize = 0;
let lineCount: i32 = 0;
let slowLineStart: usize = 0;
let slowLineEnd: usize = 0;
let slowNeedsScrub: i32 = 0;

export function heapBase(): usize {
  return __heap_base;
}
export function consumed(): usize {
  return consumedAt;
}
export function outputEndsAt(): usize {
  return outputEnd;
}
export function lines(): i32 {
  return lineCount;
}
export function slowStart(): usize {
  return slowLineStart;
}
export function slowEnd(): usize {
  return slowLineEnd;
}
/** Whether the slow line needs scrubbing (not only its level read by the full rules). */
export function slowScrub(): i32 {
  return slowNeedsScrub;
}

/**
 * A mask of the bytes of the block at `at` that the scan must look at: newlines, controls (TAB
 * included; it is let through later), DEL and every non-ASCII byte, and the bytes where a
 * credential's marker may end (`markerBytes`).
 */
function interesting(at: usize): i32 {
  const block = v128.load(at);
  return i8x16.bitmask(v128.or(i8x16.lt_u(block, i8x16.splat(0x20)), i8x16.gt_u(block, i8x16.splat(0x7e)))) | markerBytes(at);
}

/**
 * Composes the lines of `[input, input + length)` (whole lines: the last byte is a newline)
 * into `[output, output + capacity)`, each behind the head of its level, until the input ends,
 * the output is full or a slow line comes.
 */
export function compose(heads: usize, headBytes: usize, input: usize, length: usize, output: usize, capacity: usize, stderr: bool): i32 {
  const end = input + length;
  const outputLimit = output + capacity;
  let out = output;
  let count = 0;
  let lineStart = input;
  let special = false;
  let nonAscii = false;
  for (let block = input; block < end; block += 16) {
    let mask = interesting(block);
    if (end - block < 16) mask &= (1 << ((end - block) as i32)) - 1;
    while (mask != 0) {
      const at = block + (ctz(mask) as usize);
      mask &= mask - 1;
      const byte = load<u8>(at);
      if (byte != LF) {
        if (byte >= 0x80) {
          nonAscii = true;
          if (isScrubbed(at, byte)) special = true;
        } else if (byte < 0x20 || byte == 0x7f) {
          if (byte != 0x09 && !(byte == CR && load<u8>(at + 1) == LF)) special = true;
        } else if (mayStartShape(lineStart, at)) {
          special = true;
        }
        continue;
      }
      let contentEnd = at;
      if (contentEnd > lineStart && load<u8>(contentEnd - 1) == CR) contentEnd--;
      const scrub = special || (nonAscii && !isUtf8(lineStart, contentEnd));
      const level = scrub || load<u8>(lineStart) == 0x7b ? UNSURE : levelOf(lineStart, contentEnd, stderr);
      if (level == UNSURE) {
        slowLineStart = lineStart;
        slowLineEnd = contentEnd;
        slowNeedsScrub = scrub ? 1 : 0;
        return finish(at + 1, out, count, SLOW);
      }
      const bodyBytes = contentEnd - lineStart;
      if (outputLimit - out < headBytes + bodyBytes + 1) return finish(lineStart, out, count, FULL);
      memory.copy(out, heads + (level as usize) * headBytes, headBytes);
      out += headBytes;
      memory.copy(out, lineStart, bodyBytes);
      out += bodyBytes;
      store<u8>(out++, LF);
      count++;
      lineStart = at + 1;
      special = false;
      nonAscii = false;
    }
  }
  return finish(lineStart, out, count, DONE);
}

function finish(next: usize, out: usize, count: i32, status: i32): i32 {
  consumedAt = next;
  outputEnd = out;
  lineCount = count;
  return status;
}

/**
 * Whether the character whose UTF-8 form starts at `at` (with `byte`) is one of `SCRUBBED`.
 * Most non-ASCII bytes are let go by their lead byte alone; an invalid form is read as it comes
 * (`isUtf8` sends its line to be scrubbed anyway).
 */
function isScrubbed(at: usize, byte: u8): bool {
  if (((unchecked(SCRUBBED_LEADS[byte >> 5]) >> (byte & 31)) & 1) == 0) return false;
  // In u32: shifts of a u8 would wrap at 8 bits.
  const lead = byte as u32;
  const second = (load<u8>(at + 1) as u32) & 0x3f;
  const third = (load<u8>(at + 2) as u32) & 0x3f;
  let code: u32;
  if (lead < 0xe0) code = ((lead & 0x1f) << 6) | second;
  else if (lead < 0xf0) code = ((lead & 0x0f) << 12) | (second << 6) | third;
  else code = ((lead & 0x07) << 18) | (second << 12) | (third << 6) | ((load<u8>(at + 3) as u32) & 0x3f);
  for (let index = 0; index < SCRUBBED.length; index += 2) {
    if (code < unchecked(SCRUBBED[index])) return false;
    if (code <= unchecked(SCRUBBED[index + 1])) return true;
  }
  return false;
}

/** Whether `[start, end)` is well-formed UTF-8 (as Node's `isUtf8`: no overlong forms, surrogates or values over U+10FFFF). */
function isUtf8(start: usize, end: usize): bool {
  let at = start;
  while (at < end) {
    const byte = load<u8>(at);
    if (byte < 0x80) {
      at++;
      continue;
    }
    let width: usize = 0;
    let low: u8 = 0x80;
    let high: u8 = 0xbf;
    if (byte >= 0xc2 && byte <= 0xdf) width = 2;
    else if (byte >= 0xe0 && byte <= 0xef) {
      width = 3;
      if (byte == 0xe0) low = 0xa0;
      else if (byte == 0xed) high = 0x9f;
    } else if (byte >= 0xf0 && byte <= 0xf4) {
      width = 4;
      if (byte == 0xf0) low = 0x90;
      else if (byte == 0xf4) high = 0x8f;
    } else return false;
    if (end - at < width) return false;
    const second = load<u8>(at + 1);
    if (second < low || second > high) return false;
    for (let index: usize = 2; index < width; index++) {
      const next = load<u8>(at + index);
      if (next < 0x80 || next > 0xbf) return false;
    }
    at += width;
  }
  return true;
}

/**
 * Whether the byte at `at` (of a line starting at `lineStart`) could end the start of a
 * credential's shape: the end of a marker (`sk-`, `ghp_`, `eyJ`, `AKIA`, `bearer `…), or a
 * label separator (`:`, `=`) after a name that ends like a credential's (`…key`, `…token`,
 * `…secret`, `…passw(or)d`), a quote and blanks between them allowed. A superset of what the
 * redactor masks: a line with none of them needs no redaction beyond the known values.
 */
function mayStartShape(lineStart: usize, at: usize): bool {
  const byte = load<u8>(at);
  if (!isLabelSeparator(byte)) return markerEndsAt(lineStart, at);
  let name = at;
  while (name > lineStart && (load<u8>(name - 1) == 0x20 || load<u8>(name - 1) == 0x09)) name--;
  if (name > lineStart && (load<u8>(name - 1) == 0x22 || load<u8>(name - 1) == 0x27)) name--;
  return name > lineStart && nameEndsAt(lineStart, name);
}

// --- Levels: `levelFromText` (../structured.ts) read from the bytes, or UNSURE ---

function isUpper(byte: u8): bool {
  return byte >= 0x41 && byte <= 0x5a;
}
function isLower(byte: u8): bool {
  return byte >= 0x61 && byte <= 0x7a;
}
function isLetter(byte: u8): bool {
  return isUpper(byte) || isLower(byte);
}
function isWordByte(byte: u8): bool {
  return isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5f;
}
/** `[\s[(|:]` in ASCII: what may stand before an upper-case level word. */
function isOpening(byte: u8): bool {
  return byte == 0x20 || byte == 0x09 || byte == 0x0b || byte == 0x0c || byte == 0x0d || byte == 0x5b || byte == 0x28 || byte == 0x7c || byte == 0x3a;
}
/** `[\s\]):|]` in ASCII: what may follow it. */
function isClosing(byte: u8): bool {
  return byte == 0x20 || byte == 0x09 || byte == 0x0b || byte == 0x0c || byte == 0x0d || byte == 0x5d || byte == 0x29 || byte == 0x3a || byte == 0x7c;
}

/** Whether `[at, end)` starts with the ASCII `text`. */
function startsWith(at: usize, end: usize, text: string): bool {
  const length = text.length as usize;
  if (end - at < length) return false;
  for (let index: usize = 0; index < length; index++) if (load<u8>(at + index) != codeUnit(text, index)) return false;
  return true;
}

/**
 * The level of an upper-case word `[start, end)`, or -2 when it is not a level word. Compared
 * four bytes at a time (little-endian: `0x4f464e49` is `INFO`), as this runs for most lines.
 */
function upperWordLevel(start: usize, end: usize): i32 {
  const length = end - start;
  if (length < 4 || length > 8) return -2;
  const head = load<u32>(start);
  if (length == 4) return head == 0x4f464e49 ? INFO : head == 0x4e524157 ? WARN : -2; // INFO, WARN
  const tail = load<u8>(start + 4);
  if (length == 5) {
    if (head == 0x4f525245 && tail == 0x52) return ERROR; // ERROR
    if (head == 0x55424544 && tail == 0x47) return 1; // DEBUG
    if (head == 0x43415254 && tail == 0x45) return 0; // TRACE
    if ((head == 0x41544146 && tail == 0x4c) || (head == 0x494e4150 && tail == 0x43)) return 5; // FATAL, PANIC
    return -2;
  }
  if (length == 6) return head == 0x49544f4e && load<u16>(start + 4) == 0x4543 ? INFO : -2; // NOTICE
  if (length == 7) return head == 0x4e524157 && tail == 0x49 && load<u16>(start + 5) == 0x474e ? WARN : -2; // WARNING
  return load<u64>(start) == 0x4c41434954495243 ? 5 : -2; // CRITICAL
}

/** `\b(?:level|lvl|severity)=` ending at the `=` at `equals`. */
function isLevelKey(start: usize, equals: usize): bool {
  const last = load<u8>(equals - 1);
  const key = last == 0x6c ? (load<u8>(equals - 2) == 0x65 ? 'level' : 'lvl') : last == 0x79 ? 'severity' : '';
  const length = key.length as usize;
  if (length == 0 || equals - start < length) return false;
  const at = equals - length;
  return startsWith(at, equals, key) && (at == start || !isWordByte(load<u8>(at - 1)));
}

/** A leading run of letters from `from` ending in `Error`/`Exception` at a word boundary. */
function endsInCrashWord(from: usize, end: usize): bool {
  let run = from;
  while (run < end && isLetter(load<u8>(run))) run++;
  if (run < end && isWordByte(load<u8>(run))) return false;
  return (run - from >= 5 && startsWith(run - 5, run, 'Error')) || (run - from >= 9 && startsWith(run - 9, run, 'Exception'));
}

/** CRASH_START for a line without a level word: a traceback, `panic: `, or `…Error`/`…Exception` first. */
function isCrashStart(start: usize, end: usize): bool {
  if (startsWith(start, end, 'Traceback (most recent call last)') || startsWith(start, end, 'panic: ')) return true;
  return endsInCrashWord(start, end) || (startsWith(start, end, 'Uncaught ') && endsInCrashWord(start + 9, end));
}

/**
 * The first byte at or after `from` (before `end`) that the level rules look at: an upper-case
 * letter, `=` or `[`; `end` when there is none. One 16-byte block at a time, so the digits and
 * lower-case words before a level cost a compare per block, not per byte.
 */
function nextLevelByte(from: usize, end: usize): usize {
  for (let block = from; block < end; block += 16) {
    const bytes = v128.load(block);
    const upper = v128.and(i8x16.ge_u(bytes, i8x16.splat(0x41)), i8x16.le_u(bytes, i8x16.splat(0x5a)));
    let mask = i8x16.bitmask(v128.or(upper, v128.or(i8x16.eq(bytes, i8x16.splat(0x3d)), i8x16.eq(bytes, i8x16.splat(0x5b)))));
    if (end - block < 16) mask &= (1 << ((end - block) as i32)) - 1;
    if (mask != 0) return block + (ctz(mask) as usize);
  }
  return end;
}

/** The level code of the line `[start, end)`, or UNSURE. Exported for the equivalence test with `levelFromText`. */
export function levelOf(start: usize, end: usize, stderr: bool): i32 {
  for (let index = nextLevelByte(start, end); index < end; index = nextLevelByte(index + 1, end)) {
    const byte = load<u8>(index);
    if (isUpper(byte)) {
      let wordEnd = index + 1;
      while (wordEnd < end && isUpper(load<u8>(wordEnd))) wordEnd++;
      const before: u8 = index == start ? 0x20 : load<u8>(index - 1);
      const after: u8 = wordEnd == end ? 0x20 : load<u8>(wordEnd);
      if (isOpening(before) || before >= 0x80) {
        const level = upperWordLevel(index, wordEnd);
        // A non-ASCII neighbour may be a Unicode space, which `\s` accepts.
        if (level >= 0 && (isClosing(after) || after >= 0x80)) return before >= 0x80 || after >= 0x80 ? UNSURE : level;
      }
      index = wordEnd - 1;
    } else if (byte == 0x3d) {
      if (isLevelKey(start, index)) return UNSURE;
    } else if (byte == 0x5b) {
      if (index + 1 < end && isLower(load<u8>(index + 1))) return UNSURE;
    }
  }
  if (start == end) return stderr ? WARN : INFO;
  const first = load<u8>(start);
  if (first == 0x5b && startsWith(start, end, '[GIN]')) return UNSURE;
  if (isLetter(first) && isCrashStart(start, end)) return ERROR;
  return stderr ? WARN : INFO;
}

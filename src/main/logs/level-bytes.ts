import type { LogLevel, LogStream } from '../../shared/logs.ts';

/**
 * `levelFromText` (structured.ts) read straight from a line's UTF-8 bytes, for the lines of a
 * flood, without decoding them: the same answer, or `UNSURE` where only the full rules can tell
 * (`level=…`, structlog's `[warning ]`, a level word next to a non-ASCII character, an access
 * log), for which the caller decodes the line and asks `levelFromText`.
 */
export const UNSURE = -1;

/** Level codes, in `LOG_LEVELS` order. */
export const LEVEL_CODES: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const INFO = 2;
const WARN = 3;
const ERROR = 4;

/** `[\s[(|:]` in ASCII: what may stand before an upper-case level word. */
const isOpening = (byte: number): boolean =>
  byte === 0x20 || byte === 0x09 || byte === 0x0b || byte === 0x0c || byte === 0x0d || byte === 0x5b || byte === 0x28 || byte === 0x7c || byte === 0x3a;
/** `[\s\]):|]` in ASCII: what may follow it. */
const isClosing = (byte: number): boolean =>
  byte === 0x20 || byte === 0x09 || byte === 0x0b || byte === 0x0c || byte === 0x0d || byte === 0x5d || byte === 0x29 || byte === 0x3a || byte === 0x7c;
const isUpper = (byte: number): boolean => byte >= 0x41 && byte <= 0x5a;
const isLower = (byte: number): boolean => byte >= 0x61 && byte <= 0x7a;
const isLetter = (byte: number): boolean => isUpper(byte) || isLower(byte);
const isWordByte = (byte: number): boolean => isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f;

/** Whether `bytes[start, end)` is the ASCII `word` (its first letter already known to match). */
function isWord(bytes: Uint8Array, start: number, end: number, word: string): boolean {
  if (word.length !== end - start) return false;
  for (let index = 1; index < word.length; index++) if (bytes[start + index] !== word.charCodeAt(index)) return false;
  return true;
}

/** The level of an upper-case word `bytes[start, end)`, or -2 when it is not one of TEXT_LEVEL's words. */
function upperWordLevel(bytes: Uint8Array, start: number, end: number): number {
  switch (bytes[start]) {
    case 0x49: // I
      return isWord(bytes, start, end, 'INFO') ? INFO : -2;
    case 0x4e: // N
      return isWord(bytes, start, end, 'NOTICE') ? INFO : -2;
    case 0x57: // W
      return isWord(bytes, start, end, 'WARN') || isWord(bytes, start, end, 'WARNING') ? WARN : -2;
    case 0x45: // E
      return isWord(bytes, start, end, 'ERROR') ? ERROR : -2;
    case 0x44: // D
      return isWord(bytes, start, end, 'DEBUG') ? 1 : -2;
    case 0x54: // T
      return isWord(bytes, start, end, 'TRACE') ? 0 : -2;
    case 0x46: // F
      return isWord(bytes, start, end, 'FATAL') ? 5 : -2;
    case 0x43: // C
      return isWord(bytes, start, end, 'CRITICAL') ? 5 : -2;
    case 0x50: // P
      return isWord(bytes, start, end, 'PANIC') ? 5 : -2;
    default:
      return -2;
  }
}

/** Whether `bytes[at…]` starts with the ASCII `text` before `end`. */
function startsWith(bytes: Uint8Array, at: number, end: number, text: string): boolean {
  if (end - at < text.length) return false;
  for (let index = 0; index < text.length; index++) if (bytes[at + index] !== text.charCodeAt(index)) return false;
  return true;
}

/** `\b(?:level|lvl|severity)=` ending at the `=` at `equals`. */
function isLevelKey(bytes: Uint8Array, start: number, equals: number): boolean {
  const key = bytes[equals - 1] === 0x6c ? (bytes[equals - 2] === 0x65 ? 'level' : 'lvl') : bytes[equals - 1] === 0x79 ? 'severity' : '';
  if (key === '') return false;
  const at = equals - key.length;
  return at >= start && startsWith(bytes, at, equals, key) && (at === start || !isWordByte(bytes[at - 1]!));
}

/**
 * CRASH_START for a line without a level word: `Traceback (most recent call last)`, `panic: `,
 * or a leading run of letters ending in `Error`/`Exception` at a word boundary (after an
 * optional `Uncaught `).
 */
function isCrashStart(bytes: Uint8Array, start: number, end: number): boolean {
  if (startsWith(bytes, start, end, 'Traceback (most recent call last)') || startsWith(bytes, start, end, 'panic: ')) return true;
  const endsInCrashWord = (from: number): boolean => {
    let run = from;
    while (run < end && isLetter(bytes[run]!)) run++;
    if (run < end && isWordByte(bytes[run]!)) return false;
    return (run - from >= 5 && startsWith(bytes, run - 5, run, 'Error')) || (run - from >= 9 && startsWith(bytes, run - 9, run, 'Exception'));
  };
  return endsInCrashWord(start) || (startsWith(bytes, start, end, 'Uncaught ') && endsInCrashWord(start + 9));
}

/** The level code of the line `bytes[start, end)` (no newline), or `UNSURE`. */
export function levelCodeOfBytes(bytes: Uint8Array, start: number, end: number, stream: LogStream): number {
  for (let index = start; index < end; index++) {
    const byte = bytes[index]!;
    if (isUpper(byte)) {
      let wordEnd = index + 1;
      while (wordEnd < end && isUpper(bytes[wordEnd]!)) wordEnd++;
      const before = index === start ? 0x20 : bytes[index - 1]!;
      const after = wordEnd === end ? 0x20 : bytes[wordEnd]!;
      if (isOpening(before) || before >= 0x80) {
        const level = upperWordLevel(bytes, index, wordEnd);
        // A non-ASCII neighbour may be a Unicode space, which `\s` accepts.
        if (level >= 0 && (isClosing(after) || after >= 0x80)) return before >= 0x80 || after >= 0x80 ? UNSURE : level;
      }
      index = wordEnd - 1;
    } else if (byte === 0x3d) {
      if (isLevelKey(bytes, start, index)) return UNSURE;
    } else if (byte === 0x5b) {
      if (index + 1 < end && isLower(bytes[index + 1]!)) return UNSURE;
    }
  }
  const first = bytes[start];
  if (first === 0x5b && startsWith(bytes, start, end, '[GIN]')) return UNSURE;
  if (first !== undefined && start < end && isLetter(first) && isCrashStart(bytes, start, end)) return ERROR;
  return stream === 'stderr' ? WARN : INFO;
}

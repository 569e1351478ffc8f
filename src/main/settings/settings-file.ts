import fs from 'node:fs';

/** Real settings are a few kilobytes; anything this large is not ours, and parsing it could take seconds and gigabytes. */
export const MAX_SETTINGS_BYTES = 4 * 1024 * 1024;

export type FileRead =
  | { kind: 'missing' }
  | { kind: 'parsed'; raw: unknown; bytes: Buffer }
  | { kind: 'corrupt'; problem: string; bytes: Buffer }
  | { kind: 'unreadable'; problem: string }
  | { kind: 'too-large'; size: number }
  /** `what`: what the path is, e.g. "a FIFO (named pipe)", or "a link to /dev/zero, a character device". */
  | { kind: 'not-a-file'; what: string };

/**
 * Opening never waits: without O_NONBLOCK, opening a FIFO blocks until some other process opens it
 * for writing, which may be never. Regular files ignore the flag. Windows has no such flag, and no
 * file there that blocks an open.
 */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** What a path that is not a regular file is, in the user's words; the first match wins. */
const NOT_A_FILE: readonly [(stats: fs.Stats) => boolean, string][] = [
  [(stats) => stats.isFIFO(), 'a FIFO (named pipe)'],
  [(stats) => stats.isCharacterDevice(), 'a character device'],
  [(stats) => stats.isBlockDevice(), 'a block device'],
  [(stats) => stats.isDirectory(), 'a folder'],
  [(stats) => stats.isSocket(), 'a socket'],
];

const describeKind = (stats: fs.Stats): string => NOT_A_FILE.find(([matches]) => matches(stats))?.[1] ?? 'not a regular file';

/** "a FIFO (named pipe)", or, reached through a symbolic link, "a link to /dev/zero, a character device". */
function describeNotAFile(file: string, stats: fs.Stats): string {
  const kind = describeKind(stats);
  try {
    if (!fs.lstatSync(file).isSymbolicLink()) return kind;
    return `a link to ${fs.realpathSync(file)}, ${kind}`;
  } catch {
    return kind;
  }
}

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Up to `limit` bytes: a regular file that grows while it is read cannot make this read forever. */
function readUpTo(fd: number, limit: number): Buffer {
  const buffer = Buffer.alloc(limit);
  let length = 0;
  while (length < limit) {
    const read = fs.readSync(fd, buffer, length, limit - length, null);
    if (read === 0) break;
    length += read;
  }
  return buffer.subarray(0, length);
}

/**
 * Reads `settings.json` without ever blocking or reading without end: only a regular file is read
 * (a symbolic link is followed, and what it reaches must be a regular file), checked on the opened
 * file itself so that nothing can be swapped in between the check and the read, and at most
 * MAX_SETTINGS_BYTES of it. A FIFO, `/dev/zero`, a folder or a socket is refused unread.
 */
export function readSettingsFile(file: string): FileRead {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    // A socket cannot be opened at all (ENXIO on Linux): still say what it is.
    const stats = fs.statSync(file, { throwIfNoEntry: false });
    if (stats && !stats.isFile()) return { kind: 'not-a-file', what: describeNotAFile(file, stats) };
    return { kind: 'unreadable', problem: describeError(error) };
  }
  let bytes: Buffer;
  try {
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) return { kind: 'not-a-file', what: describeNotAFile(file, stats) };
    // Checked before reading: a huge file is refused without ever being held in memory.
    if (stats.size > MAX_SETTINGS_BYTES) return { kind: 'too-large', size: stats.size };
    bytes = readUpTo(fd, MAX_SETTINGS_BYTES + 1);
    if (bytes.length > MAX_SETTINGS_BYTES) return { kind: 'too-large', size: bytes.length };
  } catch (error) {
    return { kind: 'unreadable', problem: describeError(error) };
  } finally {
    fs.closeSync(fd);
  }
  try {
    return { kind: 'parsed', raw: JSON.parse(bytes.toString('utf8')), bytes };
  } catch {
    return { kind: 'corrupt', problem: 'the file is not valid JSON', bytes };
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { LOG_LEVELS, type LogLevel, type LogSource, type LogStream } from '../../shared/logs.ts';
import { Redactor } from '../../lib/redactor.ts';
import { scrubText, scrubValue } from './scrub.ts';
import { parseBody } from './structured.ts';

/**
 * Reads lines back from the rotating log files (`runner.log`, `runner.1.log`, … as
 * RotatingFile writes them), so the window can show what it never received: a gap left by
 * sampling in a flood, or lines older than its buffer. Lines of a file are in time order, so a
 * time window is found by binary search over byte offsets, never by reading whole files.
 */

/** A line from a file, as the window shows it; it has no `seq`, which files do not keep. */
export interface FileLogLine {
  ts: string;
  source: LogSource;
  stream: LogStream;
  level: LogLevel;
  msg: string;
  fields?: Record<string, unknown>;
}

export interface LogRangeQuery {
  sources: readonly LogSource[];
  /** Only lines at or after this ISO timestamp. */
  fromTs?: string | undefined;
  /** Only lines at or before this ISO timestamp. */
  toTs?: string | undefined;
  /** At most this many lines: the oldest of the window (`oldest`) or the newest (`newest`). */
  limit: number;
  end: 'oldest' | 'newest';
}

export interface LogRangeResult {
  lines: FileLogLine[];
  /** The window holds more lines than `limit`. */
  more: boolean;
}

/** `ts LEVEL stream body`, as the pipeline writes a line (format.ts `fileLineTag`). */
const FILE_LINE = /^(\S+) (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) (stdout|stderr|app   ) (.*)$/s;
const CHUNK_BYTES = 256 * 1024;
const LEVEL_BY_LABEL = new Map<string, LogLevel>(LOG_LEVELS.map((level) => [level.toUpperCase(), level]));

export function parseFileLine(source: LogSource, line: string): FileLogLine | undefined {
  const match = FILE_LINE.exec(line);
  if (!match) return undefined;
  const [, ts, label, streamLabel, body] = match as unknown as [string, string, string, string, string];
  const level = LEVEL_BY_LABEL.get(label.trim()) ?? 'info';
  if (streamLabel === 'app   ') return { ts, source, stream: 'internal', level, msg: body };
  const stream = streamLabel as LogStream;
  // A structured line is stored as the runner wrote it: its message and fields are read as the
  // pipeline reads its ring; the level is the head's, read once when the line was written.
  const parsed = parseBody(body);
  return { ts, source, stream, level, msg: parsed.msg, ...(parsed.fields ? { fields: parsed.fields } : {}) };
}

/** A source's files, oldest first: `runner.9.log` … `runner.1.log`, `runner.log`. */
export function filesOf(logsDir: string, source: LogSource): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(logsDir);
  } catch {
    return [];
  }
  const pattern = new RegExp(`^${source}(?:\\.(\\d+))?\\.log$`);
  return names
    .map((name) => ({ name, generation: Number(pattern.exec(name)?.[1] ?? (pattern.test(name) ? 0 : Number.NaN)) }))
    .filter(({ generation }) => !Number.isNaN(generation))
    .sort((a, b) => b.generation - a.generation)
    .map(({ name }) => path.join(logsDir, name));
}

class LogFileReader {
  readonly #handle: fs.promises.FileHandle;
  readonly size: number;

  private constructor(handle: fs.promises.FileHandle, size: number) {
    this.#handle = handle;
    this.size = size;
  }

  static async open(file: string): Promise<LogFileReader | undefined> {
    try {
      const handle = await fs.promises.open(file, 'r');
      return new LogFileReader(handle, (await handle.stat()).size);
    } catch {
      // Rotated away meanwhile: its lines are in the next generation's name.
      return undefined;
    }
  }

  close(): Promise<void> {
    return this.#handle.close();
  }

  async #read(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.size - position)));
    const { bytesRead } = await this.#handle.read(buffer, 0, buffer.length, position);
    return buffer.subarray(0, bytesRead);
  }

  /** The offset of the first line that starts at or after `position` (`size` when none does). */
  async lineStartFrom(position: number): Promise<number> {
    if (position <= 0) return 0;
    for (let at = position - 1; at < this.size; at += CHUNK_BYTES) {
      const newline = (await this.#read(at, CHUNK_BYTES)).indexOf(0x0a);
      if (newline !== -1) return at + newline + 1;
    }
    return this.size;
  }

  /** The timestamp of the line at `offset`, or undefined at the end of the file. */
  async timestampAt(offset: number): Promise<string | undefined> {
    if (offset >= this.size) return undefined;
    const head = (await this.#read(offset, 64)).toString('latin1');
    const space = head.indexOf(' ');
    return space === -1 ? head : head.slice(0, space);
  }

  /** The first line whose timestamp satisfies `after` (a predicate false, then true, through the file). */
  async firstLineWhere(after: (ts: string) => boolean): Promise<number> {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const ts = await this.timestampAt(await this.lineStartFrom(middle));
      if (ts === undefined || after(ts)) high = middle;
      else low = middle + 1;
    }
    return this.lineStartFrom(low);
  }

  /** Complete lines from `start` to `end`, oldest first, until `take` says stop. */
  async forward(start: number, end: number, take: (line: string) => boolean): Promise<void> {
    let rest = '';
    for (let at = start; at < end; at += CHUNK_BYTES) {
      const lines = (rest + (await this.#read(at, Math.min(CHUNK_BYTES, end - at))).toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (!take(line)) return;
    }
  }

  /** Complete lines between `start` and `end` (both line starts), newest first, until `take` says stop. */
  async backward(start: number, end: number, take: (line: string) => boolean): Promise<void> {
    // The bytes of a line cut by the previous chunk's start, completed by the next chunk back.
    let partial = Buffer.alloc(0);
    for (let at = end; at > start;) {
      const from = Math.max(start, at - CHUNK_BYTES);
      const chunk = Buffer.concat([await this.#read(from, at - from), partial]);
      at = from;
      let cut = 0;
      if (at > start) {
        const newline = chunk.indexOf(0x0a);
        if (newline === -1) {
          partial = chunk;
          continue;
        }
        cut = newline + 1;
      }
      partial = chunk.subarray(0, cut);
      const lines = chunk.subarray(cut).toString('utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      for (let index = lines.length - 1; index >= 0; index--) if (!take(lines[index]!)) return;
    }
  }
}

/** The lines of one source in the window, at most `limit + 1` of them (the extra one says "more"). */
async function readSource(logsDir: string, source: LogSource, query: LogRangeQuery): Promise<FileLogLine[]> {
  const found: FileLogLine[] = [];
  const wanted = query.limit + 1;
  const files = filesOf(logsDir, source);
  const ordered = query.end === 'oldest' ? files : [...files].reverse();
  for (const file of ordered) {
    if (found.length >= wanted) break;
    const reader = await LogFileReader.open(file);
    if (!reader) continue;
    try {
      const start = query.fromTs === undefined ? 0 : await reader.firstLineWhere((ts) => ts >= query.fromTs!);
      const end = query.toTs === undefined ? reader.size : await reader.firstLineWhere((ts) => ts > query.toTs!);
      const batch: FileLogLine[] = [];
      const take = (line: string) => {
        const parsed = parseFileLine(source, line);
        if (parsed) batch.push(parsed);
        return found.length + batch.length < wanted;
      };
      if (query.end === 'oldest') {
        await reader.forward(start, end, take);
        found.push(...batch);
      } else {
        await reader.backward(start, end, take);
        found.unshift(...batch.reverse());
      }
    } finally {
      await reader.close();
    }
  }
  return found;
}

/** Scrubs lines read without a redactor of the app's: credential shapes only. */
const SHAPES_ONLY = new Redactor();

/**
 * Lines of `sources` in a time window, merged in time order (a source's own order kept on ties).
 * Lines were scrubbed when written, but what a JSON line's escapes decode to was not (see
 * scrub.ts); each line is scrubbed again, and `redactor` also masks the keys that became known since.
 */
export async function readLogRange(logsDir: string, query: LogRangeQuery, redactor: Redactor = SHAPES_ONLY): Promise<LogRangeResult> {
  const perSource = await Promise.all(query.sources.map((source) => readSource(logsDir, source, query)));
  const merged = perSource.flat().sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const more = merged.length > query.limit;
  const lines = query.end === 'oldest' ? merged.slice(0, query.limit) : merged.slice(-query.limit);
  for (const line of lines) {
    line.msg = scrubText(redactor, line.msg);
    if (line.fields) line.fields = scrubValue(redactor, line.fields) as Record<string, unknown>;
  }
  return { lines, more };
}

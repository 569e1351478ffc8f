import type { Writable } from 'node:stream';
import { LOG_LEVELS, type LogLevel } from '../../shared/logs.ts';
import { LEVEL_LABEL, formatLogJson, formatLogText } from '../logs/line-format.ts';
import { HEAD_BYTES, entriesOf, levelOfFileLine, type LineRecord, type LogRecord } from '../logs/line-ring.ts';

export interface StdoutEcho {
  onRecord(record: LogRecord): void;
  /** Writes what is buffered; call before exiting. */
  flush(): void;
}

/** Largest amount buffered before a write, so a flood is written in big chunks, not line by line. */
const FLUSH_BYTES = 256 * 1024;
const LF = 0x0a;

/**
 * Echoes log entries to stdout in the headless host's `--log-format`: text, or one JSON object
 * per line. Lines are gathered in one buffer and written once per tick, so a flood costs few
 * writes. In text, a child's plain lines are copied from the bytes the pipeline wrote to its
 * file, behind the echo's own head, without being decoded. The buffer is reused once `out` has
 * taken a write whole, so a flood allocates next to nothing here.
 */
export function createStdoutEcho(format: 'text' | 'json', out: Pick<Writable, 'write' | 'writableLength'> = process.stdout): StdoutEcho {
  let buffer = Buffer.allocUnsafe(2 * FLUSH_BYTES);
  let length = 0;
  let scheduled = false;
  const reserve = (bytes: number) => {
    if (buffer.length - length >= bytes) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * buffer.length, length + bytes));
    buffer.copy(grown, 0, 0, length);
    buffer = grown;
  };
  const addText = (text: string) => {
    reserve(3 * text.length);
    length += buffer.write(text, length);
  };
  const flush = () => {
    scheduled = false;
    if (length === 0) return;
    out.write(buffer.subarray(0, length));
    length = 0;
    // Still queued (a pipe that was full): the stream keeps that buffer, this one starts afresh.
    if (out.writableLength > 0) buffer = Buffer.allocUnsafe(buffer.length);
  };
  /** `formatLogText` of every line of a record: `ts LEVEL [source] body`, JSON lines through the entry. */
  const addRecordText = (record: LineRecord) => {
    const heads = new Map<LogLevel, Buffer>(LOG_LEVELS.map((level) => [level, Buffer.from(`${record.ts} ${LEVEL_LABEL[level]} [${record.source}] `)]));
    const bytes = record.bytes;
    reserve(bytes.length + record.count * Math.max(0, heads.get('info')!.length - HEAD_BYTES));
    let lineStart = 0;
    for (let index = 0; index < record.count; index++) {
      const newline = bytes.indexOf(LF, lineStart + HEAD_BYTES);
      if (bytes[lineStart + HEAD_BYTES] === 0x7b) {
        // A JSON line shows as its message and fields, as formatLogText does.
        addText(`${formatLogText(record.entryAt(lineStart, newline, record.firstSeq + index))}\n`);
        reserve(bytes.length - newline + (record.count - index) * heads.get('info')!.length);
      } else {
        length += heads.get(levelOfFileLine(bytes, lineStart))!.copy(buffer, length);
        length += bytes.copy(buffer, length, lineStart + HEAD_BYTES, newline + 1);
      }
      lineStart = newline + 1;
    }
  };
  return {
    onRecord(record) {
      if (format === 'text' && record.kind === 'lines') addRecordText(record);
      else for (const entry of entriesOf(record)) addText(`${(format === 'json' ? formatLogJson : formatLogText)(entry)}\n`);
      if (length >= FLUSH_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

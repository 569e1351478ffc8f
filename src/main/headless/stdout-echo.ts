import { LEVEL_LABEL, formatLogJson, formatLogText } from '../logs/format.ts';
import { HEAD_BYTES, entriesOf, levelOfFileLine, type LineRecord, type LogRecord } from '../logs/line-ring.ts';
import { LOG_LEVELS, type LogLevel } from '../../shared/logs.ts';

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
 * per line. Lines are gathered and written once per tick, so a flood costs few writes. In text,
 * a child's plain lines are copied from the bytes the pipeline wrote to its file, behind the
 * echo's own head, without being decoded.
 */
export function createStdoutEcho(format: 'text' | 'json', write: (bytes: Buffer) => void = (bytes) => process.stdout.write(bytes)): StdoutEcho {
  let parts: Buffer[] = [];
  let buffered = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (buffered === 0) return;
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, buffered);
    parts = [];
    buffered = 0;
    write(bytes);
  };
  const add = (bytes: Buffer) => {
    parts.push(bytes);
    buffered += bytes.length;
  };
  return {
    onRecord(record) {
      if (format === 'text' && record.kind === 'lines') add(textOfRecord(record));
      else add(Buffer.from(entriesOf(record).map((entry) => `${(format === 'json' ? formatLogJson : formatLogText)(entry)}\n`).join('')));
      if (buffered >= FLUSH_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** `formatLogText` of every line of a record: `ts LEVEL [source] body`, JSON lines through the entry. */
function textOfRecord(record: LineRecord): Buffer {
  const heads = new Map<LogLevel, Buffer>(LOG_LEVELS.map((level) => [level, Buffer.from(`${record.ts} ${LEVEL_LABEL[level]} [${record.source}] `)]));
  const headBytes = heads.get('info')!.length;
  const bytes = record.bytes;
  let out = Buffer.allocUnsafe(bytes.length + record.count * Math.max(0, headBytes - HEAD_BYTES));
  let offset = 0;
  let lineStart = 0;
  for (let index = 0; index < record.count; index++) {
    const newline = bytes.indexOf(LF, lineStart + HEAD_BYTES);
    if (bytes[lineStart + HEAD_BYTES] === 0x7b) {
      // A JSON line shows as its message and fields, as formatLogText does.
      const text = Buffer.from(`${formatLogText(record.entryAt(lineStart, newline, record.firstSeq + index))}\n`);
      if (out.length - offset < text.length + bytes.length - newline + (record.count - index) * headBytes) {
        const grown = Buffer.allocUnsafe(2 * out.length + text.length);
        out.copy(grown, 0, 0, offset);
        out = grown;
      }
      offset += text.copy(out, offset);
    } else {
      offset += heads.get(levelOfFileLine(bytes, lineStart))!.copy(out, offset);
      offset += bytes.copy(out, offset, lineStart + HEAD_BYTES, newline + 1);
    }
    lineStart = newline + 1;
  }
  return out.subarray(0, offset);
}

import type { LogEntry } from '../../shared/logs.ts';
import { formatLogJson, formatLogText } from '../logs/format.ts';

export interface StdoutEcho {
  onEntry(entry: LogEntry): void;
  /** Writes what is buffered; call before exiting. */
  flush(): void;
}

/** Largest amount buffered before a write, so a flood is written in big chunks, not line by line. */
const FLUSH_BYTES = 256 * 1024;

/**
 * Echoes log entries to stdout in the headless host's `--log-format`: text, or one JSON object
 * per line. Lines are gathered and written once per tick, so a flood costs few writes.
 */
export function createStdoutEcho(format: 'text' | 'json', write: (text: string) => void = (text) => process.stdout.write(text)): StdoutEcho {
  const formatEntry = format === 'json' ? formatLogJson : formatLogText;
  let buffered = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (buffered === '') return;
    const text = buffered;
    buffered = '';
    write(text);
  };
  return {
    onEntry(entry) {
      buffered += `${formatEntry(entry)}\n`;
      if (buffered.length >= FLUSH_BYTES) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

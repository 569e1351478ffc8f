import { stripVTControlCharacters } from 'node:util';
import type { Redactor } from '../../lib/redactor.ts';
import { neutralizeControls } from './control-chars.ts';
import { truncationMarker } from '../../lib/line-splitter.ts';

const LONE_ESCAPES = /[\u001b\u009b]/g;

/**
 * What a child's text becomes before anyone sees it, in this order: ANSI escape sequences are
 * stripped (a lone escape character too: whoever views the file in a terminal must not have it
 * drive their terminal); secrets are masked, after the stripping so that a `\x1b[0m` inside a
 * key cannot split it; then every other control, bidi control and line separator is made
 * visible (control-chars.ts). A raw line goes through it, and so does what the escapes of a
 * JSON line decode to (`"\u0073k-ant-…"`), when an entry is read from it.
 */
export function scrubText(redactor: Redactor, text: string, droppedBytes = 0): string {
  if (text.includes('\u001b') || text.includes('\u009b')) text = stripVTControlCharacters(text).replace(LONE_ESCAPES, '');
  return neutralizeControls(droppedBytes > 0 ? redactor.redactCut(text) + truncationMarker(droppedBytes) : redactor.redact(text));
}

/** `scrubText` of every string inside a parsed JSON value, its keys too, keeping its shape. */
export function scrubValue(redactor: Redactor, value: unknown): unknown {
  if (typeof value === 'string') return scrubText(redactor, value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(redactor, item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [scrubText(redactor, key), scrubValue(redactor, item)]));
  }
  return value;
}

/**
 * A JSON object line whose escapes decode to something scrubbing changes (a key written as
 * `\u0073k-ant-…`, an escaped ESC inside one, a `\u2028`), written again from its scrubbed
 * value, so that the file holds no more than the window shows; any other line as it is. The
 * byte scan cannot see through escapes, and anyone reading the file can.
 */
export function scrubJsonLine(redactor: Redactor, line: string): string {
  if (line.charCodeAt(0) !== 0x7b || !line.includes('\\')) return line;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return line;
  }
  const scrubbed = JSON.stringify(scrubValue(redactor, value));
  return scrubbed === JSON.stringify(value) ? line : scrubbed;
}

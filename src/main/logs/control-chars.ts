/**
 * Control characters in child output are made visible rather than passed on: a CR, BS or
 * cursor code could overwrite a line's `[runner]` prefix on a terminal and forge an app line,
 * a NUL makes `grep` take a log file for binary, a BEL rings. TAB is kept.
 *
 * - C0 (U+0000–U+001F but TAB) becomes its Unicode control picture (`\r` → `␍`, BEL → `␇`),
 *   so that what the runner sent is still readable;
 * - DEL becomes `␡`;
 * - C1 (U+0080–U+009F, which some terminals obey like ESC sequences) has no pictures and
 *   becomes U+FFFD, as invalid UTF-8 already does.
 *
 * ANSI escape sequences are stripped before this (see the pipeline); a lone ESC left over is
 * removed there too.
 */
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
const CONTROLS_ALL = new RegExp(CONTROLS.source, 'g');

function visible(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  return code === 0x7f ? '\u2421' : '\ufffd';
}

/** `text` with every control character but TAB made visible (see above). */
export function neutralizeControls(text: string): string {
  return CONTROLS.test(text) ? text.replace(CONTROLS_ALL, visible) : text;
}

/** Like `neutralizeControls`, for every string inside a parsed JSON value, keeping its shape. */
export function neutralizeValue(value: unknown): unknown {
  if (typeof value === 'string') return neutralizeControls(value);
  if (Array.isArray(value)) return value.map(neutralizeValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [neutralizeControls(key), neutralizeValue(item)]));
  }
  return value;
}

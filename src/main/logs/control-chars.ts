import { LINE_BENDERS } from '../../lib/hidden-chars.ts';

/**
 * Control characters in child output are made visible rather than passed on: a CR, BS or
 * cursor code could overwrite a line's `[runner]` prefix on a terminal and forge an app line,
 * a NUL makes `grep` take a log file for binary, a BEL rings. TAB is kept.
 *
 * - C0 (U+0000–U+001F but TAB) becomes its Unicode control picture (`\r` → `␍`, BEL → `␇`),
 *   so that what the runner sent is still readable;
 * - DEL becomes `␡`;
 * - C1 (U+0080–U+009F, which some terminals obey like ESC sequences) has no pictures and
 *   becomes U+FFFD, as invalid UTF-8 already does;
 * - so do the bidi controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), which reorder
 *   what follows them on screen, and the line and paragraph separators U+2028/U+2029, which
 *   editors and the window show as a line break: `x\u2028 … ERROR [app] forged` would read as
 *   an app line of its own.
 *
 * ANSI escape sequences are stripped before this (see scrub.ts); a lone ESC left over is
 * removed there too.
 */
const CONTROLS = new RegExp(String.raw`[\u0000-\u0008\u000a-\u001f\u007f-\u009f${LINE_BENDERS}]`, 'u');
const CONTROLS_ALL = new RegExp(CONTROLS.source, 'gu');

function visible(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  return code === 0x7f ? '\u2421' : '\ufffd';
}

/** `text` with every control character but TAB made visible (see above). */
export function neutralizeControls(text: string): string {
  return CONTROLS.test(text) ? text.replace(CONTROLS_ALL, visible) : text;
}

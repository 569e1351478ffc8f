/**
 * Characters that change what a line looks like without showing themselves, as RegExp class
 * contents (use them with the `u` flag). The redactor looks through them for keys, the log
 * pipeline neutralises those that move text (src/main/logs/control-chars.ts), and the composer's
 * WebAssembly sends every line that holds one to those full rules (its table is generated from
 * `HIDDEN` by scripts/build-wasm.ts).
 *
 * `\p{Default_Ignorable_Code_Point}` is the Unicode property of that name, which ECMAScript
 * defines from DerivedCoreProperties.txt of the Unicode version the engine carries (Node 24:
 * Unicode 17): zero-width spaces and joiners, the soft hyphen, U+034F, U+115F/U+1160, U+17B4/5,
 * U+180B–U+180F, U+2060–U+206F, variation selectors, U+3164, U+FEFF, U+FFA0, U+FFF0–U+FFF8,
 * U+1BCA0–U+1BCA3, U+1D173–U+1D17A, the tags U+E0000–U+E0FFF. `\p{Bidi_Control}` (U+061C,
 * U+200E/F, U+202A–U+202E, U+2066–U+2069) is within it, named for what it does.
 */

/** Bidi controls and the line and paragraph separators (U+2028, U+2029): they reorder a line or break it in two on screen. */
export const LINE_BENDERS = String.raw`\p{Bidi_Control}\u2028\u2029`;

/** C0 but TAB and LF, DEL, and C1: shown as control pictures or U+FFFD, or obeyed by terminals. */
const CONTROLS = String.raw`\u0000-\u0008\u000b-\u001f\u007f-\u009f`;

/** What can sit inside a key and split it for a search while the key still reads whole on screen: invisible, or a control's stand-in. */
export const HIDDEN = String.raw`${CONTROLS}\p{Default_Ignorable_Code_Point}${LINE_BENDERS}`;

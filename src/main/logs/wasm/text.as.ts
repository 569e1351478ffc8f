// AssemblyScript: byte-level text helpers shared by compose.as.ts and the tables generated into
// tables.as.ts.

/**
 * The code unit at `index` of a string literal, read straight from its UTF-16 data: the words
 * compared are ASCII, and `charCodeAt` would check bounds on every call of a hot loop.
 */
export function codeUnit(text: string, index: usize): u8 {
  return load<u16>(changetype<usize>(text) + (index << 1)) as u8;
}

/** Whether `[start, end)` ends with the ASCII `text`; with `caseless`, `text` is lower case and letters are compared without case. */
export function endsWithText(start: usize, end: usize, text: string, caseless: bool): bool {
  const length = text.length as usize;
  if (end - start < length) return false;
  for (let index: usize = 0; index < length; index++) {
    const byte = load<u8>(end - length + index);
    if ((caseless && byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte) != codeUnit(text, index)) return false;
  }
  return true;
}

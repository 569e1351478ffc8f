/**
 * What Settings checks before it offers Save, so that a mistake is told as it is typed and Save
 * is enabled only for a change that can be saved. Main checks again (it alone knows, say, that a
 * cloud endpoint must be https): these catch what can be told without it. Pure.
 */

/** A check: null when the draft is fine, else the sentence that tells what to type instead. */
export type DraftCheck = (draft: string) => string | null;

export const baseUrlCheck: DraftCheck = (draft) => {
  const text = draft.trim();
  if (text === '') return 'Type a URL, or use Reset for the default.';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Not a URL: type http(s)://host[:port][/path].';
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? null : `${url.protocol.replace(':', '')}:// is not served: type http(s)://host[:port][/path].`;
};

export const requiredCheck =
  (what: string): DraftCheck =>
  (draft) =>
    draft.trim() === '' ? `Type ${what}.` : null;

/** `OLLAMA_CONTEXT_LENGTH`: empty for Ollama's default, else a whole number of tokens in range. */
export const contextLengthCheck: DraftCheck = (draft) => {
  const text = draft.trim();
  if (text === '') return null;
  const value = Number(text);
  return Number.isInteger(value) && value >= 256 && value <= 1_048_576 ? null : 'Context length: a whole number from 256 to 1048576, or empty for the default.';
};

/** `OLLAMA_KEEP_ALIVE`: empty, a number of seconds, or a duration such as 5m, 1h30m or -1. */
export const keepAliveCheck: DraftCheck = (draft) => {
  const text = draft.trim();
  if (text === '' || /^-?\d+$/.test(text) || /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return null;
  return 'Keep models loaded for: a duration such as 5m, 1h or 30s, -1 for always, or empty for the default.';
};

/** Save is offered for a change that passes its checks; the first failing check is shown. */
export function saveOffer(
  fields: ReadonlyArray<{ draft: string; saved: string; check?: DraftCheck }>,
  extraChanged = false,
): { enabled: boolean; problem: string | null } {
  const changed = extraChanged || fields.some((field) => field.draft.trim() !== field.saved.trim());
  const problem =
    fields.map((field) => (field.draft.trim() === field.saved.trim() ? null : (field.check?.(field.draft) ?? null))).find((found) => found !== null) ?? null;
  return { enabled: changed && problem === null, problem };
}

import { maskSecret } from '../shared/secret-mask.ts';
import { CREDENTIAL_NAME, CREDENTIAL_SHAPES, LABEL_SEPARATORS, MIN_SECRET_LENGTH, VALUE } from './credential-shapes.ts';
import { HIDDEN } from './hidden-chars.ts';
import { escapeRegExp } from './escape-regexp.ts';

const HAS_HIDDEN = new RegExp(`[${HIDDEN}]`, 'u');
const HIDDEN_ALL = new RegExp(`[${HIDDEN}]`, 'gu');
const SHAPES = CREDENTIAL_SHAPES.map(({ pattern }) => pattern);
/**
 * The shapes without their leading `\b`, for text with its hidden characters taken out: there,
 * `x\u200bsk-ant-…` reads `xsk-ant-…`, and a key may start after a letter that a hidden
 * character stood behind (see `redact`).
 */
const SHAPES_AFTER_HIDDEN = SHAPES.map((pattern) => new RegExp(pattern.source.replace(/^\\b/, ''), pattern.flags));
const WORD_CHAR = /\w/;

const markersOf = (labelled: boolean): string =>
  CREDENTIAL_SHAPES.filter((shape) => shape.labelled === labelled)
    .flatMap((shape) => shape.markers)
    .map(escapeRegExp)
    .join('|');
/** What is left of a key at the end of a line that was cut short: masked whole. */
const CUT_TOKEN = new RegExp(String.raw`\b(?:${markersOf(false)})[A-Za-z0-9._-]*$`);
/** What is left of a labelled credential at the end of a cut line (`Bearer …`, `api_key=…`): the label stays. */
const CUT_LABELLED = new RegExp(String.raw`(\b(?:${markersOf(true)}) *|\b${CREDENTIAL_NAME}["']?[ \t]*[${LABEL_SEPARATORS}][ \t]*["']?)${VALUE}+$`, 'i');
/** A cut secret's prefix shorter than this reveals too little to be worth masking. */
const MIN_CUT_PREFIX = 6;

/** `[start, end)` of a text, to be masked. */
interface Span {
  start: number;
  end: number;
}

/**
 * Masks secrets in log text with the app's usual mask (first 7 + last 4 characters): every
 * known secret value, which the app updates as keys change, and anything shaped like a
 * credential (credential-shapes.ts), also when characters that do not show (hidden-chars.ts:
 * CR, zero-width and bidi characters, every Unicode default-ignorable code point) are slipped
 * into them.
 */
export class Redactor {
  /** Longest first, so a secret that contains another is masked whole. */
  #secrets: string[] = [];
  #secretBytes: Buffer[] = [];

  constructor(secrets: Iterable<string> = []) {
    this.setSecrets(secrets);
  }

  /** Replaces the set of known secret values. */
  setSecrets(secrets: Iterable<string>): void {
    const unique = new Set<string>();
    for (const secret of secrets) if (secret.trim().length >= MIN_SECRET_LENGTH) unique.add(secret);
    this.#secrets = [...unique].sort((a, b) => b.length - a.length);
    this.#secretBytes = this.#secrets.map((secret) => Buffer.from(secret));
  }

  /** Where in `bytes[start, end)` a known secret starts, in order: one native search per secret. */
  secretsIn(bytes: Buffer, start: number, end: number): number[] {
    const found: number[] = [];
    for (const secret of this.#secretBytes) {
      for (let at = bytes.indexOf(secret, start); at !== -1 && at < end; at = bytes.indexOf(secret, at + 1)) found.push(at);
    }
    return this.#secretBytes.length > 1 ? found.sort((a, b) => a - b) : found;
  }

  redact(text: string): string {
    if (!HAS_HIDDEN.test(text)) return masked(text, this.#spans(text, SHAPES));
    // Keys are looked for in the text as it is and as it shows, without hidden characters (one
    // between two pieces of a key splits it), and masked in the text as it is.
    const { visible, at, afterHidden } = withoutHidden(text);
    const spans = this.#spans(text, SHAPES);
    const startsWord = (index: number) => index === 0 || afterHidden.has(index) || !WORD_CHAR.test(visible[index - 1]!);
    for (const span of this.#spans(visible, SHAPES_AFTER_HIDDEN, startsWord)) spans.push({ start: at[span.start]!, end: at[span.end - 1]! + 1 });
    return masked(text, spans);
  }

  /**
   * Redacts a line that was cut short: besides `redact`, masks a tail that is the start of a
   * known secret or of a credential's shape, since the cut hid the rest that would have matched.
   */
  redactCut(text: string): string {
    text = this.redact(text);
    // The tail is judged as it shows: hidden characters slipped into it must not save it.
    const { visible, at } = HAS_HIDDEN.test(text) ? withoutHidden(text) : { visible: text, at: undefined };
    const cuts: number[] = [];
    for (const secret of this.#secrets) {
      for (let length = Math.min(secret.length - 1, visible.length); length >= MIN_CUT_PREFIX; length--) {
        if (visible.endsWith(secret.slice(0, length))) {
          cuts.push(visible.length - length);
          break;
        }
      }
    }
    const token = CUT_TOKEN.exec(visible);
    if (token) cuts.push(token.index);
    const labelled = CUT_LABELLED.exec(visible);
    if (labelled) cuts.push(labelled.index + labelled[1]!.length);
    if (cuts.length === 0) return text;
    const from = Math.min(...cuts);
    const cutAt = at ? at[from]! : from;
    const secret = this.#secrets.find((each) => visible.length - from < each.length && each.startsWith(visible.slice(from)));
    return text.slice(0, cutAt) + (secret ? maskSecret(secret) : '…');
  }

  /** Redacts every string inside a value built by the app (message fields), keeping its shape. */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.redactValue(item)]));
    }
    return value;
  }

  /**
   * Where known secrets and the values of `shapes` are in `text`, in no order, overlapping;
   * only matches that start where `startsWord` agrees, if given.
   */
  #spans(text: string, shapes: readonly RegExp[], startsWord?: (index: number) => boolean): Span[] {
    const spans: Span[] = [];
    for (const secret of this.#secrets) {
      for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + secret.length)) spans.push({ start: at, end: at + secret.length });
    }
    for (const shape of shapes) {
      for (const match of text.matchAll(shape)) {
        if (!startsWord || startsWord(match.index)) spans.push({ start: match.index + match[1]!.length, end: match.index + match[0].length });
      }
    }
    return spans;
  }
}

/**
 * `text` without its hidden characters, where each of its code units was in `text`, and which
 * of them had hidden characters right before.
 */
function withoutHidden(text: string): { visible: string; at: number[]; afterHidden: Set<number> } {
  const at: number[] = [];
  const afterHidden = new Set<number>();
  let visible = '';
  let from = 0;
  const keep = (end: number) => {
    for (let index = from; index < end; index++) at.push(index);
    visible += text.slice(from, end);
  };
  for (const match of text.matchAll(HIDDEN_ALL)) {
    keep(match.index);
    afterHidden.add(visible.length);
    from = match.index + match[0].length;
  }
  keep(text.length);
  return { visible, at, afterHidden };
}

/** `text` with each run of overlapping spans masked as one value (what shows of it: without hidden characters). */
function masked(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.start - b.start);
  let result = '';
  let done = 0;
  for (let index = 0; index < spans.length;) {
    const start = spans[index]!.start;
    let end = spans[index]!.end;
    for (index++; index < spans.length && spans[index]!.start < end; index++) end = Math.max(end, spans[index]!.end);
    result += text.slice(done, start) + maskSecret(text.slice(start, end).replace(HIDDEN_ALL, ''));
    done = end;
  }
  return result + text.slice(done);
}

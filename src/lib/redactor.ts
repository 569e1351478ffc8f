import { maskSecret } from '../shared/secret-mask.ts';

/**
 * Shorter values are not keys anyone issues; masking every occurrence of such a value would
 * shred ordinary words in the logs.
 */
export const MIN_SECRET_LENGTH = 8;

/** Names of settings and headers whose value is a credential: `api_key=…`, `"token": "…"`, `x-api-key: …`. */
const CREDENTIAL_NAME = String.raw`(?:[A-Za-z0-9]+[_-])*(?:api[_-]?key|apikey|access[_-]?key|private[_-]?key|secret|token|password|passwd)`;
/** A value: anything up to a blank, a quote or a separator; `…` so that a mask is never masked again. */
const VALUE = String.raw`[^\s"'&,;…]`;

/**
 * Credentials masked by their shape, whatever their value: group 1 is kept (a label), group 2
 * is masked. Only ASCII in the patterns, so they find the same matches in raw bytes read as Latin-1.
 */
const SHAPES: readonly RegExp[] = [
  // Anthropic (`sk-ant-api03-…`) and OpenAI (`sk-…`, `sk-proj-…`) keys.
  /\b()(sk-[A-Za-z0-9_-]{20,})/g,
  // HTTP credentials: `Authorization: Bearer …`, `Basic …`.
  /\b((?:Bearer|Basic) +)([A-Za-z0-9._~+/=-]{8,})/gi,
  // GitHub tokens (classic and fine-grained).
  /\b()(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g,
  // AWS access key ids.
  /\b()((?:AKIA|ASIA)[A-Z0-9]{16})\b/g,
  // JSON Web Tokens: base64url header and payload, both JSON objects (`eyJ` is `{"`).
  /\b()(eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)/g,
  // `api_key=…`, `token: …`, `"password": "…"`, `x-api-key: …`.
  new RegExp(String.raw`\b(${CREDENTIAL_NAME}["']?[ \t]*[:=][ \t]*["']?)(${VALUE}{${MIN_SECRET_LENGTH},})`, 'gi'),
];

/**
 * Characters that do not show (or, like CR, move the cursor back) and so can hide inside a key
 * on a screen while breaking a plain search for it: CR, zero-width space/joiners, word joiner,
 * BOM, soft hyphen.
 */
const INVISIBLE = /[\r\u200b-\u200d\u2060\ufeff\u00ad]/;
const INVISIBLE_RUN = String.raw`[\r\u200b-\u200d\u2060\ufeff\u00ad]*`;

/** What is left of a key at the end of a line that was cut short: masked whole. */
const CUT_TOKEN = /\b(?:sk-|gh[pousr]_|github_pat_|AKIA|ASIA|eyJ)[A-Za-z0-9._-]*$/;
/** What is left of a labelled credential at the end of a cut line: the label stays. */
const CUT_LABELLED = new RegExp(String.raw`(\b(?:Bearer|Basic) +|\b${CREDENTIAL_NAME}["']?[ \t]*[:=][ \t]*["']?)${VALUE}+$`, 'i');
/** A cut secret's prefix shorter than this reveals too little to be worth masking. */
const MIN_CUT_PREFIX = 6;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Masks secrets in log text with the app's usual mask (first 7 + last 4 characters): every
 * known secret value, which the app updates as keys change, also when CR or zero-width
 * characters are slipped into it, and anything shaped like a credential (`SHAPES`).
 */
export class Redactor {
  /** Longest first, so a secret that contains another is masked whole. */
  #secrets: string[] = [];
  #masks: string[] = [];
  #secretBytes: Buffer[] = [];
  /** Each secret with invisible characters allowed between its characters; made when first needed. */
  #spread: (RegExp | undefined)[] = [];

  constructor(secrets: Iterable<string> = []) {
    this.setSecrets(secrets);
  }

  /** Replaces the set of known secret values. */
  setSecrets(secrets: Iterable<string>): void {
    const unique = new Set<string>();
    for (const secret of secrets) if (secret.trim().length >= MIN_SECRET_LENGTH) unique.add(secret);
    this.#secrets = [...unique].sort((a, b) => b.length - a.length);
    this.#masks = this.#secrets.map(maskSecret);
    this.#secretBytes = this.#secrets.map((secret) => Buffer.from(secret));
    this.#spread = [];
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
    const secrets = this.#secrets;
    for (let index = 0; index < secrets.length; index++) {
      const secret = secrets[index]!;
      if (text.includes(secret)) text = text.replaceAll(secret, this.#masks[index]!);
    }
    if (secrets.length > 0 && INVISIBLE.test(text)) text = this.#redactSpread(text);
    for (const shape of SHAPES) text = text.replace(shape, (_match, label: string, value: string) => label + maskSecret(value));
    return text;
  }

  /**
   * Redacts a line that was cut short: besides `redact`, masks a tail that is the start of a
   * known secret or of a credential's shape, since the cut hid the rest that would have matched.
   */
  redactCut(text: string): string {
    text = this.redact(text);
    for (let index = 0; index < this.#secrets.length; index++) {
      const secret = this.#secrets[index]!;
      for (let length = Math.min(secret.length - 1, text.length); length >= MIN_CUT_PREFIX; length--) {
        if (text.endsWith(secret.slice(0, length))) {
          text = text.slice(0, text.length - length) + this.#masks[index]!;
          break;
        }
      }
    }
    return text.replace(CUT_TOKEN, '…').replace(CUT_LABELLED, '$1…');
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

  /** Masks known secrets that invisible characters were slipped into (`sk-ant-…\u200b…`). */
  #redactSpread(text: string): string {
    for (let index = 0; index < this.#secrets.length; index++) {
      const spread = (this.#spread[index] ??= new RegExp([...this.#secrets[index]!].map(escapeRegExp).join(INVISIBLE_RUN), 'g'));
      text = text.replace(spread, this.#masks[index]!);
    }
    return text;
  }
}

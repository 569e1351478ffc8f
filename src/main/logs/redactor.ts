import { maskSecret } from '../../shared/secret-mask.ts';

/**
 * Shorter values are not keys anyone issues; masking every occurrence of such a value would
 * shred ordinary words in the logs.
 */
export const MIN_SECRET_LENGTH = 8;

/** Anthropic (`sk-ant-api03-…`) and OpenAI (`sk-…`, `sk-proj-…`) key shapes. */
const KEY_SHAPE = /\bsk-[A-Za-z0-9_-]{20,}/g;
const KEY_PREFIX = Buffer.from('sk-');
/** What is left of a key at the end of a line that was cut short. */
const CUT_KEY_SHAPE = /\bsk-[A-Za-z0-9_-]*$/;
/** A cut secret's prefix shorter than this reveals too little to be worth masking. */
const MIN_CUT_PREFIX = 6;

/**
 * Masks secrets in log text with the app's usual mask (first 7 + last 4 characters): every
 * known secret value, which the app updates as keys change, and anything shaped like a key.
 */
export class Redactor {
  /** Longest first, so a secret that contains another is masked whole. */
  #secrets: string[] = [];
  #masks: string[] = [];
  #secretBytes: Buffer[] = [];

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
  }

  /**
   * False when `bytes` holds nothing `redact` would change, so that the lines of a whole chunk
   * can skip redaction after one scan. (A secret split across chunks is handled per line.)
   */
  mayNeedRedaction(bytes: Buffer): boolean {
    if (bytes.includes(KEY_PREFIX)) return true;
    for (const secret of this.#secretBytes) if (bytes.includes(secret)) return true;
    return false;
  }

  redact(text: string): string {
    const secrets = this.#secrets;
    for (let index = 0; index < secrets.length; index++) {
      const secret = secrets[index]!;
      if (text.includes(secret)) text = text.replaceAll(secret, this.#masks[index]!);
    }
    if (text.includes('sk-')) text = text.replace(KEY_SHAPE, maskSecret);
    return text;
  }

  /**
   * Redacts a line that was cut short: besides `redact`, masks a tail that is the start of a
   * known secret or of a key shape, since the cut hid the rest that would have matched.
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
    return text.replace(CUT_KEY_SHAPE, '…');
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
}

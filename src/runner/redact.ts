import { maskSecret } from '../shared/secret-mask.ts';

/** Key shapes masked even when the runner does not know the value (`sk-ant-…`, `sk-proj-…`, `sk-…`). */
const KEY_SHAPE = /\bsk-[A-Za-z0-9_-]{16,}/g;

export type Redactor = (text: string) => string;

/**
 * Masks every known secret value and every key-shaped token in a text. SDK error messages and
 * server answers may echo the key, so everything the runner prints or sends goes through this.
 */
export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const known = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= 4);
  return (text) => {
    let result = text;
    for (const secret of known) result = result.split(secret).join(maskSecret(secret));
    return result.replace(KEY_SHAPE, (match) => maskSecret(match));
  };
}

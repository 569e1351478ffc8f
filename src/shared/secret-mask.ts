/**
 * Masks a secret for display: the first 7 and the last 4 characters (`sk-ant-…abcd`).
 * Short values would be mostly revealed by that rule, so they keep only a hint of their end.
 */
export function maskSecret(secret: string): string {
  if (secret.length >= 20) return `${secret.slice(0, 7)}…${secret.slice(-4)}`;
  if (secret.length >= 12) return `…${secret.slice(-4)}`;
  return '…';
}

/** Small numeric helpers for benchmark results: medians and readable figures. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `1234567` → `1,234,567`; fractions keep `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const formatMs = (ms: number): string => `${formatNumber(ms, ms < 10 && !Number.isInteger(ms) ? 1 : 0)} ms`;
export const formatMb = (bytes: number): string => `${formatNumber(bytes / (1024 * 1024), 1)} MiB`;
export const formatRatio = (ratio: number): string => `${formatNumber(ratio, 2)}×`;

/** Runs `measure` `runs` times, one after the other. */
export async function repeat<T>(runs: number, measure: (run: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let run = 0; run < runs; run++) results.push(await measure(run));
  return results;
}

/** Wall-clock milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

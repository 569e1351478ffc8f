import { toPublicConfig } from '../config/public-config.ts';
import type { ResolvedConfig } from '../config/resolve.ts';

/**
 * The `--print-config` document (DESIGN.md §4): every field as `{value, source, pinned}`, keys
 * masked, and `errors`/`warnings` as sentences.
 */
export function formatPrintConfig(config: ResolvedConfig): string {
  const { keys, errors, warnings, ...fields } = toPublicConfig(config);
  return JSON.stringify({
    ...fields,
    keys,
    errors: errors.map((issue) => issue.message),
    warnings: warnings.map((issue) => issue.message),
  });
}

import { toPublicConfig } from '../config/public-config.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { SecretStore } from '../secrets/secret-store.ts';

/**
 * The `--print-config` document (docs/ARCHITECTURE.md §4): every field as `{value, source, pinned}`, keys
 * masked, each provider's endpoint, where saved keys are kept (`keyStorage`), and `errors`/`warnings` as sentences.
 * The model is the one the runner gets (resolved with Ollama's installed models, see `resolveWithOllama`),
 * with `why` when it is not the expected one.
 */
export function formatPrintConfig(config: ResolvedConfig, secrets: Pick<SecretStore, 'persistence' | 'notice'>): string {
  const { keys, errors, warnings, ...fields } = toPublicConfig(config);
  return JSON.stringify({
    ...fields,
    // Every provider's endpoint with its source, so a user sees where a key would go on a switch.
    endpoints: config.endpoints,
    keys,
    keyStorage: { persistence: secrets.persistence, ...(secrets.notice ? { notice: secrets.notice } : {}) },
    errors: errors.map((issue) => issue.message),
    warnings: warnings.map((issue) => issue.message),
  });
}

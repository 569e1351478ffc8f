import { z } from 'zod';
import { ModelAliasSchema } from './model-catalog.ts';
import { ProviderSchema, cloudProviderObject } from './providers.ts';
import { PublicEndpointSchema } from './endpoints.ts';

/**
 * Where a resolved value came from: `flag:--llm-provider`, `env:STIGMER_LLM_PROVIDER`,
 * `settings`, `keychain`, `session` (a key held in memory for this run) or `default`.
 */
export const ConfigSourceSchema = z.union([
  z.templateLiteral(['flag:--', z.string()]),
  z.templateLiteral(['env:', z.string()]),
  z.enum(['settings', 'keychain', 'session', 'default']),
]);
export type ConfigSource = z.infer<typeof ConfigSourceSchema>;

export const ConfigFieldNameSchema = z.enum(['provider', 'model', 'baseUrl', 'apiKey']);
export type ConfigFieldName = z.infer<typeof ConfigFieldNameSchema>;

export const ConfigIssueSchema = z.object({
  field: ConfigFieldNameSchema,
  source: ConfigSourceSchema,
  /** A whole sentence naming the input; safe to show (never contains a secret). */
  message: z.string(),
});
export type ConfigIssue = z.infer<typeof ConfigIssueSchema>;

const resolvedField = <T extends z.ZodType>(value: T) =>
  z.object({
    value,
    source: ConfigSourceSchema,
    /** Set by a flag or the environment: the UI shows it locked and does not overwrite it. */
    pinned: z.boolean(),
  });

/**
 * The resolved configuration as it may leave the main process: the API key is masked.
 * `keys` tells, per cloud provider, whether a key is available and from where.
 */
export const PublicConfigSchema = z.object({
  /** For an endpoint: the family it speaks (`openai`), with `endpoint` naming it. */
  provider: resolvedField(ProviderSchema),
  /** The user's OpenAI-compatible endpoint in use, or null. */
  endpoint: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** Every endpoint the user added, keys masked. */
  endpoints: z.array(PublicEndpointSchema),
  /** `alias` is set when the input was `fast`, `balanced` or `powerful`; `value` is the model it resolved to. `why`: a default other than the usual one. */
  model: resolvedField(z.string()).extend({ alias: z.object({ alias: ModelAliasSchema, basis: z.string() }).optional(), why: z.string().optional() }),
  baseUrl: resolvedField(z.string()),
  apiKey: resolvedField(z.string().nullable()),
  keys: cloudProviderObject(z.object({ source: ConfigSourceSchema, masked: z.string() }).nullable()),
  errors: z.array(ConfigIssueSchema),
  warnings: z.array(ConfigIssueSchema),
});
export type PublicConfig = z.infer<typeof PublicConfigSchema>;

export const isPinnedSource = (source: ConfigSource): boolean => source.startsWith('flag:') || source.startsWith('env:');

/** "flag:--llm-provider" → "--llm-provider", "env:LLM_PROVIDER" → "LLM_PROVIDER". */
export const sourceName = (source: ConfigSource): string => source.replace(/^(flag|env):/, '');

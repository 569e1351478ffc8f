import { z } from 'zod';
import { LIMITS } from './limits.ts';
import { PROVIDERS } from './providers.ts';

/**
 * A user's OpenAI-compatible endpoint (OpenRouter, Groq, Together, LM Studio, vLLM, LiteLLM, a
 * second Ollama): data, not code. Each is a provider of the cascade under its id
 * (`--llm-provider my-groq`), reached through the `openai` SDK; its key is in the secret store
 * under `endpointSecret(id)`, never in the settings file.
 */

/** The SDK family an endpoint speaks: the built-in provider whose adapter and runner variables it uses. */
export const ENDPOINT_FAMILY = 'openai' as const;

export const MAX_ENDPOINTS = 32;
export const MAX_ENDPOINT_MODELS = 200;

/** Lower case, digits and dashes, as a flag or variable value is typed; never a built-in provider's id. */
export const EndpointIdSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'an endpoint id is 1-40 lower-case letters, digits or dashes, starting with a letter or digit' })
  .refine((id) => !(PROVIDERS as readonly string[]).includes(id), { error: `an endpoint id cannot be a built-in provider's (${PROVIDERS.join(', ')})` });

const Text = (max: number) => z.string().trim().min(1).max(max);

export const EndpointSchema = z
  .object({
    id: EndpointIdSchema,
    name: Text(64),
    /** Normalised as the OpenAI SDK expects it (src/lib/base-url.ts `normaliseEndpointUrl`). */
    baseUrl: Text(LIMITS.baseUrl),
    /** The models it offers; the first is the default. */
    models: z.array(Text(LIMITS.model)).max(MAX_ENDPOINT_MODELS),
    /** The model last chosen for it. */
    model: Text(LIMITS.model).optional(),
  })
  .strict();
export type Endpoint = z.infer<typeof EndpointSchema>;

export const EndpointListSchema = z
  .array(EndpointSchema)
  .max(MAX_ENDPOINTS)
  .refine((list) => new Set(list.map((endpoint) => endpoint.id)).size === list.length, { error: 'two endpoints have the same id' });

/** What `endpoints:add` takes: an endpoint, and its key when it needs one. */
export const EndpointInputSchema = z
  .object({
    id: EndpointIdSchema,
    name: Text(64).optional(),
    baseUrl: Text(LIMITS.baseUrl),
    models: z.array(Text(LIMITS.model)).min(1).max(MAX_ENDPOINT_MODELS),
    key: Text(LIMITS.apiKey).optional(),
  })
  .strict();
export type EndpointInput = z.infer<typeof EndpointInputSchema>;

/** What `endpoints:check` answers: whether the server answers, takes the key, and offers the listed models. */
export const EndpointCheckSchema = z
  .object({
    id: EndpointIdSchema,
    /** `valid`: it answered and offers every listed model; `rejected`: 401/403; `unreachable`: no answer; `error`: anything else, a listed model it lacks included. */
    outcome: z.enum(['valid', 'rejected', 'unreachable', 'error']),
    status: z.number().int().optional(),
    /** A whole sentence, e.g. "Groq answered and accepted the key: 12 models offered." */
    message: z.string(),
    fix: z.string().optional(),
    /** The model ids it offers (the first MAX_ENDPOINT_MODELS), to choose from. */
    offered: z.array(z.string()).max(MAX_ENDPOINT_MODELS),
  })
  .strict();
export type EndpointCheck = z.infer<typeof EndpointCheckSchema>;

/** The secret store's name for an endpoint's key. */
export type EndpointSecret = `endpoint:${string}`;
export const endpointSecret = (id: string): EndpointSecret => `endpoint:${id}`;

/** An endpoint as the window, the tray and the CLI see it: its key masked. */
export const PublicEndpointSchema = EndpointSchema.extend({ key: z.object({ masked: z.string() }).nullable() });
export type PublicEndpoint = z.infer<typeof PublicEndpointSchema>;

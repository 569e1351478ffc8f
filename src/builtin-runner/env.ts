// zod/mini, as the protocol's schemas: classic zod would add ~5 MB to the idle runner (issue 25).
import * as z from 'zod/mini';
import { normaliseBaseUrl } from '../lib/base-url.ts';
import { keySpec, CLOUD_PROVIDERS, PROVIDER_SPECS, PROVIDERS, isCloudProvider, type Provider } from '../shared/providers.ts';

/** What the runner runs with, read once at start from the environment contract (DESIGN §2). */
export interface RunnerConfig {
  provider: Provider;
  model: string;
  /** Normalised: Ollama's native `http://host:port`, OpenAI's with `/v1`, Anthropic's without. */
  baseUrl: string;
  /** The user's OpenAI-compatible endpoint (`STIGMER_LLM_ENDPOINT`), when it is the provider. */
  endpoint?: string;
  /** The active cloud provider's key; undefined for Ollama. */
  apiKey: string | undefined;
  /** How often the SDK retries a 408/409/429/5xx or a dropped connection before giving up. */
  maxRetries: number;
}

export type RunnerEnvResult = { ok: true; config: RunnerConfig } | { ok: false; message: string };

const DEFAULT_MAX_RETRIES = 2;

const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim())),
);

const maxRetries = z.pipe(
  z.string().check(
    z.regex(/^\d{1,2}$/, {
      error: (issue) => `STIGMER_RUNNER_MAX_RETRIES="${String(issue.input)}" is not a whole number; set it to 0-10 or unset it`,
    }),
  ),
  z.transform(Number),
);

const EnvSchema = z
  .object({
    STIGMER_LLM_PROVIDER: z.enum(PROVIDERS, {
      error: (issue) =>
        issue.input === undefined || issue.input === ''
          ? `STIGMER_LLM_PROVIDER is not set; set it to one of ${PROVIDERS.join(', ')}`
          : `STIGMER_LLM_PROVIDER=${JSON.stringify(issue.input)} is not one of ${PROVIDERS.join(', ')}; set it to one of them`,
    }),
    STIGMER_LLM_MODEL: optionalText,
    STIGMER_LLM_BASE_URL: optionalText,
    STIGMER_LLM_API_KEY: optionalText,
    STIGMER_LLM_ENDPOINT: optionalText,
    // Each provider's own key and base-URL variables (`ProviderSpec`).
    ...(Object.fromEntries(CLOUD_PROVIDERS.map((provider) => [keySpec(provider).env, optionalText])) as Record<string, typeof optionalText>),
    ...(Object.fromEntries(PROVIDERS.map((provider) => [PROVIDER_SPECS[provider].baseUrl.env, optionalText])) as Record<string, typeof optionalText>),
    STIGMER_RUNNER_MAX_RETRIES: z.pipe(
      optionalText,
      z.optional(
        maxRetries.check(
          z.refine((value) => value <= 10, {
            error: (issue) => `STIGMER_RUNNER_MAX_RETRIES=${String(issue.input)} is too large; set it to 0-10 or unset it`,
          }),
        ),
      ),
    ),
  })
  .check(
    z.superRefine((env, ctx) => {
      for (const message of resolveDependentFields(env).issues) ctx.addIssue({ code: 'custom', message });
    }),
  );

type ParsedEnv = z.output<typeof EnvSchema>;

interface DependentFields {
  baseUrl: string;
  apiKey: string | undefined;
  issues: string[];
}

/** Base URL and key depend on the provider, so they are checked after it. */
function resolveDependentFields(env: ParsedEnv): DependentFields {
  const provider = env.STIGMER_LLM_PROVIDER;
  // The providers' own variables, named by the table.
  const own = env as unknown as Readonly<Record<string, string | undefined>>;
  const issues: string[] = [];
  const label = PROVIDER_SPECS[provider].label;

  let baseUrl = PROVIDER_SPECS[provider].baseUrl.default;
  // The provider's own base-URL variable counts for Ollama only: the app always sets
  // STIGMER_LLM_BASE_URL, and an SDK's own variable is the app's copy of it.
  const ownVariable = PROVIDER_SPECS[provider].baseUrl.env;
  const [urlVariable, rawUrl] =
    env.STIGMER_LLM_BASE_URL !== undefined
      ? ['STIGMER_LLM_BASE_URL', env.STIGMER_LLM_BASE_URL]
      : !isCloudProvider(provider) && own[ownVariable] !== undefined
        ? [ownVariable, own[ownVariable]]
        : [undefined, undefined];
  if (urlVariable && rawUrl !== undefined) {
    const normalised = normaliseBaseUrl(provider, rawUrl);
    if (normalised.ok) baseUrl = normalised.url;
    else issues.push(`${urlVariable}="${rawUrl}" ${normalised.reason}; set it to a URL such as ${PROVIDER_SPECS[provider].baseUrl.default}`);
  }

  let apiKey: string | undefined;
  if (isCloudProvider(provider)) {
    const usualVariable = keySpec(provider).env;
    const [keyVariable, key] = env.STIGMER_LLM_API_KEY !== undefined ? ['STIGMER_LLM_API_KEY', env.STIGMER_LLM_API_KEY] : [usualVariable, own[usualVariable]];
    if (key === undefined) {
      issues.push(`STIGMER_LLM_API_KEY is not set; the ${label} provider needs an API key in STIGMER_LLM_API_KEY or ${usualVariable}`);
    } else if (/\s/.test(key)) {
      issues.push(`${keyVariable} contains whitespace; paste the ${label} API key again without spaces or line breaks`);
    } else {
      apiKey = key;
    }
  }
  return { baseUrl, apiKey, issues };
}

/**
 * Reads the runner's environment. A bad configuration yields one line that names every
 * offending variable and its fix; it never contains a key.
 */
export function parseRunnerEnv(env: NodeJS.ProcessEnv): RunnerEnvResult {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join('; ') };
  const fields = resolveDependentFields(parsed.data);
  const provider = parsed.data.STIGMER_LLM_PROVIDER;
  return {
    ok: true,
    config: {
      provider,
      model: parsed.data.STIGMER_LLM_MODEL ?? PROVIDER_SPECS[provider].defaultModel,
      baseUrl: fields.baseUrl,
      ...(parsed.data.STIGMER_LLM_ENDPOINT === undefined ? {} : { endpoint: parsed.data.STIGMER_LLM_ENDPOINT }),
      apiKey: fields.apiKey,
      maxRetries: parsed.data.STIGMER_RUNNER_MAX_RETRIES ?? DEFAULT_MAX_RETRIES,
    },
  };
}

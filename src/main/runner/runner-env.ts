import { API_KEY_ENV, CLOUD_PROVIDERS, isCloudProvider } from '../../shared/providers.ts';
import type { ResolvedConfig } from '../config/resolve.ts';

/**
 * Inherited variables the runner must never see as they are: the cascade's inputs (the runner
 * gets the resolved values instead), every provider's credentials (only the active provider's
 * resolved key is added back), and the SDKs' own base URL variables, which would silently send
 * a runner's SDK somewhere other than the resolved base URL.
 */
const INHERITED_VARIABLES_REMOVED = [
  'STIGMER_LLM_PROVIDER',
  'STIGMER_LLM_MODEL',
  'STIGMER_LLM_BASE_URL',
  'STIGMER_LLM_API_KEY',
  'LLM_PROVIDER',
  'LLM_MODEL',
  'LLM_BASE_URL',
  'OLLAMA_HOST',
  ...CLOUD_PROVIDERS.map((provider) => API_KEY_ENV[provider]),
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'OPENAI_BASE_URL',
] as const;

/** The variables that carry a secret in a runner's environment. */
export const RUNNER_SECRET_VARIABLES: readonly string[] = ['STIGMER_LLM_API_KEY', ...CLOUD_PROVIDERS.map((provider) => API_KEY_ENV[provider])];

/**
 * The app's environment without any provider credential, for the processes the app starts that
 * need none (`ollama serve`).
 */
export function withoutCredentials(baseEnv: Readonly<NodeJS.ProcessEnv>): NodeJS.ProcessEnv {
  const credentials = new Set([...RUNNER_SECRET_VARIABLES, 'ANTHROPIC_AUTH_TOKEN']);
  return Object.fromEntries(Object.entries(baseEnv).filter(([name]) => !credentials.has(name.toUpperCase())));
}

/**
 * The runner's environment (DESIGN.md §2): the app's own environment without any LLM input or
 * credential it inherited, plus the resolved configuration:
 *
 * - `STIGMER_LLM_PROVIDER`, `STIGMER_LLM_MODEL`, `STIGMER_LLM_BASE_URL` (Ollama: native `http://host:port`);
 * - for a cloud provider, its key as `STIGMER_LLM_API_KEY` and as its SDK's variable;
 * - for Ollama, `OLLAMA_HOST` (the same native URL, which Ollama's clients accept).
 *
 * Pure. The configuration must be valid: a runner is never started with errors pending.
 */
export function buildRunnerEnv(config: ResolvedConfig, baseEnv: Readonly<NodeJS.ProcessEnv>): Record<string, string> {
  if (config.errors.length > 0) {
    throw new Error(`the runner cannot start until the configuration is fixed: ${config.errors.map((issue) => issue.message).join('; ')}`);
  }
  const removed = new Set<string>(INHERITED_VARIABLES_REMOVED);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(baseEnv)) {
    // Windows variable names are case-insensitive, so `openai_api_key` would reach an SDK there too.
    if (value !== undefined && !removed.has(name.toUpperCase())) env[name] = value;
  }

  // Python block-buffers a piped stdout: without this a worker's logs arrive in late bursts, or never if it is killed.
  env.PYTHONUNBUFFERED ??= '1';
  const provider = config.provider.value;
  env.STIGMER_LLM_PROVIDER = provider;
  env.STIGMER_LLM_MODEL = config.model.value;
  env.STIGMER_LLM_BASE_URL = config.baseUrl.value;
  if (isCloudProvider(provider)) {
    const key = config.apiKey.value;
    if (key === null) throw new Error(`the runner cannot start: no ${provider} API key is configured`);
    env.STIGMER_LLM_API_KEY = key;
    env[API_KEY_ENV[provider]] = key;
  } else {
    env.OLLAMA_HOST = config.baseUrl.value;
  }
  return env;
}

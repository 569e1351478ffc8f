import type { RunnerEnvironment } from '../../shared/state-schema.ts';
import { RUNNER_CONTROL_FD, RUNNER_CONTROL_FD_VARIABLE } from '../../shared/runner-protocol.ts';
import { API_KEY_ENV, CLOUD_PROVIDERS, PROVIDERS, isCloudProvider } from '../../shared/providers.ts';
import { maskSecret } from '../../shared/secret-mask.ts';
import { toOpenAiCompatibleUrl } from '../../lib/base-url.ts';
import { PROVIDER_BASE_URL_ENV } from '../config/endpoint.ts';
import type { ResolvedConfig } from '../config/resolve.ts';

/** Every variable `buildRunnerEnv` may set, in the order the window lists them. */
const CONTRACT_VARIABLES: readonly string[] = [
  'STIGMER_LLM_PROVIDER',
  'STIGMER_LLM_MODEL',
  'STIGMER_LLM_BASE_URL',
  'STIGMER_LLM_API_KEY',
  'LLM_PROVIDER',
  'LLM_MODEL',
  'LLM_BASE_URL',
  ...CLOUD_PROVIDERS.map((provider) => API_KEY_ENV[provider]),
  ...PROVIDERS.map((provider) => PROVIDER_BASE_URL_ENV[provider]),
  'PYTHONUNBUFFERED',
  RUNNER_CONTROL_FD_VARIABLE,
];

/**
 * Inherited variables the runner must never see as they are: the cascade's inputs (the runner
 * gets the resolved values instead), every provider's credentials (only the active provider's
 * resolved key is added back), and the SDKs' own base URL variables, which would silently send
 * a runner's SDK somewhere other than the resolved base URL (the active provider's is set again).
 * `PYTHONUNBUFFERED` is the user's to set. An inherited `STIGMER_CONTROL_FD` would point a runner at a descriptor that is not its channel.
 */
const INHERITED_VARIABLES_REMOVED = [...CONTRACT_VARIABLES.filter((name) => name !== 'PYTHONUNBUFFERED'), 'ANTHROPIC_AUTH_TOKEN'];

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
 * The variables the app sets from the resolved configuration (docs/ARCHITECTURE.md §2), for one provider:
 *
 * - `STIGMER_LLM_PROVIDER`, `STIGMER_LLM_MODEL`, `STIGMER_LLM_BASE_URL` (Ollama: native `http://host:port`);
 * - ADR 019's `LLM_PROVIDER`, `LLM_MODEL`, `LLM_BASE_URL` (Ollama: the OpenAI-compatible `…/v1`);
 * - for a cloud provider, its key as `STIGMER_LLM_API_KEY` and as its SDK's variable, and the
 *   endpoint as its SDK's base URL variable, so an SDK left to its defaults goes where the key may go;
 * - for Ollama, `OLLAMA_HOST` (the native URL, which Ollama's clients accept).
 */
function contractVariables(config: ResolvedConfig): Record<string, string> {
  const provider = config.provider.value;
  const baseUrl = config.baseUrl.value;
  const variables: Record<string, string> = {
    STIGMER_LLM_PROVIDER: provider,
    STIGMER_LLM_MODEL: config.model.value,
    STIGMER_LLM_BASE_URL: baseUrl,
    LLM_PROVIDER: provider,
    LLM_MODEL: config.model.value,
    LLM_BASE_URL: provider === 'ollama' ? toOpenAiCompatibleUrl(baseUrl) : baseUrl,
  };
  if (!isCloudProvider(provider)) return { ...variables, OLLAMA_HOST: baseUrl };
  const key = config.apiKey.value;
  if (key === null) throw new Error(`the runner cannot start: no ${provider} API key is configured`);
  return { ...variables, STIGMER_LLM_API_KEY: key, [API_KEY_ENV[provider]]: key, [PROVIDER_BASE_URL_ENV[provider]]: baseUrl };
}

/**
 * The runner's environment: the app's own environment without any LLM input or credential it
 * inherited (an inherited `OPENAI_BASE_URL` while Anthropic is active, or an `LLM_MODEL` the
 * cascade overrode, would mislead the runner), plus the resolved configuration.
 *
 * Pure. The configuration must be valid: a runner is never started with errors pending.
 */
export function buildRunnerEnv(
  config: ResolvedConfig,
  baseEnv: Readonly<NodeJS.ProcessEnv>,
  { controlChannel = false }: { controlChannel?: boolean } = {},
): Record<string, string> {
  if (config.errors.length > 0) {
    throw new Error(`the runner cannot start until the configuration is fixed: ${config.errors.map((issue) => issue.message).join('; ')}`);
  }
  const removed = new Set<string>(INHERITED_VARIABLES_REMOVED);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(baseEnv)) {
    // Windows variable names are case-insensitive, so `openai_api_key` would reach an SDK there too.
    if (value !== undefined && !removed.has(name.toUpperCase())) env[name] = value;
  }
  Object.assign(env, contractVariables(config));
  // Python block-buffers a piped stdout: without this a worker's logs arrive in late bursts, or never if it is killed.
  env.PYTHONUNBUFFERED ??= '1';
  // A custom runner given the JSON-lines channel learns where it is (the launcher opens it there).
  if (controlChannel) env[RUNNER_CONTROL_FD_VARIABLE] = String(RUNNER_CONTROL_FD);
  return env;
}

/**
 * What the window shows of a runner's environment: the contract variables it received, keys
 * masked and every other value through the log redactor, and the names (never the values) of
 * the inherited variables that were withheld.
 */
export function describeRunnerEnv(
  env: Readonly<Record<string, string>>,
  baseEnv: Readonly<NodeJS.ProcessEnv>,
  redact: (text: string) => string,
): RunnerEnvironment {
  const secret = new Set(RUNNER_SECRET_VARIABLES);
  const variables = CONTRACT_VARIABLES.flatMap((name) => {
    const value = env[name];
    if (value === undefined) return [];
    return [{ name, value: secret.has(name) ? maskSecret(value) : redact(value) }];
  });
  const withheld = Object.keys(baseEnv)
    .filter((name) => baseEnv[name] !== undefined && !(name in env))
    .sort();
  return { variables, withheld };
}

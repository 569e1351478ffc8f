import type { RunnerEnvironment } from '../../shared/state-schema.ts';
import { RUNNER_CONTROL_FD, RUNNER_CONTROL_FD_VARIABLE } from '../../shared/runner-protocol.ts';
import { keySpec, CLOUD_PROVIDERS, PROVIDERS, PROVIDER_SPECS, isCloudProvider, type Provider } from '../../shared/providers.ts';
import { maskSecret } from '../../shared/secret-mask.ts';
import { sdkBaseUrl } from '../../lib/base-url.ts';
import type { ResolvedConfig } from '../config/resolve.ts';

/**
 * Names the user's OpenAI-compatible endpoint when one is the provider: the runner sees
 * `LLM_PROVIDER=openai` with the endpoint's `LLM_BASE_URL` and key, as a Python worker that knows
 * only ollama/anthropic/openai can use it, and this tells which endpoint it is.
 */
export const ENDPOINT_VARIABLE = 'STIGMER_LLM_ENDPOINT';

/** An endpoint without a key still gets one: the OpenAI SDK requires it; a server without auth ignores it. */
export const NO_KEY_PLACEHOLDER = 'no-key';

/** Every variable `buildRunnerEnv` may set, in the order the window lists them. */
const CONTRACT_VARIABLES: readonly string[] = [
  'STIGMER_LLM_PROVIDER',
  'STIGMER_LLM_MODEL',
  'STIGMER_LLM_BASE_URL',
  'STIGMER_LLM_API_KEY',
  'LLM_PROVIDER',
  'LLM_MODEL',
  'LLM_BASE_URL',
  ENDPOINT_VARIABLE,
  ...CLOUD_PROVIDERS.map((provider) => keySpec(provider).env),
  ...PROVIDERS.map((provider) => PROVIDER_SPECS[provider].baseUrl.env),
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
export const RUNNER_SECRET_VARIABLES: readonly string[] = ['STIGMER_LLM_API_KEY', ...CLOUD_PROVIDERS.map((provider) => keySpec(provider).env)];

/**
 * The app's environment without any provider credential, for the processes the app starts that
 * need none (`ollama serve`).
 */
export function withoutCredentials(baseEnv: Readonly<NodeJS.ProcessEnv>): NodeJS.ProcessEnv {
  const credentials = new Set([...RUNNER_SECRET_VARIABLES, 'ANTHROPIC_AUTH_TOKEN']);
  return Object.fromEntries(Object.entries(baseEnv).filter(([name]) => !credentials.has(name.toUpperCase())));
}

/** The provider, model and base URL a runner was given, read back from the environment `buildRunnerEnv` made. */
export function givenByEnv(env: Readonly<Record<string, string>> | undefined): { provider: Provider; model: string; baseUrl: string } | undefined {
  const provider = env?.STIGMER_LLM_PROVIDER;
  const model = env?.STIGMER_LLM_MODEL;
  const baseUrl = env?.STIGMER_LLM_BASE_URL;
  if (!(PROVIDERS as readonly string[]).includes(provider ?? '') || model === undefined || baseUrl === undefined) return undefined;
  return { provider: provider as Provider, model, baseUrl };
}

/**
 * The variables the app sets from the resolved configuration (docs/ARCHITECTURE.md §2), for one provider:
 *
 * - `STIGMER_LLM_PROVIDER`, `STIGMER_LLM_MODEL`, `STIGMER_LLM_BASE_URL` (Ollama: native `http://host:port`);
 * - ADR 019's `LLM_PROVIDER`, `LLM_MODEL`, `LLM_BASE_URL` (Ollama: the OpenAI-compatible `…/v1`);
 * - for a cloud provider, its key as `STIGMER_LLM_API_KEY` and as its SDK's variable, and the
 *   endpoint as its SDK's base URL variable, so an SDK left to its defaults goes where the key may go;
 * - for Ollama, `OLLAMA_HOST` (the native URL, which Ollama's clients accept);
 * - for an endpoint, the `openai` variables with its URL and key, and `STIGMER_LLM_ENDPOINT=<id>`.
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
    LLM_BASE_URL: sdkBaseUrl(provider, baseUrl),
    [PROVIDER_SPECS[provider].baseUrl.env]: baseUrl,
  };
  if (!isCloudProvider(provider)) return variables;
  const key = config.apiKey.value ?? (config.endpoint ? NO_KEY_PLACEHOLDER : null);
  if (key === null) throw new Error(`the runner cannot start: no ${provider} API key is configured`);
  const endpoint: Record<string, string> = config.endpoint ? { [ENDPOINT_VARIABLE]: config.endpoint.id } : {};
  return { ...variables, ...endpoint, STIGMER_LLM_API_KEY: key, [keySpec(provider).env]: key };
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

import { sourceName } from '../../shared/config.ts';
import { endpointSecret, type Endpoint } from '../../shared/endpoints.ts';
import { normaliseEndpointUrl } from '../../lib/base-url.ts';
import { genericCandidates, isPlainHttpRemote } from './endpoint.ts';
import { envCandidate, field, firstValid, flagCandidate, isBlank, quote, type Issues, type ResolvedField } from './layers.ts';
import type { CascadeInput, ResolvedConfig } from './cascade.ts';

/**
 * The cascade when the provider is one of the user's OpenAI-compatible endpoints
 * (src/shared/endpoints.ts). Its base URL and key are the endpoint's own and nothing else's: a
 * generic base URL is not used (a warning says so), so the key only ever goes to the URL saved
 * with it. The model: flag, environment, the endpoint's last choice, then its first model. No
 * model-name rule applies: such servers name models as they like.
 */
export function resolveCustomEndpoint(
  input: CascadeInput,
  chosen: ResolvedField<Endpoint>,
  issues: Issues,
): Pick<ResolvedConfig, 'endpoint' | 'model' | 'baseUrl' | 'apiKey'> {
  const endpoint = chosen.value;
  const label = `the endpoint ${quote(endpoint.name)} (${endpoint.id})`;
  for (const generic of genericCandidates(input)) {
    if (isBlank(generic.raw)) continue;
    issues.warnings.push({
      field: 'baseUrl',
      source: generic.source,
      message: `${sourceName(generic.source)}=${quote(generic.raw.trim())} is not used: ${label} has its own base URL, and its key only goes there. To fix: unset ${sourceName(generic.source)}, or change the endpoint's URL (stigmer endpoints add ${endpoint.id} --base-url URL)`,
    });
  }

  const stored = input.storedKeys[endpointSecret(endpoint.id)];
  const apiKey = stored ? field<string | null>(stored.value, stored.source) : field<string | null>(null, 'default');

  const url = normaliseEndpointUrl(endpoint.baseUrl);
  const baseUrl: ResolvedField<string> = field(url.ok ? url.url : endpoint.baseUrl, 'settings');
  if (!url.ok) {
    issues.errors.push({
      field: 'baseUrl',
      source: 'settings',
      message: `The base URL of ${label}, ${quote(endpoint.baseUrl)}, ${url.reason}; add the endpoint again with an http(s) URL`,
    });
  } else if (apiKey.value !== null && isPlainHttpRemote(new URL(url.url))) {
    issues.errors.push({
      field: 'baseUrl',
      source: 'settings',
      message: `The base URL of ${label}, ${quote(endpoint.baseUrl)}, is plain HTTP to another machine, so its key would cross the network unencrypted; use https://, or a loopback address for a local server`,
    });
  }

  const given = firstValid(
    'model',
    [
      flagCandidate('llm-model', input.flags.llmModel),
      envCandidate(input.env, 'STIGMER_LLM_MODEL'),
      envCandidate(input.env, 'LLM_MODEL'),
      { source: 'settings', raw: endpoint.model },
    ],
    (raw) => ({ ok: true, value: raw }),
    issues,
  );
  const first = endpoint.models[0];
  const model = given ?? field(first ?? '', 'default');
  if (!given && first === undefined) {
    issues.errors.push({
      field: 'model',
      source: chosen.source,
      message: `${label} lists no model; pass --llm-model, or add the endpoint again with --models`,
    });
  }
  return { endpoint: { id: endpoint.id, name: endpoint.name }, model, baseUrl, apiKey };
}

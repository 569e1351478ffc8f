import type { EndpointCheck, EndpointInput } from '../../shared/endpoints.ts';
import { endpointSecret } from '../../shared/endpoints.ts';
import { checkEndpoint } from '../providers/provider-api.ts';
import { normaliseEndpointUrl } from '../../lib/base-url.ts';
import { isPlainHttpRemote } from '../config/endpoint.ts';
import { CommandError } from './command-error.ts';
import type { Configuration } from './configuration.ts';

/**
 * The user's OpenAI-compatible endpoints (src/shared/endpoints.ts): added or replaced by id, with
 * the key in the secret store, and removed with it. Data only: no endpoint needs code.
 */
export async function addEndpoint(configuration: Configuration, input: EndpointInput): Promise<void> {
  const url = normaliseEndpointUrl(input.baseUrl);
  if (!url.ok)
    throw new CommandError(
      `The base URL ${JSON.stringify(input.baseUrl)} ${url.reason}.`,
      'Use http(s)://host[:port][/path], e.g. https://api.groq.com/openai/v1.',
    );
  if (input.key !== undefined && isPlainHttpRemote(new URL(url.url))) {
    throw new CommandError(
      `The base URL ${JSON.stringify(input.baseUrl)} is plain HTTP to another machine, so the key would cross the network unencrypted.`,
      'Use https://, or a loopback address (127.0.0.1, localhost) for a local server.',
    );
  }
  const endpoint = { id: input.id, name: input.name ?? input.id, baseUrl: url.url, models: [...new Set(input.models)] };
  // The key first: an endpoint saved without it would be used without one for a moment.
  if (input.key !== undefined) await configuration.secrets.set(endpointSecret(input.id), input.key);
  else await configuration.secrets.delete(endpointSecret(input.id));
  configuration.save((draft) => {
    draft.endpoints = [...(draft.endpoints ?? []).filter((known) => known.id !== input.id), endpoint];
  });
  await configuration.reconfigure(`endpoint ${input.id} saved`);
}

/** Makes the endpoint the provider, with one of the models it lists when given (remembered for it). */
export async function useEndpoint(configuration: Configuration, id: string, model?: string): Promise<void> {
  const endpoint = configuration.current.customEndpoints.find((known) => known.id === id);
  if (endpoint && model !== undefined && !endpoint.models.includes(model)) {
    throw new CommandError(
      `${endpoint.name} lists no model "${model}"; it lists ${endpoint.models.join(', ')}.`,
      `Choose one of those, or add the endpoint again with --models ${[...endpoint.models, model].join(',')}.`,
    );
  }
  await configuration.setProvider(
    id,
    model === undefined
      ? undefined
      : (draft) => {
          const saved = draft.endpoints?.find((known) => known.id === id);
          if (saved) saved.model = model;
        },
  );
}

/** A live check of an endpoint (src/main/providers/provider-api.ts `checkEndpoint`); changes nothing. */
export function checkEndpointById(configuration: Configuration, id: string): Promise<EndpointCheck> {
  const endpoint = configuration.current.customEndpoints.find((known) => known.id === id);
  if (!endpoint) throw new CommandError(`There is no endpoint "${id}".`, 'List them with stigmer endpoints list.');
  const { key, ...rest } = endpoint;
  return checkEndpoint(rest, key?.value);
}

export async function removeEndpoint(configuration: Configuration, id: string): Promise<void> {
  if (!configuration.current.customEndpoints.some((endpoint) => endpoint.id === id)) {
    throw new CommandError(`There is no endpoint "${id}".`, 'List them with stigmer endpoints list.');
  }
  configuration.save((draft) => {
    draft.endpoints = (draft.endpoints ?? []).filter((known) => known.id !== id);
    if (draft.provider === id) delete draft.provider;
  });
  await configuration.secrets.delete(endpointSecret(id));
  await configuration.reconfigure(`endpoint ${id} removed`);
}

import type { EndpointInput } from '../../shared/endpoints.ts';
import { endpointSecret } from '../../shared/endpoints.ts';
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

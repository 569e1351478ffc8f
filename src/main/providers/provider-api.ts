import type { KeyCheck, ModelOption } from '../../shared/ipc.ts';
import { ENDPOINT_FAMILY, MAX_ENDPOINT_MODELS, type Endpoint, type EndpointCheck } from '../../shared/endpoints.ts';
import { describeError, type ErrorContext } from '../../shared/provider-errors.ts';
import { PROVIDER_SPECS, type CloudProvider, type SdkName } from '../../shared/providers.ts';
import { maskSecret } from '../../shared/secret-mask.ts';

/** A live call should answer quickly or be reported as unreachable; the user is waiting. */
const REQUEST_TIMEOUT_MS = 15_000;

export interface ProviderEndpoint {
  provider: CloudProvider;
  key: string;
  /** As resolved by the cascade (Anthropic without `/v1`, OpenAI with it). */
  baseUrl: string;
}

type ListOptions = { apiKey: string; baseURL: string; maxRetries: number; timeout: number };

/**
 * The model ids each SDK lists (`ProviderSpec.sdk`). Loaded on first use: the SDKs weigh tens of
 * megabytes of memory that a host running only the runner never needs.
 */
const LIST_MODELS: Record<SdkName, (options: ListOptions) => Promise<string[]>> = {
  async anthropic(options) {
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    const ids: string[] = [];
    for await (const model of new Anthropic(options).models.list({ limit: 100 })) ids.push(model.id);
    return ids;
  },
  async 'openai-chat'(options) {
    const { default: OpenAI } = await import('openai');
    const ids: string[] = [];
    for await (const model of new OpenAI(options).models.list()) ids.push(model.id);
    return ids;
  },
};

const listModelIds = ({ provider, key, baseUrl }: ProviderEndpoint): Promise<string[]> =>
  LIST_MODELS[PROVIDER_SPECS[provider].sdk]({ apiKey: key, baseURL: baseUrl, maxRetries: 0, timeout: REQUEST_TIMEOUT_MS });

/** The outcome of one authenticated listing, worded for the user, with the key masked in anything the server echoed. */
type Probe = { ok: true; ids: string[] } | { ok: false; outcome: Exclude<KeyCheck['outcome'], 'valid'>; status?: number; message: string; fix?: string };

async function probe(list: () => Promise<string[]>, context: ErrorContext, key: string | undefined): Promise<Probe> {
  try {
    return { ok: true, ids: await list() };
  } catch (error) {
    const described = describeError(error, context);
    const outcome = described.code === 'auth' ? 'rejected' : described.code === 'unreachable' || described.code === 'timeout' ? 'unreachable' : 'error';
    const hide = (text: string) => (key ? text.replaceAll(key, maskSecret(key)) : text);
    const sentence = hide(described.message);
    return {
      ok: false,
      outcome,
      ...(described.status !== undefined ? { status: described.status } : {}),
      message: `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}`,
      ...(described.fix ? { fix: hide(described.fix) } : {}),
    };
  }
}

/**
 * Checks a key with the cheapest authenticated call each provider has (list models). The key
 * itself never appears in the result: messages are the provider-error descriptions, with the
 * key masked in case the server echoed it.
 */
export async function checkKey(endpoint: ProviderEndpoint): Promise<KeyCheck> {
  const masked = maskSecret(endpoint.key);
  const result = await probe(() => listModelIds(endpoint), { provider: endpoint.provider, model: '', baseUrl: endpoint.baseUrl }, endpoint.key);
  if (result.ok) return { provider: endpoint.provider, outcome: 'valid', message: `${PROVIDER_SPECS[endpoint.provider].label} accepted this key.`, masked };
  const { ok: _ok, ...failure } = result;
  return { provider: endpoint.provider, ...failure, masked };
}

/**
 * Asks a user's OpenAI-compatible endpoint for its models, with its key when it has one: whether
 * it answers, takes the key, and offers the models the user listed.
 */
export async function checkEndpoint(endpoint: Endpoint, key: string | undefined): Promise<EndpointCheck> {
  const context = { provider: ENDPOINT_FAMILY, model: '', baseUrl: endpoint.baseUrl, label: endpoint.name };
  const list = () =>
    LIST_MODELS[PROVIDER_SPECS[ENDPOINT_FAMILY].sdk]({ apiKey: key ?? 'no-key', baseURL: endpoint.baseUrl, maxRetries: 0, timeout: REQUEST_TIMEOUT_MS });
  const result = await probe(list, context, key);
  if (!result.ok) {
    const { ok: _ok, ...failure } = result;
    // The provider's own advice names its settings and variables; an endpoint's key is replaced by adding it again.
    const fix =
      failure.outcome === 'rejected'
        ? `Add ${endpoint.name} again with a valid key: in Settings, or stigmer endpoints add ${endpoint.id} … --key.`
        : failure.fix;
    return { id: endpoint.id, ...failure, ...(fix ? { fix } : {}), offered: [] };
  }
  const offered = result.ids.slice(0, MAX_ENDPOINT_MODELS);
  const missing = endpoint.models.filter((model) => !result.ids.includes(model));
  const answered = `${endpoint.name} answered${key ? ' and accepted the key' : ''}: ${result.ids.length} ${result.ids.length === 1 ? 'model' : 'models'} offered.`;
  if (missing.length === 0) return { id: endpoint.id, outcome: 'valid', message: answered, offered };
  return {
    id: endpoint.id,
    outcome: 'error',
    message: `${answered} It does not offer ${missing.map((model) => JSON.stringify(model)).join(', ')}.`,
    fix: `Add the endpoint again with models it offers (${offered.slice(0, 5).join(', ')}${offered.length > 5 ? ', …' : ''}).`,
    offered,
  };
}

/** Chat models the provider offers to this key, newest names first. */
export async function listProviderModels(endpoint: ProviderEndpoint): Promise<ModelOption[]> {
  const ids = await listModelIds(endpoint);
  const { chatModel } = PROVIDER_SPECS[endpoint.provider];
  const chat = chatModel ? ids.filter((id) => chatModel.test(id)) : ids;
  return chat.sort((a, b) => b.localeCompare(a)).map((name) => ({ name, installed: true }));
}

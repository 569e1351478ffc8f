import type { KeyCheck, ModelOption } from '../../shared/ipc.ts';
import { describeError } from '../../shared/provider-errors.ts';
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

/**
 * Checks a key with the cheapest authenticated call each provider has (list models). The key
 * itself never appears in the result: messages are the provider-error descriptions, with the
 * key masked in case the server echoed it.
 */
export async function checkKey(endpoint: ProviderEndpoint): Promise<KeyCheck> {
  const label = PROVIDER_SPECS[endpoint.provider].label;
  const masked = maskSecret(endpoint.key);
  try {
    await listModelIds(endpoint);
    return { provider: endpoint.provider, outcome: 'valid', message: `${label} accepted this key.`, masked };
  } catch (error) {
    const described = describeError(error, { provider: endpoint.provider, model: '', baseUrl: endpoint.baseUrl });
    const outcome = described.code === 'auth' ? 'rejected' : described.code === 'unreachable' || described.code === 'timeout' ? 'unreachable' : 'error';
    const hide = (text: string) => text.replaceAll(endpoint.key, masked);
    const sentence = hide(described.message);
    return {
      provider: endpoint.provider,
      outcome,
      ...(described.status !== undefined ? { status: described.status } : {}),
      message: `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}`,
      ...(described.fix ? { fix: hide(described.fix) } : {}),
      masked,
    };
  }
}

/** Chat models the provider offers to this key, newest names first. */
export async function listProviderModels(endpoint: ProviderEndpoint): Promise<ModelOption[]> {
  const ids = await listModelIds(endpoint);
  const { chatModel } = PROVIDER_SPECS[endpoint.provider];
  const chat = chatModel ? ids.filter((id) => chatModel.test(id)) : ids;
  return chat.sort((a, b) => b.localeCompare(a)).map((name) => ({ name, installed: true }));
}

import type OpenAI from 'openai';
import { sdkBaseUrl } from '../lib/base-url.ts';
import { PROVIDER_SPECS, type SdkName } from '../shared/providers.ts';
import type { HistoryMessage } from '../shared/runner-protocol.ts';
import type { RunnerConfig } from './env.ts';

export interface ChatRequest {
  prompt: string;
  /** The conversation before `prompt`, oldest first (empty for a single prompt). */
  history: readonly HistoryMessage[];
  system?: string | undefined;
  maxTokens?: number | undefined;
  signal: AbortSignal;
  /** Called for each piece of text as it streams in. */
  onText: (text: string) => void;
}

export interface ChatResult {
  /** The model the server reports (an alias may resolve to a dated name). */
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** False when the server sent no token counts (some OpenAI-compatible servers omit them). */
  usageReported: boolean;
}

export interface ChatClient {
  stream(request: ChatRequest): Promise<ChatResult>;
  /** One cheap authenticated call that also proves the model exists (GET /v1/models/{model}). */
  retrieveModel(signal: AbortSignal): Promise<void>;
}

/** Anthropic requires `max_tokens`; this is used when a task does not set one. */
export const DEFAULT_MAX_TOKENS = 1024;

/**
 * Makes `create` (which imports an SDK) run on first use, once: an idle runner has no SDK in
 * memory (each is tens of MB of code), and a runner loads only its own provider's.
 */
function onFirstUse<T>(create: () => Promise<T>): () => Promise<T> {
  let created: Promise<T> | undefined;
  return () => (created ??= create());
}

function anthropicClient(config: RunnerConfig): ChatClient {
  const sdk = onFirstUse(async () => {
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    return new Anthropic({ apiKey: config.apiKey ?? null, baseURL: config.baseUrl, maxRetries: config.maxRetries });
  });
  return {
    async stream({ prompt, history, system, maxTokens, signal, onText }) {
      const client = await sdk();
      const events = await client.messages.create(
        {
          model: config.model,
          max_tokens: maxTokens ?? DEFAULT_MAX_TOKENS,
          ...(system === undefined ? {} : { system }),
          messages: [...history, { role: 'user', content: prompt }],
          stream: true,
        },
        { signal },
      );
      const result: ChatResult = { model: config.model, inputTokens: 0, outputTokens: 0, usageReported: false };
      for await (const event of events) {
        if (event.type === 'message_start') {
          result.model = event.message.model;
          result.inputTokens = event.message.usage.input_tokens;
          result.outputTokens = event.message.usage.output_tokens;
          result.usageReported = true;
        } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          onText(event.delta.text);
        } else if (event.type === 'message_delta') {
          // message_delta carries the cumulative output count.
          result.outputTokens = event.usage.output_tokens;
        }
      }
      return result;
    },
    async retrieveModel(signal) {
      await (await sdk()).models.retrieve(config.model, {}, { signal });
    },
  };
}

/**
 * OpenAI, Ollama through its OpenAI-compatible `/v1` endpoint (as the seed's `get_llm` does) and
 * the user's OpenAI-compatible endpoints.
 */
function openAiChatClient(config: RunnerConfig): ChatClient {
  const spec = PROVIDER_SPECS[config.provider];
  // OpenAI deprecated max_tokens (reasoning models reject it); Ollama and most compatible servers only read max_tokens.
  const tokenLimit = config.endpoint ? 'max_tokens' : (spec.tokenLimitField ?? 'max_tokens');
  const sdk = onFirstUse(async () => {
    const { default: OpenAI } = await import('openai');
    return new OpenAI({
      apiKey: config.apiKey ?? spec.placeholderKey ?? '',
      baseURL: sdkBaseUrl(config.provider, config.baseUrl),
      maxRetries: config.maxRetries,
    });
  });
  return {
    async stream({ prompt, history, system, maxTokens, signal, onText }) {
      const client = await sdk();
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        ...(system === undefined ? [] : [{ role: 'system' as const, content: system }]),
        ...history,
        { role: 'user', content: prompt },
      ];
      const limit = maxTokens === undefined ? {} : { [tokenLimit]: maxTokens };
      const chunks = await client.chat.completions.create(
        { model: config.model, messages, ...limit, stream: true, stream_options: { include_usage: true } },
        { signal },
      );
      const result: ChatResult = { model: config.model, inputTokens: 0, outputTokens: 0, usageReported: false };
      for await (const chunk of chunks) {
        if (chunk.model) result.model = chunk.model;
        const text = chunk.choices[0]?.delta?.content;
        if (text) onText(text);
        if (chunk.usage) {
          result.inputTokens = chunk.usage.prompt_tokens;
          result.outputTokens = chunk.usage.completion_tokens;
          result.usageReported = true;
        }
      }
      return result;
    },
    async retrieveModel(signal) {
      await (await sdk()).models.retrieve(config.model, { signal });
    },
  };
}

/** The adapter for each SDK a provider may name (`ProviderSpec.sdk`). */
const SDK_ADAPTERS: Record<SdkName, (config: RunnerConfig) => ChatClient> = {
  anthropic: anthropicClient,
  'openai-chat': openAiChatClient,
};

export const createChatClient = (config: RunnerConfig): ChatClient => SDK_ADAPTERS[PROVIDER_SPECS[config.provider].sdk](config);

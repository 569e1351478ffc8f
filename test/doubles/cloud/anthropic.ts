/**
 * A local server that answers like the Anthropic Messages API (https://docs.claude.com/en/api):
 * `POST /v1/messages` (JSON, or SSE with `stream: true`), `GET /v1/models[/{id}]`, authentication
 * by `x-api-key` (or `Authorization: Bearer`, which current SDKs send) plus `anthropic-version`, and error bodies
 * `{"type":"error","error":{"type","message"},"request_id"}` with a `request-id` header.
 */
import type http from 'node:http';
import {
  DEFAULT_REPLY,
  countTokens,
  randomId,
  replyDeltas,
  routeApi,
  sendJson,
  startServer,
  startSse,
  type FakeCloudOptions,
  type FakeServer,
  type RecordedRequest,
} from './common.ts';

export type FakeAnthropicOptions = Partial<FakeCloudOptions>;

export const FAKE_ANTHROPIC_KEY = 'sk-ant-api03-fake0000000000000000000000000000000000000000000000-TESTAA';
export const FAKE_ANTHROPIC_MODELS = ['claude-sonnet-5-5', 'claude-sonnet-4-5', 'claude-haiku-4-5'] as const;

const ERROR_TYPES: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'invalid request' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  404: { type: 'not_found_error', message: 'Not found' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

interface MessagesBody {
  model?: unknown;
  max_tokens?: unknown;
  messages?: unknown;
  system?: unknown;
  stream?: unknown;
}

function sendError(response: http.ServerResponse, status: number, message?: string, headers: http.OutgoingHttpHeaders = {}): void {
  const known = ERROR_TYPES[status] ?? { type: 'api_error', message: 'error' };
  const requestId = randomId('req_');
  sendJson(
    response,
    status,
    { type: 'error', error: { type: known.type, message: message ?? known.message }, request_id: requestId },
    { 'request-id': requestId, ...headers },
  );
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((block: { text?: unknown }) => (typeof block.text === 'string' ? block.text : '')).join(' ')
      : '';

function inputTokens(body: MessagesBody): number {
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  return countTokens([textOf(body.system), ...messages.map((message) => textOf(message.content))].join(' '));
}

function sseEvent(response: http.ServerResponse, event: Record<string, unknown> & { type: string }): void {
  response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}

function streamMessage(response: http.ServerResponse, body: MessagesBody, model: string, reply: string, stall: boolean): void {
  const deltas = replyDeltas(reply);
  startSse(response, { 'request-id': randomId('req_') });
  sseEvent(response, {
    type: 'message_start',
    message: {
      id: randomId('msg_'),
      type: 'message',
      role: 'assistant',
      content: [],
      model,
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens(body), output_tokens: 1 },
    },
  });
  sseEvent(response, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  sseEvent(response, { type: 'ping' });
  for (const [index, text] of deltas.entries()) {
    sseEvent(response, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
    if (stall && index === 0) return;
  }
  sseEvent(response, { type: 'content_block_stop', index: 0 });
  sseEvent(response, {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: countTokens(reply) },
  });
  sseEvent(response, { type: 'message_stop' });
  response.end();
}

function handleMessages(request: RecordedRequest, response: http.ServerResponse, options: FakeCloudOptions): void {
  const body = (request.body ?? {}) as MessagesBody;
  if (typeof body.model !== 'string') return sendError(response, 400, 'model: Field required');
  if (typeof body.max_tokens !== 'number') return sendError(response, 400, 'max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) return sendError(response, 400, 'messages: at least one message is required');
  if (!options.models.includes(body.model)) return sendError(response, 404, `model: ${body.model}`);
  const reply = options.reply ?? DEFAULT_REPLY;
  if (body.stream === true) return streamMessage(response, body, body.model, reply, options.stallAfterFirstDelta ?? false);
  sendJson(
    response,
    200,
    {
      id: randomId('msg_'),
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text: reply }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: inputTokens(body), output_tokens: countTokens(reply) },
    },
    { 'request-id': randomId('req_') },
  );
}

/** The key from `x-api-key`, or from `Authorization: Bearer`, which @anthropic-ai/sdk 1.x sends instead. */
function presentedKey(request: RecordedRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  return /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
}

const modelInfo = (id: string) => ({ type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' });

export function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeServer> {
  const settings: FakeCloudOptions = { validKeys: [FAKE_ANTHROPIC_KEY], models: FAKE_ANTHROPIC_MODELS, ...options };
  return startServer((request, response) => {
    const key = presentedKey(request);
    if (key === undefined) return sendError(response, 401, 'x-api-key header is required');
    if (!settings.validKeys.includes(key)) return sendError(response, 401);
    if (typeof request.headers['anthropic-version'] !== 'string') {
      return sendError(response, 400, 'anthropic-version: header is required');
    }
    if (settings.failWith) {
      const { status, retryAfterSeconds } = settings.failWith;
      return sendError(response, status, undefined, retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) });
    }
    routeApi(request, response, settings.models, {
      chatPath: '/v1/messages',
      chat: (chat, answer) => handleMessages(chat, answer, settings),
      modelList: (models) => {
        const data = models.map(modelInfo);
        return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
      },
      model: modelInfo,
      unknownModel: (answer, id) => sendError(answer, 404, `model: ${id}`),
      notFound: (answer, method, pathname) => sendError(answer, 404, `Not found: ${method} ${pathname}`),
    });
  }, options.port);
}

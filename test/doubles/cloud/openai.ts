/**
 * A local server that answers like the OpenAI Chat Completions API
 * (https://platform.openai.com/docs/api-reference): `POST /v1/chat/completions` (JSON, or SSE
 * `data: {chunk}` lines ending `data: [DONE]`, with a usage chunk when
 * `stream_options.include_usage`), `GET /v1/models[/{id}]`, Bearer authentication, and error
 * bodies `{"error":{"message","type","param","code"}}` with an `x-request-id` header.
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

export interface FakeOpenAIOptions extends Partial<FakeCloudOptions> {
  /**
   * Echo the whole key in the 401 message, as some OpenAI-compatible proxies do (OpenAI itself
   * shows only its ends), to prove the runner redacts what servers say.
   */
  echoFullKeyInErrors?: boolean;
}

export const FAKE_OPENAI_KEY = 'sk-proj-fake00000000000000000000000000000000000000TESTAA';
export const FAKE_OPENAI_MODELS = ['gpt-5.4-mini', 'gpt-4.1-mini', 'gpt-4.1'] as const;

interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function sendError(response: http.ServerResponse, status: number, error: OpenAIErrorBody, headers: http.OutgoingHttpHeaders = {}): void {
  sendJson(response, status, { error }, { 'x-request-id': randomId('req_'), ...headers });
}

/** OpenAI shows the start and the last four characters of a rejected key, starred in between. */
const starred = (key: string): string => (key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : '*'.repeat(key.length));

const errorBodies = {
  missingKey: (): OpenAIErrorBody => ({
    message:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    type: 'invalid_request_error',
    param: null,
    code: null,
  }),
  invalidKey: (shownKey: string): OpenAIErrorBody => ({
    message: `Incorrect API key provided: ${shownKey}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key',
  }),
  unknownModel: (model: string): OpenAIErrorBody => ({
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    type: 'invalid_request_error',
    param: null,
    code: 'model_not_found',
  }),
  rateLimited: (model: string, retryAfterSeconds: number): OpenAIErrorBody => ({
    message: `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${retryAfterSeconds}s.`,
    type: 'requests',
    param: null,
    code: 'rate_limit_exceeded',
  }),
  serverError: (): OpenAIErrorBody => ({
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    param: null,
    code: null,
  }),
  invalidUrl: (method: string, path: string): OpenAIErrorBody => ({
    message: `Invalid URL (${method} ${path})`,
    type: 'invalid_request_error',
    param: null,
    code: null,
  }),
  badRequest: (message: string, param: string): OpenAIErrorBody => ({ message, type: 'invalid_request_error', param, code: null }),
};

function forcedError(response: http.ServerResponse, failWith: NonNullable<FakeCloudOptions['failWith']>, key: string, model: string): void {
  const retryHeaders = failWith.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failWith.retryAfterSeconds) };
  switch (failWith.status) {
    case 401:
      return sendError(response, 401, errorBodies.invalidKey(starred(key)));
    case 404:
      return sendError(response, 404, errorBodies.unknownModel(model));
    case 429:
      return sendError(response, 429, errorBodies.rateLimited(model, failWith.retryAfterSeconds ?? 20), retryHeaders);
    default:
      return sendError(response, failWith.status, errorBodies.serverError(), retryHeaders);
  }
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
}

function usageOf(body: ChatBody, reply: string) {
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  const prompt = countTokens(messages.map((message) => (typeof message.content === 'string' ? message.content : '')).join(' '));
  const completion = countTokens(reply);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function streamCompletion(response: http.ServerResponse, body: ChatBody, model: string, reply: string, stall: boolean): void {
  const includeUsage = body.stream_options?.include_usage === true;
  const base = { id: randomId('chatcmpl-'), object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, system_fingerprint: 'fp_fake' };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => {
    const data = { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(includeUsage ? { usage: null } : {}) };
    response.write(`data: ${JSON.stringify(data)}\n\n`);
  };
  startSse(response, { 'x-request-id': randomId('req_') });
  chunk({ role: 'assistant', content: '', refusal: null }, null);
  for (const [index, text] of replyDeltas(reply).entries()) {
    chunk({ content: text }, null);
    if (stall && index === 0) return;
  }
  chunk({}, 'stop');
  if (includeUsage) response.write(`data: ${JSON.stringify({ ...base, choices: [], usage: usageOf(body, reply) })}\n\n`);
  response.write('data: [DONE]\n\n');
  response.end();
}

function handleChat(request: RecordedRequest, response: http.ServerResponse, options: FakeCloudOptions): void {
  const body = (request.body ?? {}) as ChatBody;
  if (typeof body.model !== 'string') return sendError(response, 400, errorBodies.badRequest('you must provide a model parameter', 'model'));
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return sendError(response, 400, errorBodies.badRequest("'messages' must contain at least one message", 'messages'));
  }
  if (!options.models.includes(body.model)) return sendError(response, 404, errorBodies.unknownModel(body.model));
  const reply = options.reply ?? DEFAULT_REPLY;
  if (body.stream === true) return streamCompletion(response, body, body.model, reply, options.stallAfterFirstDelta ?? false);
  sendJson(
    response,
    200,
    {
      id: randomId('chatcmpl-'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: reply, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: usageOf(body, reply),
      system_fingerprint: 'fp_fake',
    },
    { 'x-request-id': randomId('req_') },
  );
}

const modelObject = (id: string) => ({ id, object: 'model', created: 1_744_316_542, owned_by: 'system' });

export function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeServer> {
  const settings: FakeCloudOptions = { validKeys: [FAKE_OPENAI_KEY], models: FAKE_OPENAI_MODELS, ...options };
  return startServer((request, response) => {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer === undefined) return sendError(response, 401, errorBodies.missingKey());
    if (!settings.validKeys.includes(bearer)) {
      return sendError(response, 401, errorBodies.invalidKey(options.echoFullKeyInErrors ? bearer : starred(bearer)));
    }
    if (settings.failWith) {
      const model = typeof (request.body as ChatBody | undefined)?.model === 'string' ? String((request.body as ChatBody).model) : 'gpt-4.1-mini';
      return forcedError(response, settings.failWith, bearer, model);
    }
    routeApi(request, response, settings.models, {
      chatPath: '/v1/chat/completions',
      chat: (chat, answer) => handleChat(chat, answer, settings),
      modelList: (models) => ({ object: 'list', data: models.map(modelObject) }),
      model: modelObject,
      unknownModel: (answer, id) => sendError(answer, 404, errorBodies.unknownModel(id)),
      notFound: (answer, method, pathname) => sendError(answer, 404, errorBodies.invalidUrl(method, pathname)),
    });
  }, options.port);
}

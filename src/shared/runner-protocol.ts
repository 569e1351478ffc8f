import { z } from 'zod';
import { ProviderSchema } from './providers.ts';

/**
 * The control channel between the app and a runner. For the built-in runner it travels on the IPC
 * channel (Node `process.send` or Electron's `parentPort`); never on stdout/stderr, so a log line can
 * never be mistaken for a message. Both sides validate every message with these schemas.
 */

/**
 * A custom runner (any language) gets the same messages on a socket when the user turns the
 * channel on (`--runner-control-channel`, `STIGMER_RUNNER_CONTROL_CHANNEL=1`): file descriptor
 * `RUNNER_CONTROL_FD`, named in the runner's environment as `RUNNER_CONTROL_FD_VARIABLE`. Each
 * message is one JSON object on one line (UTF-8, ending in `\n`), both ways. The app sends a
 * custom runner nothing until it has sent `ready`.
 */
export const RUNNER_CONTROL_FD = 3;
export const RUNNER_CONTROL_FD_VARIABLE = 'STIGMER_CONTROL_FD';
/** A longer line from a custom runner is dropped as a protocol violation, so a runner cannot make the app buffer without bound. */
export const MAX_CONTROL_LINE_BYTES = 1024 * 1024;
/**
 * How many messages a runner may send per launch, whatever its channel: more are dropped, and the
 * app says once that the runner was throttled. Generous for real runners: a task's answer is one
 * `delta` per streamed chunk, and the fastest local models stream about 200–300 tokens a second,
 * so two such answers at once pass whole; everything else comes a few times per launch.
 */
export const CONTROL_RATE = { perSecond: 500, burst: 500 } as const;

/** The exit code (EX_CONFIG from sysexits.h) of a runner whose configuration is invalid: do not restart it. */
export const RUNNER_CONFIG_EXIT_CODE = 78;

const TaskId = z.string().min(1).max(200);

/**
 * The most text a task's `history` carries, all turns together: with the prompt it stays well
 * under a custom runner's 1 MB line even when every character takes three bytes of UTF-8.
 */
export const MAX_HISTORY_CHARS = 256 * 1024;
export const MAX_HISTORY_MESSAGES = 200;

/** One earlier turn of a conversation. */
export const HistoryMessageSchema = z.object({ role: z.enum(['user', 'assistant']), content: z.string().max(MAX_HISTORY_CHARS) }).strict();
export type HistoryMessage = z.infer<typeof HistoryMessageSchema>;

export const HistorySchema = z
  .array(HistoryMessageSchema)
  .max(MAX_HISTORY_MESSAGES)
  .refine((messages) => messages.reduce((sum, message) => sum + message.content.length, 0) <= MAX_HISTORY_CHARS, {
    message: `the history holds more than ${MAX_HISTORY_CHARS} characters`,
  });

export const RunnerTaskSchema = z
  .object({
    type: z.literal('task'),
    id: TaskId,
    /** The new user turn: a runner that knows nothing of `history` still answers it on its own. */
    prompt: z.string().min(1),
    /**
     * The conversation before `prompt`, oldest first. Sent only to a runner whose `ready` said
     * `history: true`, so a runner that checks its fields strictly never sees it.
     */
    history: HistorySchema.optional(),
    system: z.string().optional(),
    /** Upper bound on generated tokens; the runner uses a default when absent. */
    maxTokens: z.number().int().positive().max(1_000_000).optional(),
  })
  .strict();

export const AppToRunnerSchema = z.discriminatedUnion('type', [
  RunnerTaskSchema,
  z.object({ type: z.literal('cancel'), id: TaskId }).strict(),
  /** Provider check; for cloud providers this makes one cheap authenticated call. */
  z.object({ type: z.literal('check'), id: TaskId }).strict(),
]);
export type AppToRunner = z.infer<typeof AppToRunnerSchema>;
export type RunnerTask = z.infer<typeof RunnerTaskSchema>;

export const RunnerErrorCodeSchema = z.enum([
  /** The API key was rejected (401) or lacks permission (403). */
  'auth',
  /** The model does not exist or is not installed. */
  'model-not-found',
  /** The base URL answered 404 for the API path itself. */
  'not-found',
  'rate-limit',
  /** 5xx, including Anthropic's 529 "overloaded". */
  'server',
  /** Connection refused, DNS failure or reset: the base URL cannot be reached. */
  'unreachable',
  'timeout',
  'bad-request',
  /** Something answers at the base URL, but it is not the expected server. */
  'wrong-server',
  'cancelled',
  /** A message on the control channel was malformed or refers to an unknown task. */
  'protocol',
  'unknown',
]);
export type RunnerErrorCode = z.infer<typeof RunnerErrorCodeSchema>;

const NonNegativeInt = z.number().int().nonnegative();

export const RunnerCheckSchema = z
  .object({
    name: z.enum(['server', 'model', 'auth']),
    status: z.enum(['ok', 'warn', 'error']),
    /** A whole sentence, safe to show (never contains a secret). */
    message: z.string(),
    fix: z.string().optional(),
    /** Set on a failed check: the error code the same failure has in a task. */
    code: RunnerErrorCodeSchema.optional(),
  })
  .strict();
export type RunnerCheck = z.infer<typeof RunnerCheckSchema>;

/**
 * What a runner may say. The app believes an answer only to a question it asked in the same launch
 * (`delta`, `done` and a task's `error` for a task it sent and that is still open; `check-result`
 * for a check it sent, about the provider it asked about and the runner announced), and shows the
 * runner's text as the runner's: see src/main/app/runner-protocol-handler.ts.
 */
export const RunnerToAppSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('ready'),
      provider: ProviderSchema,
      model: z.string(),
      baseUrl: z.string(),
      /** The runner reads a task's `history` (a multi-turn Playground); absent, each prompt is sent alone. */
      history: z.boolean().optional(),
    })
    .strict(),
  z.object({ type: z.literal('delta'), id: TaskId, text: z.string() }).strict(),
  z
    .object({
      type: z.literal('done'),
      id: TaskId,
      provider: ProviderSchema,
      /** The model the server says answered (it may resolve an alias). */
      model: z.string(),
      usage: z.object({ inputTokens: NonNegativeInt, outputTokens: NonNegativeInt }).strict(),
      latencyMs: z.number().nonnegative(),
      /** Null when the reply had no text at all. */
      firstTokenMs: z.number().nonnegative().nullable(),
    })
    .strict(),
  z
    .object({
      type: z.literal('error'),
      /** Absent for an error that belongs to no task (e.g. the start-up provider check). */
      id: TaskId.optional(),
      code: RunnerErrorCodeSchema,
      message: z.string(),
      fix: z.string().optional(),
      /** The HTTP status, when the error came from an HTTP answer. */
      status: z.number().int().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('check-result'),
      id: TaskId,
      ok: z.boolean(),
      provider: ProviderSchema,
      model: z.string(),
      baseUrl: z.string(),
      /** The server's version, when it reports one (Ollama). */
      serverVersion: z.string().optional(),
      checks: z.array(RunnerCheckSchema),
    })
    .strict(),
]);
export type RunnerToApp = z.infer<typeof RunnerToAppSchema>;
export type RunnerError = Extract<RunnerToApp, { type: 'error' }>;

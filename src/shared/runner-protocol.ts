import * as z from 'zod/mini';
import { PROVIDERS } from './providers.ts';

/**
 * The control channel between the app and a runner. For the built-in runner it travels on the IPC
 * channel (Node `process.send` or Electron's `parentPort`); never on stdout/stderr, so a log line can
 * never be mistaken for a message. Both sides validate every message with these schemas.
 *
 * Written with `zod/mini` rather than zod: the built-in runner loads this module, and classic zod's
 * chainable methods cost it ~5 MB of its idle memory (issue 25). Mini schemas are zod core schemas,
 * so the host's zod schemas embed them and `safeParse` works the same.
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

const TaskId = z.string().check(z.minLength(1), z.maxLength(200));
const ProviderSchema = z.enum(PROVIDERS);

/**
 * The most text a task's `history` carries, all turns together: with the prompt it stays well
 * under a custom runner's 1 MB line even when every character takes three bytes of UTF-8.
 */
export const MAX_HISTORY_CHARS = 256 * 1024;
export const MAX_HISTORY_MESSAGES = 200;

/** One earlier turn of a conversation. */
export const HistoryMessageSchema = z.strictObject({ role: z.enum(['user', 'assistant']), content: z.string().check(z.maxLength(MAX_HISTORY_CHARS)) });
export type HistoryMessage = z.infer<typeof HistoryMessageSchema>;

export const HistorySchema = z.array(HistoryMessageSchema).check(
  z.maxLength(MAX_HISTORY_MESSAGES),
  z.refine((messages) => messages.reduce((sum, message) => sum + message.content.length, 0) <= MAX_HISTORY_CHARS, {
    message: `the history holds more than ${MAX_HISTORY_CHARS} characters`,
  }),
);

export const RunnerTaskSchema = z.strictObject({
  type: z.literal('task'),
  id: TaskId,
  /** The new user turn: a runner that knows nothing of `history` still answers it on its own. */
  prompt: z.string().check(z.minLength(1)),
  /**
   * The conversation before `prompt`, oldest first. Sent only to a runner whose `ready` said
   * `history: true`, so a runner that checks its fields strictly never sees it.
   */
  history: z.optional(HistorySchema),
  system: z.optional(z.string()),
  /** Upper bound on generated tokens; the runner uses a default when absent. */
  maxTokens: z.optional(z.int().check(z.positive(), z.lte(1_000_000))),
});

export const AppToRunnerSchema = z.discriminatedUnion('type', [
  RunnerTaskSchema,
  z.strictObject({ type: z.literal('cancel'), id: TaskId }),
  /** Provider check; for cloud providers this makes one cheap authenticated call. */
  z.strictObject({ type: z.literal('check'), id: TaskId }),
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

const NonNegativeInt = z.int().check(z.nonnegative());
const NonNegative = z.number().check(z.nonnegative());

export const RunnerCheckSchema = z.strictObject({
  name: z.enum(['server', 'model', 'auth']),
  status: z.enum(['ok', 'warn', 'error']),
  /** A whole sentence, safe to show (never contains a secret). */
  message: z.string(),
  fix: z.optional(z.string()),
  /** Set on a failed check: the error code the same failure has in a task. */
  code: z.optional(RunnerErrorCodeSchema),
});
export type RunnerCheck = z.infer<typeof RunnerCheckSchema>;

/**
 * What a runner may say. The app believes an answer only to a question it asked in the same launch
 * (`delta`, `done` and a task's `error` for a task it sent and that is still open; `check-result`
 * for a check it sent, about the provider it asked about and the runner announced), and shows the
 * runner's text as the runner's: see src/main/app/runner-protocol-handler.ts.
 */
export const RunnerToAppSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ready'),
    provider: ProviderSchema,
    model: z.string(),
    baseUrl: z.string(),
    /** The runner reads a task's `history` (a multi-turn Playground); absent, each prompt is sent alone. */
    history: z.optional(z.boolean()),
  }),
  z.strictObject({ type: z.literal('delta'), id: TaskId, text: z.string() }),
  z.strictObject({
    type: z.literal('done'),
    id: TaskId,
    provider: ProviderSchema,
    /** The model the server says answered (it may resolve an alias). */
    model: z.string(),
    usage: z.strictObject({ inputTokens: NonNegativeInt, outputTokens: NonNegativeInt }),
    latencyMs: NonNegative,
    /** Null when the reply had no text at all. */
    firstTokenMs: z.nullable(NonNegative),
  }),
  z.strictObject({
    type: z.literal('error'),
    /** Absent for an error that belongs to no task (e.g. the start-up provider check). */
    id: z.optional(TaskId),
    code: RunnerErrorCodeSchema,
    message: z.string(),
    fix: z.optional(z.string()),
    /** The HTTP status, when the error came from an HTTP answer. */
    status: z.optional(z.int()),
  }),
  z.strictObject({
    type: z.literal('check-result'),
    id: TaskId,
    ok: z.boolean(),
    provider: ProviderSchema,
    model: z.string(),
    baseUrl: z.string(),
    /** The server's version, when it reports one (Ollama). */
    serverVersion: z.optional(z.string()),
    checks: z.array(RunnerCheckSchema),
  }),
]);
export type RunnerToApp = z.infer<typeof RunnerToAppSchema>;
export type RunnerError = Extract<RunnerToApp, { type: 'error' }>;

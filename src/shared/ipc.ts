import { z } from 'zod';
import { FitSchema, KvCacheTypeSchema, ModelArchitectureSchema, MAX_CONTEXT, MIN_CONTEXT } from './fit.ts';
import { HardwareSchema } from './hardware.ts';
import { ModelsDiskSchema } from './disk.ts';
import { LogBatchSchema, LogEntrySchema, LogLevelSchema, LogSourceSchema } from './logs.ts';
import { ModelAliasSchema } from './model-catalog.ts';
import { OllamaInstallProgressSchema, OllamaInstallResultSchema, OllamaUpdateCheckSchema } from './ollama-install.ts';
import { OllamaLoadedModelSchema, OllamaModelSchema, OllamaPullProgressSchema, OllamaPullResultSchema } from './ollama.ts';
import { ProviderSchema } from './providers.ts';
import { HistorySchema, RunnerErrorCodeSchema } from './runner-protocol.ts';
import { ModelsMoveProgressSchema, ModelsMoveResultSchema } from './models-folder.ts';
import { EndpointCheckSchema, EndpointIdSchema, EndpointInputSchema } from './endpoints.ts';
import { AppStateSchema, CloudProviderSchema, OllamaServerOptionsSchema, UserErrorSchema } from './state-schema.ts';
import { LIMITS, text } from './limits.ts';

/**
 * The renderer ↔ main contract, declared once (docs/ARCHITECTURE.md §4). Both transports (the Electron
 * preload and the headless WebSocket bridge) carry exactly these commands and events, and
 * main validates every incoming payload with `parseCommand`.
 *
 * Secrets travel in one direction only: a full API key may appear in a `keys:set` request;
 * nothing main sends to the renderer ever carries one (keys are masked with `maskSecret`).
 */

// ---------------------------------------------------------------------------------------------
// Command results.

/** The answer of a command whose effect shows up in the next `state` event. */
export const AckSchema = z.object({ ok: z.literal(true) });

/** A live check of an API key against its provider. */
export const KeyCheckSchema = z.object({
  provider: CloudProviderSchema,
  /**
   * `valid`: the provider accepted it; `rejected`: 401/403; `unreachable`: no answer from the API;
   * `error`: any other failure (rate limit, 5xx, unexpected answer).
   */
  outcome: z.enum(['valid', 'rejected', 'unreachable', 'error']),
  /** The HTTP status, when the provider answered. */
  status: z.number().int().optional(),
  /** A whole sentence for the user, e.g. "Anthropic rejected this key (401 Unauthorized)." */
  message: z.string(),
  fix: z.string().optional(),
  /** The key as it may be shown (`sk-ant-…abcd`). */
  masked: z.string(),
});
export type KeyCheck = z.infer<typeof KeyCheckSchema>;

/**
 * `keys:set` refuses a key only on a definite rejection (401/403). A key the provider could not
 * be asked about (offline, DNS, timeout, 5xx) is saved as not verified yet (`keyChecks`).
 */
export const KeySetResultSchema = z.object({ saved: z.boolean(), check: KeyCheckSchema });

export const ModelOptionSchema = z.object({
  name: z.string(),
  /** A short description for the picker, e.g. "3.2B · Q4_K_M · 2.0 GB". */
  detail: z.string().optional(),
  /** For Ollama: whether it is installed locally (a suggested model can be pulled). */
  installed: z.boolean(),
});
export type ModelOption = z.infer<typeof ModelOptionSchema>;

export const ModelListSchema = z.object({
  provider: ProviderSchema,
  /** `ollama-tags`: installed models; `provider-api`: the provider's list; `suggested`: a built-in list used when neither is reachable. */
  origin: z.enum(['ollama-tags', 'provider-api', 'suggested']),
  models: z.array(ModelOptionSchema),
  /** The listed name of the model in use, when it is spelled differently there (`llama3.2` is installed as `llama3.2:latest`). */
  selected: z.string().optional(),
  /** Why the live list could not be fetched, when `origin` is `suggested`. */
  error: UserErrorSchema.optional(),
});
export type ModelList = z.infer<typeof ModelListSchema>;

/** The context length models run at unless their card sets one, and where that comes from. */
export const DefaultContextSchema = z.object({ tokens: z.number().int().positive(), source: z.string() });

/** The Ollama model catalog: what is installed and loaded, and what could be pulled, judged against this machine's GPU and memory. */
export const ModelCatalogSchema = z.object({
  hardware: HardwareSchema,
  /** How the verdicts are decided, as the screen states it. */
  fitRule: z.string(),
  defaultContext: DefaultContextSchema,
  /** `OLLAMA_KV_CACHE_TYPE` as the estimate counts it, and where it comes from. */
  kvCache: z.object({ type: KvCacheTypeSchema, source: z.string() }),
  installed: z.array(
    OllamaModelSchema.extend({
      fit: FitSchema,
      /** From `/api/show`'s `model_info`; null when Ollama did not give it (the cache is then assumed). */
      architecture: ModelArchitectureSchema.nullable(),
      /** The context length set on the model's card; null: `defaultContext`. */
      contextLength: z.number().int().positive().nullable(),
    }),
  ),
  loaded: z.array(
    OllamaLoadedModelSchema.extend({
      /** The share Ollama put on the GPU (`size_vram` ÷ `size`). */
      gpuPercent: z.number().int().min(0).max(100),
      /** The estimate it is checked against; null for a model not in the installed list. */
      fit: FitSchema.nullable(),
      /** The split differs from the estimate by more than 10 points. */
      problem: UserErrorSchema.nullable(),
    }),
  ),
  suggested: z.array(
    z.object({
      name: z.string(),
      downloadBytes: z.number().nonnegative(),
      parameterSize: z.string(),
      goodAt: z.string(),
      fit: FitSchema,
      recommended: z.boolean(),
    }),
  ),
  /** What `fast`, `balanced` and `powerful` mean for Ollama on this machine now. */
  aliases: z.array(z.object({ alias: ModelAliasSchema, model: z.string(), basis: z.string() })),
  /** Why the installed models could not be read (Ollama not running). */
  error: UserErrorSchema.optional(),
});
export type ModelCatalog = z.infer<typeof ModelCatalogSchema>;

export const LogFilterSchema = z.object({
  /** Only these sources; all when absent. */
  sources: z.array(LogSourceSchema).max(3).optional(),
  /** This level and more severe. */
  minLevel: LogLevelSchema.optional(),
  /** Case-insensitive, in the message or the fields (src/shared/log-filter.ts). */
  text: z.string().max(LIMITS.logFilterText).optional(),
});

// ---------------------------------------------------------------------------------------------
// Playground events: the built-in runner's task messages, forwarded.

const TaskIdSchema = z.string().min(1).max(LIMITS.taskId);

export const PlaygroundEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('delta'), taskId: TaskIdSchema, text: z.string() }),
  z.object({
    type: z.literal('done'),
    taskId: TaskIdSchema,
    provider: ProviderSchema,
    model: z.string(),
    usage: z.object({ inputTokens: z.number().int().nonnegative(), outputTokens: z.number().int().nonnegative() }),
    latencyMs: z.number().nonnegative(),
    firstTokenMs: z.number().nonnegative().nullable(),
  }),
  z.object({
    type: z.literal('error'),
    taskId: TaskIdSchema,
    code: RunnerErrorCodeSchema,
    message: z.string(),
    fix: z.string().optional(),
  }),
]);
export type PlaygroundEvent = z.infer<typeof PlaygroundEventSchema>;

// ---------------------------------------------------------------------------------------------
// The contract.

const empty = z.object({}).strict();
const command = <Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) => ({ request, response });

/** Every renderer → main request, with its payload and answer schemas. */
export const commands = {
  'state:get': command(empty, AppStateSchema),

  'config:set-provider': command(z.object({ provider: ProviderSchema }).strict(), AckSchema),
  /** Makes an OpenAI-compatible endpoint the provider, by its id, with one of its models when given. */
  'endpoints:use': command(z.object({ id: EndpointIdSchema, model: text(LIMITS.model).optional() }).strict(), AckSchema),
  /** Asks an endpoint for its models with its key: a live check that changes nothing. */
  'endpoints:check': command(z.object({ id: EndpointIdSchema }).strict(), EndpointCheckSchema),
  /** Adds (or replaces, by id) an OpenAI-compatible endpoint; its key goes to the secret store. */
  'endpoints:add': command(EndpointInputSchema, AckSchema),
  /** Removes an endpoint and its key; when it was the provider, the smart default takes over. */
  'endpoints:remove': command(z.object({ id: EndpointIdSchema }).strict(), AckSchema),
  /** Remembered per provider; takes effect when that provider is active. */
  'config:set-model': command(z.object({ provider: ProviderSchema, model: text(LIMITS.model) }).strict(), AckSchema),

  /** Validates the key live against the provider; saves it unless the provider rejected it (see KeySetResultSchema). */
  'keys:set': command(z.object({ provider: CloudProviderSchema, key: text(LIMITS.apiKey) }).strict(), KeySetResultSchema),
  'keys:remove': command(z.object({ provider: CloudProviderSchema }).strict(), AckSchema),
  /** Checks the key the app currently holds for this provider (and updates `keyChecks`). */
  'keys:validate': command(z.object({ provider: CloudProviderSchema }).strict(), KeyCheckSchema),
  'secrets:accept-weak-storage': command(empty, AckSchema),

  'models:list': command(z.object({ provider: ProviderSchema }).strict(), ModelListSchema),

  'ollama:start': command(empty, AckSchema),
  'ollama:stop': command(empty, AckSchema),
  /** Resolves when the pull ends; `pull-progress` events arrive meanwhile. */
  /** `use`: the user asked for this model; it becomes Ollama's model once it lands (never otherwise). */
  'ollama:pull': command(z.object({ model: text(LIMITS.model), use: z.boolean().optional() }).strict(), OllamaPullResultSchema),
  /** Cancels a pull in progress, or discards an interrupted one from the download queue. */
  'ollama:cancel-pull': command(z.object({ model: text(LIMITS.model) }).strict(), AckSchema),
  /** Answers how much disk space was freed. */
  'ollama:delete': command(z.object({ model: text(LIMITS.model) }).strict(), z.object({ model: z.string(), freedBytes: z.number().nonnegative() })),
  /** Frees the memory of a loaded model (`keep_alive: 0`). */
  'ollama:unload': command(z.object({ model: text(LIMITS.model) }).strict(), AckSchema),
  /** Null: find `ollama` on PATH and in the install locations again. */
  'ollama:set-path': command(z.object({ path: text(LIMITS.path).nullable() }).strict(), AckSchema),
  'models:catalog': command(empty, ModelCatalogSchema),
  /** The context length a model's fit is estimated at (its card); null goes back to the default. */
  'models:set-context': command(
    z.object({ model: text(LIMITS.model), contextLength: z.number().int().min(MIN_CONTEXT).max(MAX_CONTEXT).nullable() }).strict(),
    AckSchema,
  ),
  /** The disk under the models folder: used by models, free, or why the free space cannot be known. */
  'models:disk': command(empty, ModelsDiskSchema),
  /**
   * Installs Ollama for this user in the app's data folder, or updates the Ollama this app
   * installed (never one the system or the user installed); resolves when done, with
   * `ollama-install-progress` events meanwhile.
   */
  'ollama:install': command(empty, OllamaInstallResultSchema),
  /** Cancels `ollama:install`; the partial download is kept and resumed next time. */
  'ollama:cancel-install': command(empty, AckSchema),
  /** Compares the Ollama in use with the newest release; `force` asks even if it was asked today. */
  'ollama:check-update': command(z.object({ force: z.boolean().optional() }).strict(), OllamaUpdateCheckSchema),
  /** Removes a finished download from the list. */
  'downloads:dismiss': command(z.object({ model: text(LIMITS.model) }).strict(), AckSchema),
  /** Saved per provider (LM Studio, vLLM, OpenRouter, a remote Ollama); null restores the default. */
  'config:set-base-url': command(z.object({ provider: ProviderSchema, baseUrl: text(LIMITS.baseUrl).nullable() }).strict(), AckSchema),
  /** Saved; a server this app launched is relaunched with them, an external one is left alone. */
  'ollama:set-options': command(OllamaServerOptionsSchema.strict(), AckSchema),
  /**
   * Moves the managed Ollama's models folder to `target` (an existing folder): space checked,
   * copied with `models-move-progress` events, verified, switched, listed. Answers when done; a
   * refusal, a failure or a cancel answers `ok: false` with everything as it was.
   */
  'ollama:move-models': command(z.object({ target: text(LIMITS.path) }).strict(), ModelsMoveResultSchema),
  'ollama:cancel-move-models': command(empty, AckSchema),
  /** Deletes the old copy the last move left: only that folder, and only after the move succeeded. */
  'ollama:delete-old-models': command(z.object({ folder: text(LIMITS.path) }).strict(), z.object({ freedBytes: z.number().nonnegative() })),

  'runner:start': command(empty, AckSchema),
  'runner:stop': command(empty, AckSchema),
  'runner:restart': command(empty, AckSchema),
  /** Leaves `failed` or `crash-loop` and starts again. */
  'runner:retry': command(empty, AckSchema),
  /** Null restores the built-in runner. */
  /** `restart: false` saves it for the runner's next restart instead of restarting now. */
  /** `controlChannel`: this runner uses the control channel (saved with the command, one restart for both); absent leaves it as saved. */
  'runner:set-command': command(
    z.object({ command: text(LIMITS.command).nullable(), restart: z.boolean().optional(), controlChannel: z.boolean().optional() }).strict(),
    AckSchema,
  ),

  'logs:recent': command(
    z.object({ filter: LogFilterSchema.strict().optional(), limit: z.number().int().min(1).max(LIMITS.logRecentEntries) }).strict(),
    LogBatchSchema,
  ),
  /**
   * Lines read back from the rotating log files in a time window (ISO timestamps, both ends
   * included): a gap the window was not sent during a flood, or lines older than its buffer.
   * File lines have no `seq`; `more` says the window holds more than `limit`.
   */
  'logs:read-files': command(
    z
      .object({
        sources: z.array(LogSourceSchema).min(1).max(3),
        fromTs: z.iso.datetime().optional(),
        toTs: z.iso.datetime().optional(),
        limit: z.number().int().min(1).max(LIMITS.logFileLines),
        end: z.enum(['oldest', 'newest']),
      })
      .strict(),
    z.object({ lines: z.array(LogEntrySchema.omit({ seq: true })), more: z.boolean() }),
  ),
  /**
   * Searches every log file on disk (current and rotated) for a text, newest first, a page at a
   * time: at most `limit` matches or 64 MB read per call (8 MB for the first), then `cursor` goes on. A new search
   * cancels the one still running, which answers `cancelled`. Matches are scrubbed as shown.
   */
  'logs:search': command(
    z
      .object({
        query: text(LIMITS.logFilterText),
        sources: z.array(LogSourceSchema).min(1).max(3),
        minLevel: LogLevelSchema.optional(),
        limit: z.number().int().min(1).max(LIMITS.logSearchMatches),
        cursor: z.string().max(LIMITS.logSearchCursor).optional(),
      })
      .strict(),
    z.object({
      matches: z.array(LogEntrySchema.omit({ seq: true })),
      scannedBytes: z.number().nonnegative(),
      totalBytes: z.number().nonnegative(),
      cursor: z.string().nullable(),
      cancelled: z.boolean(),
    }),
  ),
  /** Opens the log folder in the file manager where there is one; always answers its path. */
  'logs:reveal-folder': command(empty, z.object({ path: z.string(), opened: z.boolean() })),

  /**
   * Sends a prompt through the runner; `playground` events carry the answer. `history` is the
   * conversation before it (oldest first); `withHistory` says whether the runner was given it
   * (a runner that did not announce `history` answers each prompt on its own).
   */
  'playground:run': command(
    z.object({ prompt: text(LIMITS.prompt), system: z.string().max(LIMITS.systemPrompt).optional(), history: z.optional(HistorySchema) }).strict(),
    z.object({ taskId: TaskIdSchema, withHistory: z.boolean() }),
  ),
  'playground:cancel': command(z.object({ taskId: TaskIdSchema }).strict(), AckSchema),

  'wizard:complete': command(empty, AckSchema),
  /** "Set up later" (true), remembered across reloads; false when the user comes back to it. */
  'wizard:defer': command(z.object({ deferred: z.boolean() }).strict(), AckSchema),
  /** Desktop only: registers or removes the login item (macOS, Windows) or XDG autostart entry (Linux). */
  'app:set-start-at-login': command(z.object({ enabled: z.boolean() }).strict(), AckSchema),
  /** Desktop only: check for updates on start and daily, and download them in the background (saved). */
  'app:set-auto-update': command(z.object({ enabled: z.boolean() }).strict(), AckSchema),
  /** Desktop only, once an update is downloaded: stops the runner and Ollama as Quit does, then installs it and relaunches. */
  'app:restart-to-update': command(empty, AckSchema),
  /**
   * Packaged desktop app only: writes the `stigmer` command (a launcher of the app's command mode)
   * into ~/.local/bin; `onPath` false means a terminal will not find it until that folder is on PATH.
   */
  'app:install-command': command(empty, z.object({ path: z.string(), onPath: z.boolean(), message: z.string() })),
} as const;

/** The window's screens, for `navigate` (the tray's "Show logs", "Setup…"). */
export const RouteSchema = z.enum(['overview', 'models', 'logs', 'settings', 'playground', 'setup']);
export type Route = z.infer<typeof RouteSchema>;

/** Every main → renderer push. */
export const events = {
  state: AppStateSchema,
  /** New log lines; `skipped` counts lines main left out to keep up (sampling). */
  logs: LogBatchSchema,
  'pull-progress': OllamaPullProgressSchema,
  'ollama-install-progress': OllamaInstallProgressSchema,
  'models-move-progress': ModelsMoveProgressSchema,
  playground: PlaygroundEventSchema,
  /** Main asks the window to show a screen. */
  navigate: z.object({ route: RouteSchema }),
} as const;

export type CommandName = keyof typeof commands;
export type EventName = keyof typeof events;
export type CommandRequest<C extends CommandName> = z.input<(typeof commands)[C]['request']>;
export type CommandResponse<C extends CommandName> = z.infer<(typeof commands)[C]['response']>;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

export const COMMAND_NAMES = Object.keys(commands) as CommandName[];

export const isCommandName = (name: unknown): name is CommandName => typeof name === 'string' && Object.hasOwn(commands, name);
export const isEventName = (name: unknown): name is EventName => typeof name === 'string' && Object.hasOwn(events, name);

// ---------------------------------------------------------------------------------------------
// Validation helpers shared by both hosts.

/** Why a command failed, as the renderer receives it. */
export const CommandFailureSchema = z.object({
  message: z.string(),
  fix: z.string().optional(),
  /** The command that failed, when known. */
  command: z.string().optional(),
  /** The payload field that was invalid (`key`, `filter.text`), for a validation failure. */
  field: z.string().optional(),
});
export type CommandFailure = z.infer<typeof CommandFailureSchema>;

/** What a host answers to every command: both transports carry this envelope unchanged. */
export const CommandReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: CommandFailureSchema }),
]);
export type CommandReply = z.infer<typeof CommandReplySchema>;

export type ParsedCommand = {
  [C in CommandName]: { ok: true; command: C; payload: z.infer<(typeof commands)[C]['request']> };
}[CommandName];

const MAX_LISTED_ISSUES = 3;

function describeIssues(subject: string, error: z.ZodError): { message: string; field: string | undefined } {
  const issues = error.issues.slice(0, MAX_LISTED_ISSUES);
  const first = issues[0];
  const field = first && first.path.length > 0 ? first.path.map(String).join('.') : undefined;
  const parts = issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)'}: ${issue.message}`);
  return { message: `${subject}: ${parts.join('; ')}`, field };
}

/**
 * Validates a command name and its payload. Unknown commands and invalid payloads give a
 * failure that names the command and the field; the payload's values are never echoed (one
 * of them may be a key).
 */
export function parseCommand(name: unknown, payload: unknown): ParsedCommand | { ok: false; error: CommandFailure } {
  if (!isCommandName(name)) {
    const shown = typeof name === 'string' ? `"${name.slice(0, 64)}"` : `of type ${name === null ? 'null' : typeof name}`;
    return { ok: false, error: { message: `Unknown command ${shown}. Known commands: ${COMMAND_NAMES.join(', ')}.` } };
  }
  const parsed = commands[name].request.safeParse(payload ?? {});
  if (!parsed.success) {
    const { message, field } = describeIssues(`Invalid payload for "${name}"`, parsed.error);
    return { ok: false, error: { command: name, message, ...(field ? { field } : {}) } };
  }
  return { ok: true, command: name, payload: parsed.data } as ParsedCommand;
}

/**
 * Checks a host's answer against the contract before it leaves main. Unknown keys are
 * stripped, so a field added by mistake (a raw key, say) never reaches the renderer.
 */
export function parseResponse<C extends CommandName>(name: C, value: unknown): CommandResponse<C> {
  const parsed = commands[name].response.safeParse(value);
  if (!parsed.success) throw new Error(describeIssues(`The answer to "${name}" does not match the contract`, parsed.error).message);
  return parsed.data as CommandResponse<C>;
}

/** Checks an event payload against the contract before it is pushed; unknown keys are stripped. */
export function parseEvent<E extends EventName>(name: E, payload: unknown): EventPayload<E> {
  const parsed = events[name].safeParse(payload);
  if (!parsed.success) throw new Error(describeIssues(`The "${name}" event does not match the contract`, parsed.error).message);
  return parsed.data as EventPayload<E>;
}

// ---------------------------------------------------------------------------------------------
// The headless WebSocket bridge's framing (Electron's IPC frames messages itself).

/** Renderer → host: one command call; `id` pairs it with its reply. */
export const WsRequestSchema = z.object({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  command: z.string().max(64),
  payload: z.unknown(),
});

/** Host → renderer: a reply to one request (`id` null when the request could not be read), or a pushed event. */
export type WsServerMessage = ({ type: 'reply'; id: number | null } & CommandReply) | { type: 'event'; event: EventName; payload: unknown };

/**
 * What the Electron preload exposes as `window.stigmer`: one narrow API. `invoke` resolves
 * with the reply envelope (never rejects for a command failure), because Electron rewrites the
 * messages of errors thrown across IPC.
 */
export interface StigmerPreloadApi {
  invoke(command: CommandName, payload: unknown): Promise<CommandReply>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

import { z } from 'zod';
import { ConfigSourceSchema, PublicConfigSchema } from './config.ts';
import { AppProblemSchema } from './problems.ts';
import { OllamaStateSchema } from './ollama.ts';
import { OllamaInstallProgressSchema, OllamaUpdateCheckSchema } from './ollama-install.ts';
import { CloudProviderSchema, cloudProviderObject, providerObject } from './providers.ts';
import { RunnerStatusSchema } from './runner-status.ts';
import { UpdateStateSchema } from './updates.ts';
import { LIMITS, text } from './limits.ts';

/**
 * The state the window shows, pushed as one snapshot on every change, and the values it is made
 * of: the half of the renderer ↔ main contract that main sends (the commands and events are in
 * ipc.ts).
 */

export { CloudProviderSchema };

/** A problem worded for the user: what is wrong, and what to do about it. */
export const UserErrorSchema = z.object({ message: z.string(), fix: z.string() });
export type UserError = z.infer<typeof UserErrorSchema>;

// ---------------------------------------------------------------------------------------------
// App state: one snapshot, pushed on every change.

export const SecretsStatusSchema = z.object({
  /** Where a key saved now is kept (see `chooseSecretStorage`). */
  persistence: z.enum(['os-keychain', 'weak', 'session']),
  /** Why keys are kept this way, for the user; set whenever it is not the OS keychain. */
  notice: z.string().optional(),
  /** True when `secrets:accept-weak-storage` would make keys persist (Linux without a keyring). */
  weakStorageOffered: z.boolean(),
});

/** The Ollama server options the app applies when it launches `ollama serve` (saved settings). */
export const OllamaServerOptionsSchema = z.object({
  /** `OLLAMA_MODELS`; null means Ollama's default folder. */
  modelsDir: text(LIMITS.path).nullable(),
  /** `OLLAMA_CONTEXT_LENGTH`; null means Ollama's default. */
  contextLength: z.number().int().min(256).max(1_048_576).nullable(),
  /** `OLLAMA_KEEP_ALIVE`, e.g. `5m`, `1h` or `-1`; null means Ollama's default. */
  keepAlive: text(LIMITS.keepAlive).nullable(),
  /** Bind a launched server to 0.0.0.0 so other machines can reach it. */
  exposeToNetwork: z.boolean(),
});
export type OllamaServerOptions = z.infer<typeof OllamaServerOptionsSchema>;

/**
 * What the app knows about a cloud key it holds: `verified` (the provider accepted it),
 * `unverified` (saved while the provider could not be reached; checked again when it can be),
 * `rejected` (the provider answered 401/403). Null: not checked in this run.
 */
export const KeyVerificationSchema = z.object({
  state: z.enum(['verified', 'unverified', 'rejected']),
  /** A whole sentence for the user. */
  message: z.string(),
  fix: z.string().optional(),
  /** Epoch milliseconds of the last check; null when it was never reached. */
  checkedAt: z.number().nullable(),
});
export type KeyVerification = z.infer<typeof KeyVerificationSchema>;

/**
 * One model download, kept by main so that it survives navigation and reloads. A finished one
 * stays listed (done, cancelled, failed) until the user dismisses it. `interrupted`: stopped by a
 * quit, a crash, a lost network or a stall, kept in the persisted queue and offered for Resume.
 */
export const DownloadSchema = z.object({
  model: z.string(),
  state: z.enum(['pulling', 'interrupted', 'done', 'cancelled', 'failed']),
  /** What is happening, for people: "Downloading", "Verifying", … (never a layer digest). */
  phase: z.string(),
  completedBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  percent: z.number().min(0).max(100).nullable(),
  bytesPerSecond: z.number().nonnegative().nullable(),
  etaSeconds: z.number().nonnegative().nullable(),
  /** The user asked to use this model once it lands (the only way a pull changes the model). */
  use: z.boolean(),
  /** A whole sentence for a finished download: what happened, and what to do next. */
  message: z.string().nullable(),
  /** A whole sentence about the disk while it runs: little space left after it, or a free space that cannot be known. */
  warning: z.string().nullable().optional(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type Download = z.infer<typeof DownloadSchema>;

export const HostKindSchema = z.enum(['electron', 'headless']);
export type HostKind = z.infer<typeof HostKindSchema>;

/**
 * What the runner was last started with, for a user debugging "it uses the wrong model": the
 * contract variables it received (keys masked) and the names of inherited variables withheld.
 */
export const RunnerEnvironmentSchema = z.object({
  variables: z.array(z.object({ name: z.string(), value: z.string() })),
  withheld: z.array(z.string()),
});
export type RunnerEnvironment = z.infer<typeof RunnerEnvironmentSchema>;

export const AppStateSchema = z.object({
  host: HostKindSchema,
  /** The resolved configuration, keys masked, each field with its source and pinned flag. */
  config: PublicConfigSchema,
  /** The runner command with where it came from (`flag:--runner-command`, `env:STIGMER_RUNNER_COMMAND`, `settings`, `default`). */
  runnerCommand: z.object({
    value: z.string(),
    source: ConfigSourceSchema,
    pinned: z.boolean(),
    /** A saved command that applies at the runner's next restart (the user chose "restart later"). */
    pending: z.string().nullable().optional(),
    /**
     * Whether a custom runner gets the JSON-lines control channel (`STIGMER_CONTROL_FD`), from
     * `flag:--runner-control-channel`, `env:STIGMER_RUNNER_CONTROL_CHANNEL`, `settings` or `default`;
     * `saved` is the Settings choice, kept under a pin. The built-in runner always has its own channel.
     */
    controlChannel: z.object({ value: z.boolean(), source: ConfigSourceSchema, pinned: z.boolean(), saved: z.boolean() }),
  }),
  secrets: SecretsStatusSchema,
  /** Per cloud provider, whether the key the app holds was verified with the provider. */
  keyChecks: cloudProviderObject(KeyVerificationSchema.nullable()),
  ollama: OllamaStateSchema,
  /** Installing or updating the app's own Ollama: progress while it runs, and the last update check. */
  ollamaInstall: z.object({ progress: OllamaInstallProgressSchema.nullable(), update: OllamaUpdateCheckSchema.nullable() }),
  ollamaOptions: OllamaServerOptionsSchema,
  runner: RunnerStatusSchema,
  /** The environment the current runner was given; null before one was started. */
  runnerEnv: RunnerEnvironmentSchema.nullable(),
  /** Every problem the user should act on, most fundamental first, each with the actions that fix it. */
  problems: z.array(AppProblemSchema),
  /** The first error of `problems`, as a message and a fix (tooltips, headless stdout). */
  lastError: UserErrorSchema.nullable(),
  /** The first-run wizard has never been completed on this profile. */
  firstRun: z.boolean(),
  /** No usable configuration: the wizard is offered again. */
  needsSetup: z.boolean(),
  /** Each provider's saved base URL (Settings), null when the default is used; flags and the environment still win. */
  savedBaseUrls: providerObject(z.string().nullable()),
  /** Model downloads in progress and recently finished, oldest first. */
  downloads: z.array(DownloadSchema),
  /** The user chose "Set up later": the wizard is not opened by itself, a reminder offers it. */
  setupDeferred: z.boolean(),
  /** The folder holding the rotating log files. */
  logsDir: z.string(),
  /** Start the app when the user logs in (desktop only; off by default). */
  startAtLogin: z.boolean(),
  /** The app's own updates; null where it cannot update itself (headless, a development build). */
  update: UpdateStateSchema.nullable(),
});
export type AppState = z.infer<typeof AppStateSchema>;

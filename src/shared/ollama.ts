import { z } from 'zod';

/**
 * Who runs the Ollama server the app talks to: a server this app launched (`managed`), one
 * already running on this machine (`external`), or one on another machine (`remote`).
 */
export const OllamaOwnerSchema = z.enum(['managed', 'external', 'remote']);
export type OllamaOwner = z.infer<typeof OllamaOwnerSchema>;

/** A problem worded for the user: what is wrong, and what to do about it. */
const Problem = { reason: z.string(), fix: z.string() };

/** The supervisor's phase (docs/ARCHITECTURE.md §3). */
export const OllamaPhaseSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('not-installed'), ...Problem }),
  z.object({ phase: z.literal('stopped') }),
  z.object({ phase: z.literal('starting') }),
  /** Detection sent its request and has no answer yet; the verdict comes at the probe's timeout. */
  z.object({ phase: z.literal('waiting'), ...Problem }),
  z.object({ phase: z.literal('running'), owner: OllamaOwnerSchema }),
  z.object({ phase: z.literal('unhealthy'), owner: OllamaOwnerSchema, ...Problem }),
  z.object({ phase: z.literal('failed'), ...Problem }),
]);
export type OllamaPhase = z.infer<typeof OllamaPhaseSchema>;

/** An installed model, from `GET /api/tags`. */
export const OllamaModelSchema = z.object({
  name: z.string(),
  sizeBytes: z.number().nonnegative(),
  digest: z.string(),
  modifiedAt: z.string(),
  family: z.string().nullable(),
  parameterSize: z.string().nullable(),
  quantization: z.string().nullable(),
});
export type OllamaModel = z.infer<typeof OllamaModelSchema>;

/** A model loaded in memory, from `GET /api/ps`. */
export const OllamaLoadedModelSchema = z.object({
  name: z.string(),
  sizeBytes: z.number().nonnegative(),
  vramBytes: z.number().nonnegative(),
  expiresAt: z.string(),
});
export type OllamaLoadedModel = z.infer<typeof OllamaLoadedModelSchema>;

/** Progress of one pull, summed over its layers. */
export const OllamaPullProgressSchema = z.object({
  model: z.string(),
  /** Ollama's own status line: `pulling manifest`, `pulling 6a0746a1ec1a`, `verifying sha256 digest`, … */
  status: z.string(),
  completedBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
  /** 0-100, null until a layer size is known. */
  percent: z.number().min(0).max(100).nullable(),
  /** Recent download speed; null until it can be measured. */
  bytesPerSecond: z.number().nonnegative().nullable(),
  /** Seconds left at the recent speed; null when unknown. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export type OllamaPullProgress = z.infer<typeof OllamaPullProgressSchema>;

export const OllamaPullResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), model: z.string() }),
  z.object({ status: z.literal('cancelled'), model: z.string() }),
  z.object({ status: z.literal('failed'), model: z.string(), ...Problem }),
]);
export type OllamaPullResult = z.infer<typeof OllamaPullResultSchema>;

export const OllamaBinarySchema = z.object({
  path: z.string(),
  /** How it was found: `--ollama-path`, the saved setting, `PATH`, a known install location, or the app's own install. */
  source: z.enum(['flag', 'settings', 'path', 'install-location', 'app-installed']),
  /** From `ollama --version`; null when it could not be read. */
  version: z.string().nullable(),
});
export type OllamaBinary = z.infer<typeof OllamaBinarySchema>;

/** Everything the UI shows about Ollama; pushed to subscribers on every change. */
export const OllamaStateSchema = z.object({
  server: OllamaPhaseSchema,
  /** The URL clients connect to (native form, no `/v1`). */
  url: z.string(),
  /** Null until searched for, or when not found. */
  binary: OllamaBinarySchema.nullable(),
  /** The server's version from `/api/version`; null while not reachable. */
  serverVersion: z.string().nullable(),
  /** Process id of a server this app launched. */
  pid: z.number().int().positive().nullable(),
  /** How many times a crashed managed server was restarted since it last ran stably. */
  restarts: z.number().int().nonnegative(),
  models: z.array(OllamaModelSchema),
  loaded: z.array(OllamaLoadedModelSchema),
  /** The model the configuration asks for, if it is an Ollama model. */
  configuredModel: z.string().nullable(),
  /** True when the server answers and the configured model is not installed: offer a one-click pull. */
  configuredModelMissing: z.boolean(),
  /** Pulls in progress, by model name. */
  pulls: z.record(z.string(), OllamaPullProgressSchema),
  /** Things the user should know even when all is well, e.g. the server is exposed to the network. */
  warnings: z.array(z.string()),
});
export type OllamaState = z.infer<typeof OllamaStateSchema>;

import { z } from 'zod';
import { OllamaBinarySchema } from './ollama.ts';

/**
 * Installing and updating the app's own Ollama (issue 23 §3): progress, the outcome, and what an
 * update check found. Carried by `ollama:install`, `ollama:check-update` and the
 * `ollama-install-progress` event.
 */

export const OllamaInstallStageSchema = z.enum(['checking', 'downloading', 'verifying', 'unpacking', 'starting']);

export const OllamaInstallProgressSchema = z.object({
  stage: OllamaInstallStageSchema,
  /** The release being installed, once known. */
  version: z.string().nullable(),
  completedBytes: z.number().nonnegative(),
  /** 0 until the server said the size. */
  totalBytes: z.number().nonnegative(),
  percent: z.number().min(0).max(100).nullable(),
  bytesPerSecond: z.number().nonnegative().nullable(),
  etaSeconds: z.number().nonnegative().nullable(),
  /** Bytes kept from an interrupted download and not fetched again (HTTP Range). */
  resumedFromBytes: z.number().nonnegative(),
});
export type OllamaInstallProgress = z.infer<typeof OllamaInstallProgressSchema>;

export const OllamaInstallResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('installed'), version: z.string(), path: z.string() }),
  z.object({ status: z.literal('updated'), version: z.string(), previous: z.string(), path: z.string() }),
  z.object({ status: z.literal('up-to-date'), version: z.string(), path: z.string() }),
  z.object({ status: z.literal('cancelled') }),
  z.object({ status: z.literal('failed'), reason: z.string(), fix: z.string() }),
]);
export type OllamaInstallResult = z.infer<typeof OllamaInstallResultSchema>;

export const OllamaUpdateCheckSchema = z.object({
  /** The Ollama the app would run, and how it was found; null when there is none. */
  found: OllamaBinarySchema.nullable(),
  /** Whether that one is the app's own install (the only one it updates). */
  managed: z.boolean(),
  /** The newest release; null when it could not be learned. */
  latest: z.string().nullable(),
  updateAvailable: z.boolean(),
  /** One sentence for the user: what was found, where, and what can be done. */
  message: z.string(),
  /** When the releases were last asked (ISO); the check runs at most daily unless asked. */
  checkedAt: z.string().nullable(),
});
export type OllamaUpdateCheck = z.infer<typeof OllamaUpdateCheckSchema>;

import { z } from 'zod';
import { formatBytes } from './format-bytes.ts';

/** Moving the managed Ollama's models folder (issue 24 §5): its progress and its outcome, as every transport carries them. */

export const ModelsMovePhaseSchema = z.enum(['copying', 'verifying', 'switching', 'listing']);

export const ModelsMoveProgressSchema = z.object({
  phase: ModelsMovePhaseSchema,
  doneBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
});
export type ModelsMoveProgress = z.infer<typeof ModelsMoveProgressSchema>;

export const ModelsMoveResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    cancelled: z.literal(false),
    /** The old folder: still whole, deletable with `ollama:delete-old-models` until the next move. */
    source: z.string(),
    target: z.string(),
    models: z.array(z.string()),
    bytes: z.number().nonnegative(),
    files: z.number().int().nonnegative(),
  }),
  z.object({ ok: z.literal(false), cancelled: z.boolean(), message: z.string(), fix: z.string() }),
]);
export type ModelsMoveResult = z.infer<typeof ModelsMoveResultSchema>;

/** Where a system or external Ollama takes its folder from, since the app must not move it. */
export const EXTERNAL_FIX =
  'Set OLLAMA_MODELS where that Ollama is started, then restart it and move the files yourself while it is stopped: on Linux `sudo systemctl edit ollama` and add Environment="OLLAMA_MODELS=/new/folder" under [Service]; on macOS `launchctl setenv OLLAMA_MODELS /new/folder` and quit and reopen Ollama; on Windows set the OLLAMA_MODELS user environment variable and restart Ollama.';

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** "Moved 4 files (2.1 MB) to /mnt/big; Ollama lists every model there (2 models).", as the window, the log and `stigmer` say it. */
export const describeMove = (moved: Extract<ModelsMoveResult, { ok: true }>): string =>
  `Moved ${count(moved.files, 'file')} (${formatBytes(moved.bytes)}) to ${moved.target}; Ollama lists every model there (${count(moved.models.length, 'model')}).`;

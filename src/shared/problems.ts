import { z } from 'zod';
import { CLOUD_PROVIDERS, PROVIDERS } from './providers.ts';

/**
 * A problem the user can act on, with the actions that fix it. Derived in one place
 * (`deriveProblems` in src/main/app/app-state.ts) and shown once: the Overview banner and the
 * tray menu both render this list.
 */

/** Where Ollama is downloaded; the desktop host opens only this origin outside the app. */
export const OLLAMA_DOWNLOAD_URL = 'https://ollama.com/download';

const label = z.string().min(1).max(80);

/** One button. Each is carried out by a command of the IPC contract, a screen, or a link. */
export const ProblemActionSchema = z.discriminatedUnion('kind', [
  /** `ollama:pull`; the size is shown when known. */
  z.object({ kind: z.literal('pull'), label, model: z.string(), sizeBytes: z.number().nonnegative().nullable() }),
  /** `ollama:cancel-pull`. */
  z.object({ kind: z.literal('cancel-pull'), label, model: z.string() }),
  /** `ollama:start`: looks for Ollama again, and starts it when it is installed and not running. */
  z.object({ kind: z.literal('start-ollama'), label }),
  /** `ollama:install`: installs Ollama for this user, or updates the app's own (never another). */
  z.object({ kind: z.literal('install-ollama'), label }),
  /** `ollama:cancel-install`. */
  z.object({ kind: z.literal('cancel-install-ollama'), label }),
  /** `runner:retry`. */
  z.object({ kind: z.literal('retry-runner'), label }),
  /** `keys:validate`. */
  z.object({ kind: z.literal('check-key'), label, provider: z.enum(CLOUD_PROVIDERS) }),
  /** `config:set-provider`. */
  z.object({ kind: z.literal('use-provider'), label, provider: z.enum(PROVIDERS) }),
  /** A screen of the window. */
  z.object({ kind: z.literal('open'), label, route: z.enum(['models', 'logs', 'settings', 'setup']) }),
  /** A page outside the app (only Ollama's download page). */
  z.object({ kind: z.literal('link'), label, url: z.literal(OLLAMA_DOWNLOAD_URL) }),
]);
export type ProblemAction = z.infer<typeof ProblemActionSchema>;

export const AppProblemSchema = z.object({
  /** Stable while the problem lasts (`model-missing:llama3.2`), for keys and tests. */
  id: z.string(),
  /** `error`: the app cannot do its job; `warning`: it can, with a catch; `info`: something is on its way. */
  severity: z.enum(['error', 'warning', 'info']),
  /** One sentence naming what is wrong: "llama3.2 is not installed". */
  title: z.string(),
  /** What it means and what the actions do, or how to fix it when no button can. */
  detail: z.string(),
  actions: z.array(ProblemActionSchema),
});
export type AppProblem = z.infer<typeof AppProblemSchema>;

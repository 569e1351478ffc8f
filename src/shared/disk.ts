import { z } from 'zod';

/**
 * The disk under Ollama's models folder, as the Models screen shows it and as a pull is checked
 * against (docs/RELIABILITY.md, "Model downloads"): what the installed models use and what is left.
 */
export const ModelsDiskSchema = z.object({
  /** The folder whose file system was measured; null when it cannot be known (an Ollama the app did not launch). */
  folder: z.string().nullable(),
  /** Free for this user (`statfs` bavail), null when unknown. */
  freeBytes: z.number().nonnegative().nullable(),
  totalBytes: z.number().nonnegative().nullable(),
  /** The sum of the installed models' sizes, as `/api/tags` reports them (known for any Ollama). */
  usedByModelsBytes: z.number().nonnegative(),
  /** Why the free space is not shown, as a whole sentence; null when it is. */
  note: z.string().nullable(),
});
export type ModelsDisk = z.infer<typeof ModelsDiskSchema>;

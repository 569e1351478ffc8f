/**
 * The persisted download queue, `<userData>/downloads.json`: every pull that has not ended yet, so
 * one cut short by a quit, a crash or a lost network can be offered for Resume when the app comes
 * back (Ollama keeps the finished parts, so resuming is pulling again). Written whole to a temporary
 * file and renamed over the old one, so a crash mid-write leaves the previous queue, never half a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const QueueEntrySchema = z.object({
  model: z.string(),
  use: z.boolean(),
  startedAt: z.number(),
  completedBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
});
export type QueueEntry = z.infer<typeof QueueEntrySchema>;

const QueueFileSchema = z.object({ version: z.literal(1), downloads: z.array(QueueEntrySchema) });

/** Progress is saved at most this often: enough to say "stopped at 42 %" after a crash. */
const PROGRESS_SAVE_MS = 2000;

export class DownloadQueue {
  readonly #file: string;
  readonly #now: () => number;
  readonly #entries = new Map<string, QueueEntry>();
  #savedAt = 0;

  /** Reads the queue a previous run left; an unreadable file is set aside and the queue starts empty. */
  constructor(file: string, now: () => number = Date.now) {
    this.#file = file;
    this.#now = now;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return;
    }
    let parsed: z.infer<typeof QueueFileSchema> | undefined;
    try {
      parsed = QueueFileSchema.parse(JSON.parse(text));
    } catch {
      fs.renameSync(file, `${file}.unreadable`);
      return;
    }
    for (const entry of parsed.downloads) this.#entries.set(entry.model, entry);
  }

  entries(): QueueEntry[] {
    return [...this.#entries.values()];
  }

  get(model: string): QueueEntry | undefined {
    return this.#entries.get(model);
  }

  add(model: string, use: boolean): void {
    const previous = this.#entries.get(model);
    this.#entries.set(model, { model, use, startedAt: this.#now(), completedBytes: previous?.completedBytes ?? 0, totalBytes: previous?.totalBytes ?? 0 });
    this.#save();
  }

  progress(model: string, completedBytes: number, totalBytes: number): void {
    const entry = this.#entries.get(model);
    if (!entry) return;
    this.#entries.set(model, { ...entry, completedBytes, totalBytes });
    if (this.#now() - this.#savedAt >= PROGRESS_SAVE_MS) this.#save();
  }

  /** Saves what progress said last (a pull that stops is saved where it stopped). */
  flush(): void {
    this.#save();
  }

  remove(model: string): void {
    if (this.#entries.delete(model)) this.#save();
  }

  #save(): void {
    this.#savedAt = this.#now();
    fs.mkdirSync(path.dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify({ version: 1, downloads: this.entries() }, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temporary, this.#file);
  }
}

import { z } from 'zod';

/**
 * The desktop app's own updates, as the window and the tray show them (issue 23 §4). Null in the
 * state where the app cannot update itself (the headless host, a development build).
 */
export const UpdateStateSchema = z.object({
  /** The user's choice in Settings: check on start and daily, download in the background. */
  enabled: z.boolean(),
  /**
   * `idle`: no check yet; `checking`; `up-to-date`; `downloading` a newer version; `downloaded`:
   * verified and waiting for "Restart to update"; `failed`: the last check or download failed.
   */
  status: z.enum(['idle', 'checking', 'up-to-date', 'downloading', 'downloaded', 'failed']),
  /** The version being downloaded or waiting to be installed. */
  version: z.string().nullable(),
  percent: z.number().min(0).max(100).nullable(),
  /** One sentence for the user about the last outcome (why a download was refused, that the server is unreachable). */
  message: z.string().nullable(),
  /** Epoch milliseconds of the last finished check. */
  checkedAt: z.number().nullable(),
  /** Where updates come from, and which setting chose it. */
  feed: z.object({ url: z.string().nullable(), source: z.enum(['env:STIGMER_UPDATE_URL', 'settings', 'app-update.yml']) }),
});
export type UpdateState = z.infer<typeof UpdateStateSchema>;

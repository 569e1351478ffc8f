import { z } from 'zod';

/**
 * The supervised runner's lifecycle:
 *
 * - `stopped`: not running, and not meant to (never started, or stopped by the user);
 * - `starting`: being launched (orphan check, command check, spawn);
 * - `running`: the process is up;
 * - `backoff`: it exited unexpectedly and restarts at `nextRestartAt`;
 * - `crash-loop`: too many unstable exits in a row; stopped until the user retries;
 * - `failed`: it cannot run as configured: the command is missing or not executable, or the
 *   runner exited with a "do not restart" code (78, EX_CONFIG: bad configuration). Restarting
 *   would fail the same way, so nothing restarts until the user fixes the cause and retries
 *   (or the configuration changes);
 * - `stopping`: being stopped (SIGTERM, then SIGKILL of the whole tree after a grace period).
 */
export const RUNNER_STATES = ['stopped', 'starting', 'running', 'backoff', 'crash-loop', 'failed', 'stopping'] as const;
export const RunnerStateSchema = z.enum(RUNNER_STATES);
export type RunnerState = z.infer<typeof RunnerStateSchema>;

/** How a runner process ended: an exit code, or the signal that ended it. */
export const RunnerExitSchema = z.object({
  code: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** Epoch milliseconds. */
  at: z.number(),
});
export type RunnerExit = z.infer<typeof RunnerExitSchema>;

/** A problem the user must act on: what happened, and what to do about it. */
export const RunnerErrorSchema = z.object({
  message: z.string(),
  fix: z.string(),
});
export type RunnerError = z.infer<typeof RunnerErrorSchema>;

export const RunnerStatusSchema = z.object({
  state: RunnerStateSchema,
  /** Why the last transition happened, as a sentence a user can read. */
  reason: z.string(),
  /** The command as the user would type it (secrets never travel in argv, so it is safe to show). */
  command: z.string(),
  pid: z.number().int().positive().nullable(),
  /** When the current process started, epoch milliseconds. */
  startedAt: z.number().nullable(),
  /** Restarts after unexpected exits since the last start, retry or configuration change. */
  restarts: z.number().int().nonnegative(),
  lastExit: RunnerExitSchema.nullable(),
  /** In `backoff`: when the next attempt starts, epoch milliseconds. */
  nextRestartAt: z.number().nullable(),
  /** Set in `failed` and `crash-loop`. */
  error: RunnerErrorSchema.nullable(),
  /** The runner's last output lines (ANSI stripped, secrets masked), shown with a crash loop. */
  lastLines: z.array(z.string()),
});
export type RunnerStatus = z.infer<typeof RunnerStatusSchema>;

/** Emitted on every state change. */
export const RunnerTransitionSchema = z.object({
  from: RunnerStateSchema,
  status: RunnerStatusSchema,
});
export type RunnerTransition = z.infer<typeof RunnerTransitionSchema>;

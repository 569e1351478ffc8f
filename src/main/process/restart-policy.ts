import { RUNNER_CONFIG_EXIT_CODE } from '../../shared/runner-protocol.ts';

/**
 * When a crashed child (the runner, `ollama serve`) is restarted; each supervisor brings its own
 * parameters. The runner's defaults are drawn from PM2 (exponential backoff), systemd
 * (`StartLimitBurst`/`StartLimitIntervalSec`), supervisord (`exitcodes`) and OTP (restart
 * intensity): the first restart after 1 s, doubling to a 30 s cap; the delay resets after
 * 60 s of healthy running; 5 unstable exits within 2 minutes is a crash loop.
 */
export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Delays before restart 1, 2, … (the last one repeats), instead of doubling from `initialDelayMs` to `maxDelayMs`. */
  delaysMs?: readonly number[];
  /** A run at least this long was healthy: its exit restarts the backoff from the start. */
  healthyAfterMs: number;
  /** This many unstable exits (runs shorter than `healthyAfterMs`)… */
  crashLoopExits: number;
  /** …within this window stop the runner in `crash-loop`. */
  crashLoopWindowMs: number;
  /**
   * Exit codes that mean "restarting cannot help". 78 is `EX_CONFIG` from sysexits.h, which the
   * built-in runner uses for a bad configuration; a custom runner can use it the same way.
   */
  noRestartExitCodes: readonly number[];
  /** Whether code 0 or death by SIGINT/SIGTERM ends supervision (`isCleanStop`) rather than counting as a crash. */
  respectCleanStop: boolean;
  /** What a listed exit code means, for the message that says why the child is not restarted. */
  exitCodeMeanings?: Readonly<Record<number, string>>;
}

/** sysexits.h `EX_CONFIG` (78): the runner's configuration is wrong; the built-in runner's code for it. */
export const EXIT_CONFIG_ERROR = RUNNER_CONFIG_EXIT_CODE;

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  healthyAfterMs: 60_000,
  crashLoopExits: 5,
  crashLoopWindowMs: 120_000,
  noRestartExitCodes: [EXIT_CONFIG_ERROR],
  respectCleanStop: true,
  exitCodeMeanings: { [EXIT_CONFIG_ERROR]: 'EX_CONFIG: its configuration is invalid' },
};

/** What the policy remembers between exits. */
export interface RestartHistory {
  /** When each recent unstable exit happened (milliseconds, the supervisor's clock). */
  unstableExitTimes: readonly number[];
  /** Restarts since the backoff last started from the beginning: picks the next delay. */
  restartsSinceFresh: number;
}

export const freshHistory = (): RestartHistory => ({ unstableExitTimes: [], restartsSinceFresh: 0 });

/** The delay before restart number `attempt` (0-based) since the backoff started from the beginning. */
export function restartDelayMs(policy: RestartPolicy, attempt: number): number {
  if (policy.delaysMs !== undefined && policy.delaysMs.length > 0) return policy.delaysMs[Math.min(attempt, policy.delaysMs.length - 1)]!;
  return Math.min(policy.initialDelayMs * 2 ** attempt, policy.maxDelayMs);
}

export interface ExitFacts {
  code: number | null;
  signal: string | null;
  startedAt: number;
  exitedAt: number;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; history: RestartHistory }
  | { action: 'clean-stop' }
  | { action: 'crash-loop'; unstableExits: number; history: RestartHistory }
  | { action: 'do-not-restart'; code: number };

/** SIGINT and SIGTERM, as a signal or as the 128+n code a shell or wrapper turns them into. */
const STOP_SIGNALS: readonly string[] = ['SIGINT', 'SIGTERM'];
const STOP_SIGNAL_CODES: readonly number[] = [130, 143];

/**
 * A runner that was asked to stop and did: code 0 (a Python worker's `sys.exit(0)` on SIGTERM),
 * or death by SIGINT/SIGTERM (Python re-raises SIGINT after an uncaught `KeyboardInterrupt`).
 * As systemd's `Restart=on-failure` has it, such an exit is not a failure, so it is not restarted.
 */
export const isCleanStop = (exit: Pick<ExitFacts, 'code' | 'signal'>): boolean =>
  exit.code === 0 || (exit.signal !== null && STOP_SIGNALS.includes(exit.signal)) || (exit.code !== null && STOP_SIGNAL_CODES.includes(exit.code));

/** Decides what follows an unexpected exit. Pure: same facts, same decision. */
export function decideAfterExit(policy: RestartPolicy, history: RestartHistory, exit: ExitFacts): RestartDecision {
  if (exit.code !== null && policy.noRestartExitCodes.includes(exit.code)) return { action: 'do-not-restart', code: exit.code };
  if (policy.respectCleanStop && isCleanStop(exit)) return { action: 'clean-stop' };

  const healthy = exit.exitedAt - exit.startedAt >= policy.healthyAfterMs;
  const base = healthy ? freshHistory() : history;
  const windowStart = exit.exitedAt - policy.crashLoopWindowMs;
  const unstableExitTimes = healthy ? [] : [...base.unstableExitTimes.filter((time) => time > windowStart), exit.exitedAt];

  if (unstableExitTimes.length >= policy.crashLoopExits) {
    return { action: 'crash-loop', unstableExits: unstableExitTimes.length, history: { unstableExitTimes, restartsSinceFresh: base.restartsSinceFresh } };
  }
  const delayMs = restartDelayMs(policy, base.restartsSinceFresh);
  return { action: 'restart', delayMs, history: { unstableExitTimes, restartsSinceFresh: base.restartsSinceFresh + 1 } };
}

/** "1 s", "2.5 s", "30 s", "2 min": how delays and windows are shown to the user. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000) return `${Number((ms / 1_000).toFixed(1))} s`;
  return `${ms} ms`;
}

/** A child's stop that could not be completed, as the state shows it: what may be left, why, and what the user can do. Pure. */
export function stopFailure(name: string, pid: number | null, cause: string): { message: string; fix: string } {
  const shortOfDescriptors = /EMFILE|ENFILE/.test(cause);
  const who = pid === null ? name : `${name} (pid ${pid})`;
  return {
    message: `${who} could not be stopped: ${cause}`,
    fix: [
      pid === null ? 'if it still runs, end it' : `if it still runs, end it (kill -9 ${pid})`,
      shortOfDescriptors ? 'free file descriptors (close programs, or raise the open-file limit: ulimit -n)' : undefined,
      'then retry',
    ]
      .filter(Boolean)
      .join(', '),
  };
}

/**
 * The runner's stop signals, listened for before anything else is loaded or run: index.ts imports
 * this module first, so it is evaluated first (and comes first in the bundle). Until the runner has
 * its real shutdown, a stop signal is still a clean stop (exit 0) at once, instead of Node's default
 * of dying by the signal; the supervisor may stop a runner that is still starting.
 */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

let onStop = (_signal: StopSignal): void => process.exit(0);

for (const signal of STOP_SIGNALS) process.once(signal, () => onStop(signal));

/** Hands the stop signals to the runner's shutdown, once it has one. */
export function onStopSignal(handler: (signal: StopSignal) => void): void {
  onStop = handler;
}

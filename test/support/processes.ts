import { setTimeout as delay } from 'node:timers/promises';
import { readStat } from './proc.ts';

/** Generous: the suite runs on a busy 2-core machine with test files in parallel. */
export const DEFAULT_WAIT_MS = 20_000;

/**
 * Polls a condition every 20 ms until it gives a value (not undefined, null or false); the error
 * names what was awaited (a function is asked only then, to describe the state at the time out).
 * It keeps real time while a test mocks timers (node:test's `mock.timers`): it sleeps with the
 * `timers/promises` function bound at import and measures its deadline on `performance.now()`,
 * neither of which the mock replaces.
 */
export async function waitFor<T>(
  what: string | (() => string),
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await delay(20);
  }
}

/**
 * Waits for a line of a host's output; a host that exits first fails the wait at once, naming
 * how it ended, rather than when the time is up.
 */
export function waitForLine(
  what: string,
  host: { lines(): string[]; exit(): unknown },
  matches: (line: string) => boolean,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<string> {
  return waitFor(
    what,
    () => {
      const line = host.lines().find(matches);
      const exit = host.exit();
      if (line === undefined && exit !== undefined) throw new Error(`the host exited (${JSON.stringify(exit)}) before ${what}`);
      return line;
    },
    timeoutMs,
  );
}

/**
 * Whether a process has ended: /proc no longer lists it, or lists it as a zombie. `kill(pid, 0)`
 * alone is not enough: this machine's init reaps orphans late.
 */
export function isGone(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}

/** SIGKILLs a process and its group when the test ends, whatever happened. */
export function killAfter(t: { after(fn: () => void): void }, pid: number | undefined): void {
  if (pid === undefined) return;
  t.after(() => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

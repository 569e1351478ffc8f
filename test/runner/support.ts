import path from 'node:path';
import type { MockTimers } from 'node:test';
import type { RunnerState, RunnerTransition } from '../../src/shared/runner-status.ts';
import type { RunnerCommand } from '../../src/main/runner/command.ts';
import { RunnerSupervisor, systemClock, type Clock, type RunnerSupervisorOptions } from '../../src/main/runner/supervisor.ts';
import { cleanEnv, tempDir } from '../support/headless.ts';
import { recordingOutput } from '../support/process-output.ts';
import { waitFor } from '../support/processes.ts';

export { isGone, killAfter, waitFor } from '../support/processes.ts';

export const FIXTURES = path.join(import.meta.dirname, 'fixtures');

/** A custom runner command running one of the fixture scripts on this Node. */
export const fixtureCommand = (script: string, ...args: string[]): RunnerCommand => ({
  argv: [process.execPath, path.join(FIXTURES, script), ...args],
  source: 'flag:--runner-command',
  builtIn: false,
});

/** The supervisor's clock driven by node:test's mock timers, with its pending timers on view. */
export interface MockedClock extends Clock {
  /** The delays of the timers the supervisor has set and not yet seen fire or cleared, from now. */
  pendingDelays(): number[];
  /** Moves time on; the timers due fire in order (`mock.timers.tick`). */
  advance(ms: number): void;
}

const mocking = new WeakSet<MockTimers>();

/**
 * Mocks `setTimeout` and `Date` for the rest of the test and hands the supervisor its own
 * production `systemClock` over them, wrapped only to list what it has pending (mock.timers has no
 * such query). Injected rather than left to the default so that only the restart delays, the
 * configuration debounce and uptime run on mocked time: the kill grace, the test's `waitFor` and the
 * real child processes keep real time (they use timer functions bound at import, which the mock
 * leaves alone).
 */
export function mockedClock(t: { mock: { timers: MockTimers } }): MockedClock {
  // A test may supervise several runners, each with its own clock, over the one mock.
  if (!mocking.has(t.mock.timers)) t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
  mocking.add(t.mock.timers);
  const pending = new Map<unknown, number>();
  return {
    now: () => systemClock.now(),
    setTimeout(callback, ms) {
      const handle = systemClock.setTimeout(() => {
        pending.delete(handle);
        callback();
      }, ms);
      pending.set(handle, systemClock.now() + ms);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      systemClock.clearTimeout(handle);
    },
    pendingDelays: () => [...pending.values()].map((at) => at - systemClock.now()).sort((a, b) => a - b),
    advance: (ms) => t.mock.timers.tick(ms),
  };
}

export interface SupervisedRunner {
  supervisor: RunnerSupervisor;
  /** A configuration change: the next launch reads `env` (and `command`), and the supervisor is asked to restart. */
  applyConfig(env: Record<string, string>, command?: RunnerCommand): Promise<void>;
  transitions: RunnerTransition[];
  output: string[];
  dir: string;
  /** Waits until the supervisor is in `state` (after `count` entries into it, default 1). */
  reach(state: RunnerState, count?: number): Promise<RunnerTransition>;
}

/**
 * A supervisor over a fresh user-data folder that records every transition and output chunk,
 * and is stopped when the test ends (with every pid it ran killed as a last resort).
 */
export function supervise(
  t: { after(fn: () => void | Promise<void>): void },
  options: Partial<Omit<RunnerSupervisorOptions, 'inputs'>> & { command: RunnerCommand; env?: Record<string, string> },
): SupervisedRunner {
  const dir = tempDir(t);
  const { output: processOutput, chunks: output } = recordingOutput(t);
  const { command, env, ...rest } = options;
  let inputs = { command, env: env ?? (cleanEnv() as Record<string, string>) };
  const supervisor = new RunnerSupervisor({
    inputs: () => inputs,
    pidFile: path.join(dir, 'run', 'runner.pid'),
    killGraceMs: 500,
    output: processOutput,
    ...rest,
  });
  const applyConfig = (next: Record<string, string>, nextCommand?: RunnerCommand) => {
    inputs = { command: nextCommand ?? inputs.command, env: next };
    return supervisor.reconfigure();
  };
  const transitions: RunnerTransition[] = [];
  const pids = new Set<number>();
  supervisor.subscribe((transition) => {
    transitions.push(transition);
    if (transition.status.pid !== null) pids.add(transition.status.pid);
  });
  t.after(async () => {
    await supervisor.stop();
    for (const pid of pids) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // Gone, as it should be.
        }
      }
    }
  });
  const reach = (state: RunnerState, count = 1) =>
    waitFor(
      () => `runner state ${state} (#${count}); seen: ${transitions.map((x) => x.status.state).join(' → ')}`,
      () => {
        const entries = transitions.filter((transition) => transition.status.state === state);
        return entries.length >= count ? entries[count - 1] : undefined;
      },
    );
  return { supervisor, applyConfig, transitions, output, dir, reach };
}

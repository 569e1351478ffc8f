import path from 'node:path';
import type { RunnerState, RunnerTransition } from '../../src/shared/runner.ts';
import type { RunnerCommand } from '../../src/main/runner/command.ts';
import { RunnerSupervisor, type Clock, type RunnerSupervisorOptions } from '../../src/main/runner/supervisor.ts';
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

/** A clock the test advances by hand; timers fire in order of their due time. */
export class FakeClock implements Clock {
  #time = Date.UTC(2025, 0, 1);
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** The delays of the timers not yet fired, from now. */
  pendingDelays(): number[] {
    return [...this.#timers.values()].map((timer) => timer.at - this.#time).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    const until = this.#time + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, timer]) => timer.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#time = due[1].at;
      due[1].callback();
    }
    this.#time = until;
  }
}

export interface SupervisedRunner {
  supervisor: RunnerSupervisor;
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
  options: Partial<RunnerSupervisorOptions> & Pick<RunnerSupervisorOptions, 'command'>,
): SupervisedRunner {
  const dir = tempDir(t);
  const { output: processOutput, chunks: output } = recordingOutput(t);
  const supervisor = new RunnerSupervisor({
    env: cleanEnv() as Record<string, string>,
    pidFile: path.join(dir, 'run', 'runner.pid'),
    killGraceMs: 500,
    output: processOutput,
    ...options,
  });
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
    waitFor(`runner state ${state} (#${count}); seen: ${transitions.map((x) => x.status.state).join(' → ')}`, () => {
      const entries = transitions.filter((transition) => transition.status.state === state);
      return entries.length >= count ? entries[count - 1] : undefined;
    });
  return { supervisor, transitions, output, dir, reach };
}

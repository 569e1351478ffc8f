/** `ollama serve` as a child of the app: what a launch runs, and when a launch counts as up. */
import type { ChildPlan } from '../process/child-supervisor.ts';
import type { Clock } from '../process/clock.ts';
import type { Launch } from '../process/launch.ts';
import type { RunnerError } from '../../shared/runner-status.ts';
import { describeEarlyExit, type LaunchPlan } from './decisions.ts';
import type { ProbeResult } from './detect.ts';

/** What launching `ollama serve` runs: `binaryPath serve`, with the plan's variables over the inherited environment. */
export function servePlan(binaryPath: string, plan: LaunchPlan, inherited: NodeJS.ProcessEnv): ChildPlan {
  const env = Object.fromEntries(Object.entries({ ...inherited, ...plan.env }).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { ok: true, spec: { argv: [binaryPath, 'serve'], env, controlChannel: false }, program: `ollama ${JSON.stringify(binaryPath)}` };
}

const READY_POLL_MS = 100;

/** Probes a launched server until it answers, exits, or `timeoutMs` passes (on `clock`). */
export async function waitUntilServing(
  exited: Promise<unknown>,
  probe: () => Promise<ProbeResult>,
  timeoutMs: number,
  clock: Clock,
): Promise<{ kind: 'ready'; version: string } | { kind: 'exited' } | { kind: 'timeout' }> {
  const deadline = clock.now() + timeoutMs;
  const exitedFirst = exited.then(() => ({ kind: 'exited' as const }));
  const sleep = (ms: number) => new Promise<undefined>((resolve) => clock.setTimeout(() => resolve(undefined), ms));
  while (clock.now() < deadline) {
    const answer = await Promise.race([probe().then((result) => ({ kind: 'probe' as const, result })), exitedFirst]);
    if (answer.kind === 'exited') return answer;
    if (answer.result.kind === 'running') return { kind: 'ready', version: answer.result.version };
    const waited = await Promise.race([sleep(READY_POLL_MS), exitedFirst]);
    if (waited) return waited;
  }
  return { kind: 'timeout' };
}

export interface ServingCheck {
  probe: () => Promise<ProbeResult>;
  timeoutMs: number;
  clock: Clock;
  /** Where it should answer, and what was launched and bound there: the failure's words. */
  url: string;
  binaryPath: string;
  bindAddress: string;
}

/**
 * A launched server is up once it answers (with its version); one that exits first or takes too
 * long is a failed start, worded with what it said on stderr.
 */
export async function untilServing(
  launch: Launch,
  { probe, timeoutMs, clock, url, binaryPath, bindAddress }: ServingCheck,
): Promise<{ ok: true; version: string } | { ok: false; error: RunnerError }> {
  const outcome = await waitUntilServing(launch.handle.exited, probe, timeoutMs, clock);
  if (outcome.kind === 'ready') return { ok: true, version: outcome.version };
  if (outcome.kind === 'exited') {
    const exit = await launch.handle.exited;
    await launch.handle.closed;
    // Node's 'exit' event names signals by their NodeJS.Signals names.
    const early = describeEarlyExit({ code: exit.code, signal: exit.signal as NodeJS.Signals | null, stderr: launch.stderrTail() }, binaryPath, bindAddress);
    return { ok: false, error: { message: early.reason, fix: early.fix } };
  }
  return {
    ok: false,
    error: {
      message: `ollama serve did not answer at ${url} within ${Math.round(timeoutMs / 1000)} s, so it was stopped`,
      fix: `run "${binaryPath} serve" in a terminal to see what it is doing, and check the ollama log`,
    },
  };
}

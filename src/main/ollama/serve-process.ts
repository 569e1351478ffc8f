import type { ChildPlan } from '../process/child-supervisor.ts';
import type { Clock } from '../process/clock.ts';
import type { LaunchPlan } from './decisions.ts';
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

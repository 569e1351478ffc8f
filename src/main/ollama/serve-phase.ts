import type { OllamaPhase, OllamaState } from '../../shared/ollama.ts';
import { describeExit, type ChildTransition } from '../process/child-supervisor.ts';
import { formatDuration } from '../process/restart-policy.ts';

/**
 * What a transition of the launched `ollama serve` means for the state the window shows, or
 * undefined when it shows nothing new (`stopping`; `stopped` is the manager's to say). Each
 * outcome of the supervisor keeps its own words: a crash loop is not a failed start. Pure.
 */
export function servePhase(
  { status, unstableExits }: ChildTransition,
  served: { version: string | null; binaryPath: string },
): (Partial<OllamaState> & { server: OllamaPhase }) | undefined {
  const how = status.lastExit ? describeExit(status.lastExit) : 'stopped';
  switch (status.state) {
    case 'starting':
      return { server: { phase: 'starting' } };
    case 'running':
      return { server: { phase: 'running', owner: 'managed' }, serverVersion: served.version, pid: status.pid, restarts: status.restarts };
    case 'backoff': {
      const delayMs = status.nextRestartAt !== null && status.lastExit ? status.nextRestartAt - status.lastExit.at : 0;
      return {
        server: {
          phase: 'unhealthy',
          owner: 'managed',
          reason: `ollama serve ${how} unexpectedly; restarting in ${formatDuration(delayMs)}`,
          fix: 'nothing to do unless it keeps happening; then check the ollama log',
        },
        pid: null,
        serverVersion: null,
        restarts: status.restarts,
      };
    }
    case 'crash-loop':
      return {
        server: {
          phase: 'failed',
          reason: `ollama serve crashed ${unstableExits ?? status.restarts + 1} times in a row (last time it ${how}); it is left stopped`,
          fix: `look at the ollama log, or run "${served.binaryPath} serve" in a terminal to see why it stops, then start it again`,
        },
        pid: null,
        serverVersion: null,
      };
    case 'failed':
      return {
        server: { phase: 'failed', reason: status.error?.message ?? status.reason, fix: status.error?.fix ?? 'check the ollama log' },
        pid: null,
        serverVersion: null,
      };
    case 'stopped':
    case 'stopping':
      return undefined;
  }
}

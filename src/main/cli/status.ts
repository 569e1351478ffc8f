import type { AppState } from '../../shared/state-schema.ts';

/** `stigmer status --json`: what the app runs with, each setting with its source, and the state of Ollama and the runner. */
export function statusSummary(state: AppState) {
  const { config, ollama, runner } = state;
  const field = ({ value, source, pinned }: { value: string | null; source: string; pinned: boolean }) => ({ value, source, pinned });
  const server = ollama.server;
  return {
    host: state.host,
    provider: field(config.provider),
    model: field(config.model),
    baseUrl: field(config.baseUrl),
    apiKey: field(config.apiKey),
    ollama: {
      phase: server.phase,
      owner: 'owner' in server ? server.owner : null,
      url: ollama.url,
      version: ollama.serverVersion,
      problem: 'reason' in server ? { message: server.reason, fix: server.fix } : null,
    },
    runner: { state: runner.state, reason: runner.reason, pid: runner.pid, restarts: runner.restarts },
    problem: state.lastError,
  };
}

export type StatusSummary = ReturnType<typeof statusSummary>;

/** `stigmer status`: the same, as aligned lines for a terminal. */
export function formatStatus(status: StatusSummary): string {
  const setting = ({ value, source }: { value: string | null; source: string }) => `${value ?? 'none'}  (${source})`;
  const { ollama, runner } = status;
  const ollamaLine = [ollama.phase, ollama.owner ? `(${ollama.owner})` : '', `at ${ollama.url}`, ollama.version ? `version ${ollama.version}` : '']
    .filter(Boolean)
    .join(' ');
  const rows: [string, string][] = [
    ['App', status.host === 'electron' ? 'desktop' : 'headless'],
    ['Provider', setting(status.provider)],
    ['Model', setting(status.model)],
    ['Base URL', setting(status.baseUrl)],
    ['API key', setting(status.apiKey)],
    ['Ollama', ollamaLine],
    ['Runner', `${runner.state}${runner.pid ? ` (pid ${runner.pid})` : ''}: ${runner.reason}`],
  ];
  if (status.problem) rows.push(['Problem', `${status.problem.message} ${status.problem.fix}`]);
  return rows.map(([label, text]) => `${`${label}:`.padEnd(10)}${text}`).join('\n');
}

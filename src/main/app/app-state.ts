import type { PublicConfig } from '../../shared/config.ts';
import type { UserError } from '../../shared/ipc.ts';
import type { OllamaState } from '../../shared/ollama.ts';
import type { RunnerStatus } from '../../shared/runner.ts';

export interface HealthInputs {
  config: PublicConfig;
  ollama: OllamaState;
  runner: RunnerStatus;
  /** A problem the runner reported outside any task (its start-up provider check). */
  incident: UserError | null;
}

const CONFIG_FIX = 'Change it in Settings; a pinned value must be changed where it is set (the flag or the environment variable).';

/** Whether the Ollama side keeps the configuration from working (only matters when Ollama is the provider). */
function ollamaProblem(state: OllamaState): UserError | null {
  const server = state.server;
  if (server.phase === 'not-installed' || server.phase === 'failed' || server.phase === 'unhealthy') {
    return { message: `Ollama: ${server.reason}`, fix: server.fix };
  }
  if (state.configuredModelMissing && state.configuredModel) {
    return {
      message: `The model ${state.configuredModel} is not installed in Ollama.`,
      fix: `Pull it from Settings or the setup wizard, or run: ollama pull ${state.configuredModel}`,
    };
  }
  return null;
}

/** The one problem the window and tray lead with: the most fundamental first. */
export function deriveLastError({ config, ollama, runner, incident }: HealthInputs): UserError | null {
  const configError = config.errors[0];
  if (configError) return { message: configError.message, fix: CONFIG_FIX };
  if (runner.error && (runner.state === 'failed' || runner.state === 'crash-loop')) return runner.error;
  if (config.provider.value === 'ollama') {
    const problem = ollamaProblem(ollama);
    if (problem) return problem;
  }
  return incident;
}

/** No usable configuration yet: the wizard is offered again. */
export function deriveNeedsSetup({ config, ollama }: Pick<HealthInputs, 'config' | 'ollama'>): boolean {
  if (config.errors.length > 0) return true;
  return config.provider.value === 'ollama' && (ollama.server.phase === 'not-installed' || ollama.configuredModelMissing);
}

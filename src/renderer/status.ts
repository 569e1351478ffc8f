import type { OllamaState } from '../shared/ollama.ts';
import type { RunnerStatus } from '../shared/runner.ts';
import type { Tone } from './components/ui.tsx';

export interface StatusText {
  tone: Tone;
  text: string;
}

/** The runner's state as a pill. */
export function runnerStatus(runner: RunnerStatus, now: number): StatusText {
  switch (runner.state) {
    case 'running':
      return { tone: 'ok', text: 'Running' };
    case 'starting':
      return { tone: 'working', text: 'Starting' };
    case 'stopping':
      return { tone: 'working', text: 'Stopping' };
    case 'backoff': {
      const seconds = runner.nextRestartAt === null ? null : Math.max(0, Math.ceil((runner.nextRestartAt - now) / 1000));
      return { tone: 'working', text: seconds === null ? 'Restarting' : `Restarting in ${seconds}s` };
    }
    case 'crash-loop':
      return { tone: 'error', text: 'Crash loop' };
    case 'failed':
      return { tone: 'error', text: 'Failed' };
    case 'stopped':
      return { tone: 'neutral', text: 'Stopped' };
  }
}

/** Ollama's server phase as a pill. */
export function ollamaStatus(ollama: OllamaState): StatusText {
  switch (ollama.server.phase) {
    case 'running':
      return { tone: 'ok', text: ollama.server.owner === 'managed' ? 'Running' : `Running (${ollama.server.owner})` };
    case 'starting':
      return { tone: 'working', text: 'Starting' };
    case 'stopped':
      return { tone: 'neutral', text: 'Stopped' };
    case 'not-installed':
      return { tone: 'neutral', text: 'Not installed' };
    case 'unhealthy':
      return { tone: 'error', text: 'Not responding' };
    case 'failed':
      return { tone: 'error', text: 'Failed' };
  }
}

import { networkExposure } from '../../shared/ollama-exposure.ts';
import type { AppState } from '../../shared/state-schema.ts';

/**
 * What a headless host without a window says when nothing of its own is running: the runner
 * crash-looped, exited with "do not restart", or waits for a valid configuration. Such a host
 * stays up (a service manager that sees it exit would restart it in a loop), so the user must
 * learn from this one line what it waits for and what to do. Undefined while the runner is up
 * or on its way (starting, backing off, stopping).
 */
export function idleNotice(state: AppState): string | undefined {
  const { runner } = state;
  if (runner.state !== 'stopped' && runner.state !== 'failed' && runner.state !== 'crash-loop') return undefined;
  const problem = state.lastError ?? runner.error ?? { message: `the runner is ${runner.state} (${runner.reason})`, fix: 'check the configuration' };
  return (
    `Nothing is running: ${sentence(problem.message)} Fix: ${sentence(problem.fix)} Without --ui this host cannot retry by itself, ` +
    'so once the cause is fixed, stop it (Ctrl-C or SIGTERM) and start it again; until then it stays up, waiting for that signal.'
  );
}

const sentence = (text: string): string => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

/**
 * Logs the idle notice whenever it changes, so that each situation is told once. Silent before
 * `begin` (while the host starts, nothing runs yet, which is no news) and after `end` (shutting
 * down stops the runner, which is no news either).
 */
export function createIdleAnnouncer(log: (notice: string) => void): { begin: (state: AppState) => void; update: (state: AppState) => void; end: () => void } {
  let active = false;
  let last: string | undefined;
  const update = (state: AppState) => {
    if (!active) return;
    const notice = idleNotice(state);
    if (notice !== undefined && notice !== last) log(notice);
    last = notice;
  };
  return {
    begin(state) {
      active = true;
      update(state);
    },
    update,
    end: () => void (active = false),
  };
}

/**
 * What a headless host says once it is up, beside the runner's own lines: a state that is not an
 * error but that a user reading only the terminal must know. With `--ui` on a first run the
 * runner waits for the wizard, which would otherwise look like a hang; "Expose to network" opens
 * Ollama to every machine that can reach this one. A custom runner is started even when Ollama
 * lacks its model (only the built-in runner reports that itself), so the terminal says what
 * becomes of its requests.
 */
export function startNotices(state: AppState, { ui }: { ui: boolean }): Array<{ level: 'info' | 'warn'; msg: string }> {
  const notices: Array<{ level: 'info' | 'warn'; msg: string }> = [];
  if (ui && state.firstRun && state.runner.state === 'stopped') {
    notices.push({ level: 'info', msg: 'The runner waits for setup: open the UI and finish the wizard (or "Set up later", then Start on the Overview).' });
  }
  const { ollama, runnerCommand, runner } = state;
  if (runnerCommand.source !== 'default' && ollama.configuredModelMissing && ollama.configuredModel && runner.state !== 'stopped') {
    const model = ollama.configuredModel;
    notices.push({
      level: 'warn',
      msg:
        `The runner command was started with model ${model}, which the Ollama at ${ollama.url} does not have: its requests to Ollama fail until ` +
        `${model} is pulled (ollama pull ${model}${ui ? `, or "Pull ${model}" in the UI` : ''}) or another model is set.`,
    });
  }
  const exposure = networkExposure(state);
  if (exposure) notices.push({ level: 'warn', msg: `${exposure.message} ${exposure.fix}` });
  return notices;
}

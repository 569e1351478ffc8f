import type { AppState } from '../../shared/ipc.ts';

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

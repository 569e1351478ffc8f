import type { CommandName, CommandRequest } from './ipc.ts';
import type { ProblemAction } from './problems.ts';

/*
 * Kept apart from problems.ts, which the state schema (and so ipc.ts) imports: the schema of a
 * problem must not depend on the command contract it is part of.
 */

/** The command a problem action runs, if it runs one (screens and links are the host's business). */
export type ActionCommand = { [C in CommandName]: { command: C; payload: CommandRequest<C> } }[CommandName];

export function actionCommand(action: ProblemAction): ActionCommand | null {
  switch (action.kind) {
    case 'pull':
      return { command: 'ollama:pull', payload: { model: action.model } };
    case 'cancel-pull':
      return { command: 'ollama:cancel-pull', payload: { model: action.model } };
    case 'start-ollama':
      return { command: 'ollama:start', payload: {} };
    case 'install-ollama':
      return { command: 'ollama:install', payload: {} };
    case 'cancel-install-ollama':
      return { command: 'ollama:cancel-install', payload: {} };
    case 'retry-runner':
      return { command: 'runner:retry', payload: {} };
    case 'check-key':
      return { command: 'keys:validate', payload: { provider: action.provider } };
    case 'use-provider':
      return { command: 'config:set-provider', payload: { provider: action.provider } };
    case 'open':
    case 'link':
      return null;
  }
}

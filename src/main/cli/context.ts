import type { ControlClient } from '../control-socket/client.ts';
import type { TerminalInput } from './hidden-prompt.ts';

/** Exit codes of `stigmer` (the README lists them). */
export const CLI_EXIT = {
  ok: 0,
  /** The app refused the command or it failed (a pull that failed, a key the provider rejected). */
  failed: 1,
  /** A mistake on the command line. */
  usage: 2,
  /** No app runs for the user-data folder. */
  noApp: 3,
} as const;

/** A command line that cannot be run as written; the message says what to write instead. */
export class UsageError extends Error {}

/** What one subcommand works with: its parsed command line, the running app, and the terminal. */
export interface CliContext {
  /** Positionals after the subcommand's name. */
  args: string[];
  /** Its options, as `util.parseArgs` gives them. */
  options: Record<string, string | boolean | string[] | undefined>;
  /** Connects to the app for the user-data folder; rejects with `NoAppRunning` when there is none. */
  app(): Promise<ControlClient>;
  stdin: TerminalInput;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Listens for Ctrl-C from now on, and resolves on it: for the commands that follow (`logs -f`). */
  interrupted(): Promise<void>;
}

export const print = (stream: NodeJS.WritableStream, text: string): void => void stream.write(`${text}\n`);

import { parseCommand, parseResponse, type CommandFailure, type CommandReply } from './ipc.ts';

/** The app core as a transport sees it: runs one command whose payload is already validated. */
export type CommandHandler = (command: string, payload: unknown) => Promise<unknown>;

/** An error the core throws may carry a fix for the user (`CommandError`). */
function failureFrom(command: string, error: unknown): CommandFailure {
  const message = error instanceof Error ? error.message : String(error);
  const fix = error instanceof Error && 'fix' in error && typeof error.fix === 'string' ? error.fix : undefined;
  return { command, message, ...(fix ? { fix } : {}) };
}

/**
 * What every transport (Electron IPC, the headless WebSocket, the control socket, the tray) does
 * with a command: validate it against the contract, run it, and check the answer on its way out
 * (unknown keys stripped). Always resolves with the reply envelope; a failure is an answer, not a
 * thrown error. It lives with the contract, not in the app core, so that the tray and the control
 * socket reach no folder of the core to validate a command.
 */
export async function dispatchCommand(name: unknown, payload: unknown, handler: CommandHandler): Promise<CommandReply> {
  const parsed = parseCommand(name, payload);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  try {
    return { ok: true, value: parseResponse(parsed.command, await handler(parsed.command, parsed.payload)) };
  } catch (error) {
    return { ok: false, error: failureFrom(parsed.command, error) };
  }
}

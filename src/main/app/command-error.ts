/** A failure of a command that the user can act on: `dispatchCommand` passes the fix on. */
export class CommandError extends Error {
  readonly fix: string | undefined;
  constructor(message: string, fix?: string) {
    super(message);
    this.fix = fix;
  }
}

export const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Messages from deep inside ("deleting … failed: …") start a sentence when they reach the user. */
export const asSentence = (text: string): string => (text === '' ? text : `${text.charAt(0).toUpperCase()}${text.slice(1)}`);

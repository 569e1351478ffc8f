/** A terminal's stdin, as `stigmer keys set` reads a key from it without echoing it. */
export interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

const ENTER = new Set(['\r', '\n']);
const BACKSPACE = new Set(['\x7f', '\b']);
const INTERRUPT = '\x03';
const END_OF_INPUT = '\x04';

/**
 * Asks for a secret on a terminal: the question on stderr, the answer typed without echo (raw
 * mode), Backspace honoured; Ctrl-C or Ctrl-D gives undefined. The answer is never written anywhere.
 */
export function promptHidden(question: string, input: TerminalInput, output: NodeJS.WritableStream): Promise<string | undefined> {
  output.write(question);
  input.setRawMode?.(true);
  input.setEncoding('utf8');
  input.resume();
  let typed = '';
  return new Promise((resolve) => {
    const finish = (answer: string | undefined) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      resolve(answer);
    };
    const onData = (chunk: string) => {
      for (const character of chunk) {
        if (ENTER.has(character)) return finish(typed);
        if (character === INTERRUPT || character === END_OF_INPUT) return finish(undefined);
        typed = BACKSPACE.has(character) ? typed.slice(0, -1) : typed + character;
      }
    };
    input.on('data', onData);
  });
}

/** Everything piped into stdin (`printf %s "$KEY" | stigmer keys set anthropic`). */
export async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  input.setEncoding('utf8');
  for await (const chunk of input) text += chunk as string;
  return text;
}

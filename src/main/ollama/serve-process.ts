import type { ProcessOutput } from '../logs/process-output.ts';
import { childProcessLauncher, type LaunchedProcess } from '../process/launcher.ts';
import type { EarlyExit } from './decisions.ts';
import type { ProbeResult } from './detect.ts';

/** An `ollama serve` this app launched, as the manager supervises it. */
export interface ServeProcess {
  process: LaunchedProcess;
  binaryPath: string;
  /** The OLLAMA_HOST it was told to bind, for the message when the port is taken. */
  bindAddress: string;
  /** Resolves when it has exited (or could not start), with the end of its stderr. */
  exited: Promise<EarlyExit>;
  /** Set once it answered; only a server that was ready is restarted after a crash. */
  ready: boolean;
}

const READY_POLL_MS = 100;
/** What of its stderr is kept for the message when it exits early. */
const STDERR_TAIL_CHARS = 8192;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Starts `ollama serve` on the runner's launcher: it leads its own process group, so stopping
 * it ends its model runners and, for a wrapper that does not exec, the real server too. Its
 * output goes to `output` (piped, so a full log file makes it wait).
 */
export function launchServe(options: {
  binaryPath: string;
  env: Record<string, string>;
  bindAddress: string;
  output: ProcessOutput | undefined;
}): ServeProcess {
  const child = childProcessLauncher.launch({ argv: [options.binaryPath, 'serve'], env: options.env, controlChannel: false });
  let stderrTail = '';
  // Only the end of a chunk can be in the tail: decoding all of a flood would cost for nothing.
  // Listening before the pipe below: the log sink frees each chunk's memory once it has its lines.
  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8', Math.max(0, chunk.length - STDERR_TAIL_CHARS))).slice(-STDERR_TAIL_CHARS);
  });
  const sinks = options.output?.open({ releaseChunks: child.ownChunks });
  if (sinks) {
    child.stdout.pipe(sinks.stdout);
    child.stderr.pipe(sinks.stderr);
  } else {
    child.stdout.resume();
  }
  const exited: Promise<EarlyExit> = child.started.then(
    async () => {
      const exit = await child.exited;
      await child.closed;
      // Node's 'exit' event names signals by their NodeJS.Signals names.
      return { code: exit.code, signal: exit.signal as NodeJS.Signals | null, stderr: stderrTail };
    },
    (error: unknown) => ({ code: null, signal: null, stderr: `${stderrTail}\nError: ${error instanceof Error ? error.message : String(error)}` }),
  );
  return { process: child, binaryPath: options.binaryPath, bindAddress: options.bindAddress, exited, ready: false };
}

/** Probes a launched server until it answers, exits, or `timeoutMs` passes. */
export async function waitUntilServing(
  served: ServeProcess,
  probe: () => Promise<ProbeResult>,
  timeoutMs: number,
): Promise<{ kind: 'ready'; version: string } | { kind: 'exited'; exit: EarlyExit } | { kind: 'timeout' }> {
  const deadline = Date.now() + timeoutMs;
  const exitedFirst = served.exited.then((exit) => ({ kind: 'exited' as const, exit }));
  while (Date.now() < deadline) {
    const answer = await Promise.race([probe().then((result) => ({ kind: 'probe' as const, result })), exitedFirst]);
    if (answer.kind === 'exited') return answer;
    if (answer.result.kind === 'running') return { kind: 'ready', version: answer.result.version };
    const waited = await Promise.race([sleep(READY_POLL_MS).then(() => undefined), exitedFirst]);
    if (waited) return waited;
  }
  return { kind: 'timeout' };
}

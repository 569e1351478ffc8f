/** `utilityProcess.fork`: a Node child process with `process.parentPort`, after ready only. */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { requireReady } from './lifecycle.ts';

const CHILD_ENTRY = path.join(import.meta.dirname, 'utility-child.ts');
const running = new Set<ChildProcess>();
// Docs (utility-process): children end with the app.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

interface ForkOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdio?: 'pipe' | 'ignore' | 'inherit';
  serviceName?: string;
}

class UtilityProcess extends EventEmitter {
  readonly #child: ChildProcess;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  pid: number | undefined;

  constructor(modulePath: string, args: string[], options: ForkOptions) {
    super();
    const stdio = options.stdio ?? 'inherit';
    this.#child = fork(CHILD_ENTRY, [modulePath, ...args], {
      env: options.env ?? process.env,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      stdio: [stdio === 'pipe' ? 'ignore' : stdio, stdio, stdio, 'ipc'],
      execArgv: [],
    });
    running.add(this.#child);
    this.stdout = this.#child.stdout;
    this.stderr = this.#child.stderr;
    this.#child.once('spawn', () => {
      this.pid = this.#child.pid;
      this.emit('spawn');
    });
    this.#child.on('message', (message) => this.emit('message', message));
    this.#child.once('error', () => this.emit('error', 'FatalError', '', ''));
    this.#child.once('exit', (code, signal) => {
      running.delete(this.#child);
      this.pid = undefined;
      this.emit('exit', code ?? (signal ? 128 + (signalNumbers[signal] ?? 0) : 0));
    });
  }

  postMessage(message: unknown): void {
    if (this.#child.connected) this.#child.send(message as never);
  }

  kill(): boolean {
    return this.#child.kill('SIGTERM');
  }
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

export const utilityProcess = {
  fork(modulePath: string, args: string[] = [], options: ForkOptions = {}): UtilityProcess {
    requireReady('utilityProcess.fork');
    return new UtilityProcess(modulePath, args, options);
  },
};

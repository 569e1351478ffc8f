import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';
import { RunnerToAppSchema, type AppToRunner, type RunnerToApp } from '../../src/shared/runner-protocol.ts';
import { REPO_ROOT, cleanEnv } from '../support/headless.ts';
import { DEFAULT_WAIT_MS, waitFor } from '../support/processes.ts';

export { waitFor } from '../support/processes.ts';

export const RUNNER_ENTRY = path.join(REPO_ROOT, 'src/builtin-runner/index.ts');

interface TestContext {
  after(fn: () => void | Promise<void>): void;
}

export interface RunnerUnderTest {
  child: ChildProcess;
  /** Every control message received, validated against the protocol. */
  messages: RunnerToApp[];
  stdout(): string;
  stderr(): string;
  send(message: AppToRunner): void;
  /** Waits for the first message matching the predicate (already received or still to come). */
  waitForMessage<T extends RunnerToApp>(predicate: (message: RunnerToApp) => message is T, what: string): Promise<T>;
  waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The JSON log lines of a stream, parsed. */
export const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/**
 * Starts the real runner on this Node with an IPC slot, exactly as the supervisor does, with
 * only the given variables in its environment. The test ends it.
 */
export function startRunner(t: TestContext, env: Record<string, string>, options: { ipc?: boolean } = {}): RunnerUnderTest {
  const ipc = options.ipc ?? true;
  const child = spawn(process.execPath, [RUNNER_ENTRY], {
    cwd: REPO_ROOT,
    env: cleanEnv(env),
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const messages: RunnerToApp[] = [];
  child.on('message', (raw) => messages.push(RunnerToAppSchema.parse(raw)));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve((exit = { code, signal }))),
  );
  t.after(async () => {
    if (!exit) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    child,
    messages,
    stdout: () => stdout,
    stderr: () => stderr,
    send: (message) => child.send(message),
    waitForMessage: (predicate, what) =>
      waitFor(
        () => `${what}\nmessages: ${JSON.stringify(messages)}\nstdout: ${stdout}\nstderr: ${stderr}`,
        () => messages.find(predicate),
      ),
    waitForExit: async () => {
      const deadline = setTimeout(() => child.kill('SIGKILL'), DEFAULT_WAIT_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(deadline);
      }
    },
  };
}

export const isType =
  <K extends RunnerToApp['type']>(type: K, id?: string) =>
  (message: RunnerToApp): message is Extract<RunnerToApp, { type: K }> =>
    message.type === type && (id === undefined || ('id' in message && message.id === id));

/** The end of a task: its `done` or its `error`. */
export const isOutcome =
  (id: string) =>
  (message: RunnerToApp): message is Extract<RunnerToApp, { type: 'done' | 'error' }> =>
    (message.type === 'done' || message.type === 'error') && message.id === id;

/** Runs one task to its end and returns the deltas and the outcome. */
export async function runTask(runner: RunnerUnderTest, task: Omit<Extract<AppToRunner, { type: 'task' }>, 'type'>) {
  runner.send({ type: 'task', ...task });
  const outcome = await runner.waitForMessage(isOutcome(task.id), `the outcome of task ${task.id}`);
  const deltas = runner.messages.filter(isType('delta', task.id)).map((delta) => delta.text);
  return { outcome, deltas };
}

/** The key is never printed or sent, every output line is a JSON log line, and stdout carries no control message. */
export function assertCleanOutput(runner: RunnerUnderTest, key?: string): void {
  if (key !== undefined) {
    assert.ok(!runner.stdout().includes(key) && !runner.stderr().includes(key), 'the full key is never printed');
    assert.ok(!JSON.stringify(runner.messages).includes(key), 'the full key is never sent to the app');
  }
  jsonLines(runner.stderr());
  for (const line of jsonLines(runner.stdout())) {
    assert.ok(!RunnerToAppSchema.safeParse(line).success, `control message on stdout: ${JSON.stringify(line)}`);
  }
}

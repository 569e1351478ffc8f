import fs from 'node:fs';
import path from 'node:path';
import type { LogBatch, LogEntry } from '../../src/shared/logs.ts';
import { HOST_WAIT_MS, startHost, waitFor, type HeadlessHost, type Scope } from './e2e-host.ts';
import { cleanEnv } from './headless.ts';
import { connectUi } from './websocket.ts';

export interface RunnerLogViews {
  host: HeadlessHost;
  /** The runner's lines on the host's stdout, in runner.log, from `logs:recent` and in the window's `logs` events. */
  views: [string, string[]][];
  stdoutLines: string[];
  runnerLog: string[];
  /** The runner's entries the window was sent. */
  pushed: LogEntry[];
}

/** An entry as the window shows it: the message, then the fields. */
const windowTexts = (entries: LogEntry[]) => entries.map((entry) => `${entry.msg} ${JSON.stringify(entry.fields ?? {})}`);

/**
 * Runs the real headless host with --ui and `runner` (a script) as its runner, and gathers every
 * view of the runner's output a user has once the runner has printed `lastLine`.
 */
export async function runnerLogViews(scope: Scope, runner: string, anthropicKey: string, lastLine: string): Promise<RunnerLogViews> {
  const userDataDir = scope.tempDir();
  const env = cleanEnv({ HOME: scope.tempDir(), ANTHROPIC_API_KEY: anthropicKey });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir, '--runner-command', `${process.execPath} ${runner}`], env);
  const uiLine = await host.waitForLine('the UI to be ready', (line) => line.startsWith('UI ready: open '), 60_000);
  const ui = await connectUi(uiLine.slice('UI ready: open '.length));
  scope.defer(() => ui.close());
  // With --ui the runner waits for the setup on a first run; the window starts it.
  if (!(await ui.request('runner:start')).ok) throw new Error('runner:start failed');
  await host.waitForLine('the last runner line', (line) => line.endsWith(`[runner] ${lastLine}`));

  const logFile = path.join(userDataDir, 'logs', 'runner.log');
  const runnerLog = await waitFor(
    'runner.log to hold the last runner line',
    () => {
      const lines = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(0, -1) : [];
      return lines.some((line) => line.endsWith(` ${lastLine}`)) && lines;
    },
    HOST_WAIT_MS,
  );
  const recent = (await ui.request('logs:recent', { filter: { sources: ['runner'] }, limit: 1000 })) as { ok: boolean; value: LogBatch };
  if (!recent.ok) throw new Error('logs:recent failed');
  const pushed = await waitFor(
    'the window to be sent the last runner line',
    () => {
      const entries = ui
        .events('logs')
        .flatMap((batch) => (batch as LogBatch).entries)
        .filter((entry) => entry.source === 'runner');
      return entries.some((entry) => entry.msg === lastLine) && entries;
    },
    HOST_WAIT_MS,
  );
  const stdoutLines = host.lines().filter((line) => line.includes(' [runner] '));
  return {
    host,
    stdoutLines,
    runnerLog,
    pushed,
    views: [
      ['stdout', stdoutLines],
      ['runner.log', runnerLog],
      ['logs:recent', windowTexts(recent.value.entries)],
      ['logs event', windowTexts(pushed)],
    ],
  };
}

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cleanEnv } from '../support/headless.ts';
import { RUNNER_ENTRY, waitUntil } from './support.ts';

const PARENT = path.join(import.meta.dirname, 'fixtures/parent.ts');

/** Alive and not a zombie: a runner re-parented to a container's init may stay unreaped. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

for (const mode of ['ipc', 'no-ipc'] as const) {
  const how = mode === 'ipc' ? 'its IPC channel closes' : 'its parent pid changes (no IPC channel)';
  test(`the runner exits when its parent is SIGKILLed: ${how}`, async (t) => {
    const parent = spawn(process.execPath, [PARENT, mode, RUNNER_ENTRY], {
      env: cleanEnv({ STIGMER_LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-proj-parent0death0test000000000000WXYZ' }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    parent.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    let runnerPid: number | undefined;
    t.after(() => {
      parent.kill('SIGKILL');
      if (runnerPid !== undefined && isRunning(runnerPid)) process.kill(runnerPid, 'SIGKILL');
    });

    runnerPid = await waitUntil(() => {
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      return line ? (JSON.parse(line) as { runnerPid: number }).runnerPid : undefined;
    }, 'the runner to start under the stand-in parent');
    assert.ok(isRunning(runnerPid));

    const parentExited = new Promise((resolve) => parent.once('exit', resolve));
    parent.kill('SIGKILL');
    await parentExited;
    const pid = runnerPid;
    await waitUntil(() => !isRunning(pid), `runner ${pid} to exit after its parent died`);
  });
}

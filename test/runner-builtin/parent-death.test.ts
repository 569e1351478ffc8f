import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { cleanEnv } from '../support/headless.ts';
import { isGone } from '../support/processes.ts';
import { RUNNER_ENTRY, waitFor } from './support.ts';

const PARENT = path.join(import.meta.dirname, 'fixtures/parent.ts');

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
      if (runnerPid !== undefined && !isGone(runnerPid)) process.kill(runnerPid, 'SIGKILL');
    });

    runnerPid = await waitFor('the runner to start under the stand-in parent', () => {
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      return line ? (JSON.parse(line) as { runnerPid: number }).runnerPid : undefined;
    });
    assert.ok(!isGone(runnerPid));

    const parentExited = new Promise((resolve) => parent.once('exit', resolve));
    parent.kill('SIGKILL');
    await parentExited;
    const pid = runnerPid;
    await waitFor(`runner ${pid} to exit after its parent died`, () => isGone(pid));
  });
}

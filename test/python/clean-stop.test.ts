/**
 * Issue 15 §3: a Python worker that ends on KeyboardInterrupt after SIGINT, or with sys.exit(0)
 * on SIGTERM, has stopped cleanly: the supervisor neither restarts it nor reports a failure.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { RunnerCommand } from '../../src/main/runner/command.ts';
import { cleanEnv } from '../support/headless.ts';
import { supervise, waitFor } from '../runner/support.ts';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const python = (script: string): RunnerCommand => ({ argv: ['python3', path.join(FIXTURES, script)], source: 'flag:--runner-command', builtIn: false });

for (const { script, signal, exit, lastLine } of [
  { script: 'keyboard-interrupt.py', signal: 'SIGINT', exit: 'was killed by SIGINT', lastLine: 'KeyboardInterrupt' },
  { script: 'sigterm-exit0.py', signal: 'SIGTERM', exit: 'exited with code 0', lastLine: 'worker: SIGTERM received, exiting' },
] as const) {
  test(`a python3 worker sent ${signal} from outside (${script}) stops cleanly and is not restarted`, async (t) => {
    const runner = supervise(t, { command: python(script), env: cleanEnv({ PYTHONUNBUFFERED: '1' }) as Record<string, string> });
    await runner.supervisor.start();
    const { pid } = (await runner.reach('running')).status;
    await waitFor('the worker to wait for work', () => runner.output.join('').includes('worker: waiting'));
    process.kill(pid!, signal);

    const stopped = await runner.reach('stopped');
    assert.equal(stopped.status.reason, `the runner ${exit}: a clean stop, so it is not restarted`);
    assert.equal(stopped.status.error, null, 'no error is reported');
    assert.ok(
      stopped.status.lastLines.some((line) => line.includes(lastLine)),
      stopped.status.lastLines.join('\n'),
    );
    const states = runner.transitions.map((transition) => transition.status.state);
    assert.ok(!states.includes('backoff') && !states.includes('failed'), states.join(' → '));
    assert.equal(states.filter((state) => state === 'running').length, 1, 'started once, never again');
  });
}

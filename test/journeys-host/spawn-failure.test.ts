/**
 * A busy machine runs out of file descriptors (issue 10 §8a): spawning the runner fails with
 * EMFILE. That is a failed start which follows the restart policy and is shown, and the runner
 * comes back once descriptors are free again. The shortage is real: the host's own
 * RLIMIT_NOFILE is lowered with prlimit(1) to what it already uses.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { CLOUD_KEY } from '../faults/support.ts';
import { freePort } from '../ollama/support.ts';
import { HOST_WAIT_MS, Scope, descendantsOf, hostEnv, isGone, startHost, waitFor } from '../support/e2e-host.ts';
import { hasPrlimit, limitOpenFiles } from '../support/proc.ts';

const SLEEPER = `${process.execPath} ${path.join(import.meta.dirname, '..', 'runner', 'fixtures', 'sleeper.ts')}`;

const runnerStarts = (lines: readonly string[]) => lines.flatMap((line) => /Runner running: started \(pid (\d+)\)/.exec(line)?.[1] ?? []).map(Number);

test(
  'spawning the runner fails with EMFILE: the host shows it, backs off, and starts the runner once descriptors are free',
  { skip: !hasPrlimit && 'prlimit(1) is not installed' },
  async (t) => {
    const scope = new Scope(t);
    const userDataDir = scope.tempDir();
    const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, extra: CLOUD_KEY });
    const host = startHost(scope, ['--runner-command', SLEEPER, '--user-data-dir', userDataDir], env);
    const [first] = await waitFor('the runner', () => runnerStarts(host.lines()).length === 1 && runnerStarts(host.lines()), HOST_WAIT_MS);
    scope.killAtEnd(first!);
    await host.waitForLine('the runner to be ready', (line) => line.endsWith(`ready ${first}`));

    // No descriptor to spare: the next one the host asks for is over the limit. A spawn needs
    // several new ones (a socket pair per pipe) and cannot have them.
    const restoreLimit = limitOpenFiles(host.pid, 0);
    process.kill(first!, 'SIGKILL');

    const shown = await host.waitForLine('the failed start', (line) =>
      / \[app\] Runner backoff: runner command .* could not be started \(EMFILE\); restarting in/.test(line),
    );
    assert.match(shown, /restarting in 2 s$/, 'the second delay of the backoff: the failed start counted as an unstable exit');
    assert.ok(host.running, 'the host is not stuck and did not crash');

    restoreLimit();
    const [, second] = await waitFor('the runner to start again', () => runnerStarts(host.lines()).length === 2 && runnerStarts(host.lines()), HOST_WAIT_MS);
    scope.killAtEnd(second!);
    await host.waitForLine('the new runner to be ready', (line) => line.endsWith(`ready ${second}`));
    assert.ok(
      host.lines().some((line) => line.includes(`started (pid ${second}): restart 2 after: runner command`)),
      'the restart names the failure it follows',
    );

    const started = descendantsOf(host.pid);
    assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
    for (const pid of [first!, second!, ...started]) assert.ok(isGone(pid), `process ${pid} is gone`);
  },
);

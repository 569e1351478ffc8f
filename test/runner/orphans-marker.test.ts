import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { LAUNCH_MARKER_VARIABLE, environHasMarker, newLaunchMarker, processesWithMarker } from '../../src/main/process/launch-marker.ts';
import { childProcessLauncher } from '../../src/main/process/launcher.ts';
import { stopFailure } from '../../src/main/process/restart-policy.ts';
import { cleanEnv } from '../support/headless.ts';
import { isGone, killAfter, waitFor } from '../support/processes.ts';

test('a marker matches its own variable exactly, not a prefix of it nor another variable holding it', () => {
  const marker = 'abc-123';
  assert.ok(environHasMarker(`PATH=/bin\0${LAUNCH_MARKER_VARIABLE}=abc-123\0HOME=/h\0`, marker));
  assert.ok(!environHasMarker(`${LAUNCH_MARKER_VARIABLE}=abc-1234\0`, marker));
  assert.ok(!environHasMarker(`OTHER=${LAUNCH_MARKER_VARIABLE}=abc-123\0`, marker));
  assert.ok(!environHasMarker('', marker));
  assert.notEqual(newLaunchMarker(), newLaunchMarker());
});

test(
  'the processes carrying a marker are found whatever session they are in; others are not',
  { skip: process.platform !== 'linux' && 'reads /proc/<pid>/environ' },
  async (t) => {
    const marker = newLaunchMarker();
    const sleep = ['-e', 'setInterval(() => {}, 60_000)'];
    const marked = spawn(process.execPath, sleep, { env: cleanEnv({ [LAUNCH_MARKER_VARIABLE]: marker }), detached: true, stdio: 'ignore' });
    const unmarked = spawn(process.execPath, sleep, { env: cleanEnv({ [LAUNCH_MARKER_VARIABLE]: newLaunchMarker() }), detached: true, stdio: 'ignore' });
    killAfter(t, marked.pid);
    killAfter(t, unmarked.pid);
    await Promise.all([once(marked, 'spawn'), once(unmarked, 'spawn')]);
    // Node writes the environment at exec: wait until the new image is in place.
    await waitFor('the marked process to be found', async () => (await processesWithMarker(marker)).includes(marked.pid!));
    assert.deepEqual(await processesWithMarker(marker), [marked.pid]);
  },
);

test(
  'each launch gets a fresh marker, and terminate ends a marked process in another session after the root exited',
  { skip: process.platform !== 'linux' && 'reads /proc/<pid>/environ' },
  async (t) => {
    // The root starts a detached (setsid) child, which inherits the marker, and exits at once.
    const script = `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { detached: true, stdio: 'ignore' }); console.log(c.pid); process.exit(0);`;
    const launched = childProcessLauncher.launch({ argv: [process.execPath, '-e', script], env: cleanEnv() as Record<string, string>, controlChannel: false });
    const other = childProcessLauncher.launch({ argv: [process.execPath, '-e', ''], env: cleanEnv() as Record<string, string>, controlChannel: false });
    assert.ok(launched.marker && other.marker && launched.marker !== other.marker);
    let output = '';
    launched.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    await launched.exited;
    const escaped = Number(await waitFor('the escaped child', () => /^\d+/.exec(output)?.[0]));
    killAfter(t, escaped);
    assert.ok(!isGone(escaped));
    await launched.terminate(1_000);
    assert.ok(isGone(escaped), 'found by its marker once its parent had exited');
    launched.release();
    await other.exited;
    other.release();
  },
);

test('a stop that failed for want of descriptors names the cause, the pid to end and how to free descriptors', () => {
  const failure = stopFailure('the runner', 4242, 'process group 4242 could not be confirmed gone: the process table cannot be read (EMFILE)');
  assert.match(failure.message, /^the runner \(pid 4242\) could not be stopped: .*EMFILE/);
  assert.match(failure.fix, /kill -9 4242/);
  assert.match(failure.fix, /ulimit -n/);
  assert.doesNotMatch(stopFailure('the runner', null, 'it had not ended 20 s after SIGTERM').fix, /ulimit/);
});

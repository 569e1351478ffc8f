/**
 * Stopping a tree wakes on its root's exit (issue 25): a root that exits on SIGTERM ends the stop
 * without waiting out the grace period, and what it leaves behind is still found and ended.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childProcessLauncher, type LaunchedProcess } from '../../src/main/process/launcher.ts';
import { cleanEnv } from '../support/headless.ts';
import { isGone, killAfter, waitFor } from '../support/processes.ts';

/** A launch of `script` on this Node, its stdout collected. */
function launchScript(t: { after(fn: () => void): void }, script: string): { launched: LaunchedProcess; output: () => string } {
  const launched = childProcessLauncher.launch({ argv: [process.execPath, '-e', script], env: cleanEnv() as Record<string, string>, controlChannel: false });
  let output = '';
  launched.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  launched.stderr.resume();
  t.after(() => launched.release());
  return { launched, output: () => output };
}

test('a root that exits on SIGTERM ends the stop at once, not at the end of the grace period', async (t) => {
  const { launched, output } = launchScript(t, "process.on('SIGTERM', () => process.exit(0)); console.log('up'); setInterval(() => {}, 60_000)");
  const pid = await launched.started;
  killAfter(t, pid);
  await waitFor('the root to be up', () => output().includes('up'));

  const graceMs = 60_000;
  const began = performance.now();
  await launched.terminate(graceMs);
  const ms = performance.now() - began;
  t.diagnostic(`SIGTERM until the tree was confirmed gone: ${Math.round(ms)} ms`);
  assert.ok(isGone(pid), 'the root is gone');
  assert.deepEqual(await launched.exited, { code: 0, signal: null }, 'it exited by itself, on SIGTERM');
  // Generous, for a busy machine: the point is that the grace period (a minute) was not waited out.
  assert.ok(ms < graceMs / 2, `took ${Math.round(ms)} ms`);
});

test('a root that exits on SIGTERM leaving a child that ignores it: the stop resolves only once the child is gone, SIGKILLed after the grace period', async (t) => {
  const child = "process.on('SIGTERM', () => console.log('child ignores SIGTERM')); console.log('child up'); setInterval(() => {}, 60_000)";
  const root = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: ['ignore', 'inherit', 'inherit'] });
c.on('spawn', () => console.log(JSON.stringify({ child: c.pid })));
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 60_000);`;
  const { launched, output } = launchScript(t, root);
  killAfter(t, await launched.started);
  const childPid = await waitFor('the child', () => Number(/\{"child":(\d+)\}/.exec(output())?.[1]) || undefined);
  killAfter(t, childPid);
  await waitFor('the child to be up', () => output().includes('child up'));

  await launched.terminate(300);
  assert.ok(isGone(childPid), 'the child the root left behind is gone when the stop resolves');
  assert.deepEqual(await launched.exited, { code: 0, signal: null }, 'the root exited by itself');
  await waitFor('the child’s line about SIGTERM', () => output().includes('child ignores SIGTERM'));
});

/**
 * An `ollama` that is not the server itself but a wrapper around it, as snap, nix and asdf/mise
 * shims are (issue 10 §8b, §8c), launched by the real headless host through `--ollama-path`:
 * - a wrapper that runs the server as its child: stopping the host ends the whole tree, not
 *   just the wrapper;
 * - a wrapper that execs the server: after the host is killed, the next host recognises the
 *   leftover as its own by the pid file and the process identity, stops it and launches afresh,
 *   instead of adopting it as "external".
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FAKE_OLLAMA_BIN_DIR } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { HOST_WAIT_MS, Scope, commandLineOf, descendantsOf, hostEnv, isGone, readPidFile, startHost, waitFor, type HeadlessHost } from '../support/e2e-host.ts';

const SLEEPER = `${process.execPath} ${path.join(import.meta.dirname, '..', 'runner', 'fixtures', 'sleeper.ts')}`;
const FAKE_OLLAMA = path.join(FAKE_OLLAMA_BIN_DIR, 'ollama');

/**
 * A shell-script `ollama` that runs the double: `exec`ing it, or as its child (then the shell
 * waits). The exec wrapper sends the server's log to a file, as wrappers that run it as a service
 * do: a leftover still writing to a killed host's pipe would die of EPIPE at its next log line
 * (the real one of SIGPIPE), and there would be no leftover to recognise.
 */
function writeWrapper(dir: string, mode: 'exec' | 'child'): string {
  const file = path.join(dir, 'ollama');
  const run = mode === 'exec' ? `exec "${FAKE_OLLAMA}" "$@" 2>>"${path.join(dir, 'ollama.log')}"` : `"${FAKE_OLLAMA}" "$@"`;
  fs.writeFileSync(file, `#!/bin/sh\n${run}\n`, { mode: 0o755 });
  return file;
}

const answers = async (url: string): Promise<boolean> => {
  try {
    return (await fetch(`${url}/api/version`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
};

const launchedLine = (host: HeadlessHost) =>
  host.waitForLine('Ollama launched by the host', (line) => / \[app\] Ollama \S+ running at .*, launched by this app \(pid \d+\)$/.test(line));

test('a wrapper that runs ollama serve as its child: SIGTERM to the host stops the whole tree', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const wrapper = writeWrapper(scope.tempDir(), 'child');
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ollama-path', wrapper, '--runner-command', SLEEPER, '--user-data-dir', userDataDir], env);
  await launchedLine(host);
  const wrapperPid = readPidFile(userDataDir, 'ollama.pid')!;
  scope.killAtEnd(wrapperPid);
  const server = await waitFor(
    'the real server under the wrapper',
    () => descendantsOf(wrapperPid).find((pid) => commandLineOf(pid).includes(FAKE_OLLAMA)),
    HOST_WAIT_MS,
  );
  scope.killAtEnd(server);
  assert.ok(await answers(`http://127.0.0.1:${port}`));

  const started = descendantsOf(host.pid);
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
  assert.ok(isGone(wrapperPid), 'the wrapper is gone');
  assert.ok(isGone(server), 'and so is the server it ran');
  for (const pid of started) assert.ok(isGone(pid), `process ${pid} is gone`);
  assert.equal(await answers(`http://127.0.0.1:${port}`), false, 'nothing answers at the port any more');
});

test('a wrapper that execs ollama serve: the next host stops the leftover of a killed one, by identity, and launches its own', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const wrapper = writeWrapper(scope.tempDir(), 'exec');
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const args = ['--ollama-path', wrapper, '--runner-command', SLEEPER, '--user-data-dir', userDataDir];

  const first = startHost(scope, args, env);
  await launchedLine(first);
  const leftover = readPidFile(userDataDir, 'ollama.pid')!;
  scope.killAtEnd(leftover);
  assert.ok(!commandLineOf(leftover).includes(wrapper), `after exec, the argv names the real binary, not the wrapper: ${commandLineOf(leftover).join(' ')}`);
  const firstRunner = readPidFile(userDataDir, 'runner.pid');
  if (firstRunner !== undefined) scope.killAtEnd(firstRunner);
  assert.deepEqual(await first.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  assert.ok(!isGone(leftover) && (await answers(`http://127.0.0.1:${port}`)), 'the server outlived the killed host');

  const second = startHost(scope, args, env);
  const line = await launchedLine(second);
  const relaunched = readPidFile(userDataDir, 'ollama.pid')!;
  scope.killAtEnd(relaunched);
  assert.ok(isGone(leftover), 'the leftover was stopped');
  assert.notEqual(relaunched, leftover);
  assert.ok(line.endsWith(`(pid ${relaunched})`));
  assert.ok(!second.lines().some((text) => text.includes('already running, not started by this app')), 'the leftover was not adopted as external');

  const started = descendantsOf(second.pid);
  assert.deepEqual(await second.stop('SIGTERM'), { code: 0, signal: null }, second.stdout);
  for (const pid of [relaunched, ...started]) assert.ok(isGone(pid), `process ${pid} is gone`);
});

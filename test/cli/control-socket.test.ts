/**
 * The control socket the `stigmer` command reaches a running app through, served by the real
 * headless host: owner-only, a stale socket left by a crash replaced, the contract's commands and
 * their failures, and lines that break the framing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { ControlClient, CommandFailed, NoAppRunning } from '../../src/main/control-socket/client.ts';
import { controlSocketPath } from '../../src/main/control-socket/socket-path.ts';
import { CONTROL_MAX_LINE_BYTES } from '../../src/shared/control-socket.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { Scope, hostEnv, startHost, waitFor, HOST_WAIT_MS } from '../support/e2e-host.ts';

/** A socket file with nothing behind it, as an app killed with SIGKILL leaves it. */
function leaveStaleSocket(socketPath: string): void {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  const script = `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`;
  spawnSync(process.execPath, ['-e', script]);
  assert.ok(fs.lstatSync(socketPath).isSocket(), 'the killed server left its socket file');
}

/** Sends raw lines and collects the replies, until `count` lines came back or the app closed the connection. */
function exchange(socketPath: string, text: string, count: number): Promise<{ replies: unknown[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let received = '';
    const done = (closed: boolean) => {
      socket.destroy();
      resolve({
        replies: received
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as unknown),
        closed,
      });
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.split('\n').length - 1 >= count) done(false);
    });
    socket.on('close', () => done(true));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? done(true) : reject(error)));
    socket.write(text);
  });
}

test('the socket path: run/control.sock under the folder; on Windows a named pipe per folder', () => {
  assert.equal(controlSocketPath('/home/ada/.config/Stigmer Desktop', 'linux'), '/home/ada/.config/Stigmer Desktop/run/control.sock');
  const pipe = controlSocketPath('C:\\Users\\Ada\\AppData\\Roaming\\Stigmer Desktop', 'win32');
  assert.match(pipe, /^\\\\\.\\pipe\\stigmer-control-[0-9a-f]{32}$/);
  assert.equal(controlSocketPath('c:\\users\\ada\\appdata\\roaming\\stigmer desktop', 'win32'), pipe, 'Windows paths are case-insensitive');
  assert.notEqual(controlSocketPath('C:\\Users\\Ada\\other', 'win32'), pipe);
});

test('a stale socket left by a crashed app is replaced; the new one is owner-only and answers the contract', async (t) => {
  const scope = new Scope(t);
  const ollama = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => ollama.close());
  const userDataDir = scope.tempDir();
  const socketPath = controlSocketPath(userDataDir);
  leaveStaleSocket(socketPath);
  await assert.rejects(ControlClient.connect(socketPath), NoAppRunning, 'nothing answers on it');

  const host = startHost(scope, ['--user-data-dir', userDataDir], hostEnv(scope, { ollamaHost: ollama.url }));
  const client = await waitFor('the host to answer on its socket', () => ControlClient.connect(socketPath).catch(() => undefined), HOST_WAIT_MS);
  scope.defer(() => client.close());
  assert.equal(fs.statSync(socketPath).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(socketPath)).mode & 0o777, 0o700);
  assert.ok(!host.stdout.includes('cannot reach this app'), host.stdout);

  const state = await client.request('state:get', {});
  assert.deepEqual([state.host, state.config.provider.value], ['headless', 'ollama']);
  await assert.rejects(client.request('keys:set', { provider: 'anthropic', key: '' }), (error: unknown) => {
    assert.ok(error instanceof CommandFailed);
    assert.match(error.message, /^Invalid payload for "keys:set": key: /);
    return true;
  });

  // Lines that break the framing get an answer with no id, and the connection goes on.
  const { replies, closed } = await exchange(
    socketPath,
    'not json\n{"id": 1}\n{"id": 2, "command": "no:such", "payload": {}}\n{"id": 3, "command": "state:get", "payload": {}}\n',
    4,
  );
  assert.equal(closed, false);
  assert.deepEqual(
    replies.map((reply) => {
      const { id, ok, error } = reply as { id: number | null; ok: boolean; error?: { message: string } };
      return [id, ok, error?.message.slice(0, 32)];
    }),
    [
      [null, false, 'The app received a line that is '],
      [1, false, 'A line must be {"id": number, "c'],
      [2, false, 'Unknown command "no:such". Known'],
      [3, true, undefined],
    ],
  );
  const oversized = await exchange(socketPath, `${'x'.repeat(CONTROL_MAX_LINE_BYTES + 10)}\n`, 2);
  assert.equal(oversized.closed, true, 'a line over the limit ends the connection');

  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stderr);
  assert.equal(fs.existsSync(socketPath), false, 'the host removes its socket as it stops');
});

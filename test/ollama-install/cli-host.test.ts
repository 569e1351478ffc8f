/**
 * Journey: on a machine without Ollama, the real headless host offers "Install Ollama" on its
 * no-Ollama problem, and `stigmer ollama install` (over the control socket, the same command the
 * window and the tray run) installs it from a loopback release server with progress on the
 * terminal; the app then runs it. `stigmer ollama update` replaces it with a newer release.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { runCli } from '../../src/main/cli/main.ts';
import { ControlClient } from '../../src/main/control-socket/client.ts';
import { controlSocketPath } from '../../src/main/control-socket/socket-path.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import { Scope, hostEnv, startHost, waitFor, HOST_WAIT_MS } from '../support/e2e-host.ts';
import { freePort } from '../ollama/support.ts';
import { buildArchive, startReleaseServer } from './release-server.ts';

/** Runs one `stigmer` command line in this process, its stderr a terminal (so progress is drawn). */
async function stigmer(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const code = await runCli(args, { stdin: Object.assign(new PassThrough(), { isTTY: false }) as never, stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

test(
  'stigmer ollama install installs Ollama through the running app, which then runs it; update replaces it',
  { skip: process.platform === 'win32' },
  async (t) => {
    const scope = new Scope(t);
    const releases = await startReleaseServer(t);
    const work = scope.tempDir('stigmer-ollama-cli-');
    releases.publish('0.14.2', buildArchive(work, '0.14.2'));
    const userDataDir = scope.tempDir();
    const env = hostEnv(scope, {
      ollamaHost: `127.0.0.1:${await freePort()}`,
      extra: { PATH: [path.dirname(process.execPath), '/usr/bin', '/bin'].join(':'), STIGMER_OLLAMA_RELEASES_URL: releases.url },
    });
    startHost(scope, ['--user-data-dir', userDataDir, '--llm-provider', 'ollama'], env);
    const client = await waitFor(
      'the host to answer on its socket',
      () => ControlClient.connect(controlSocketPath(userDataDir)).catch(() => undefined),
      HOST_WAIT_MS,
    );
    scope.defer(() => client.close());
    const state = (): Promise<AppState> => client.request('state:get', {});

    const missing = await waitFor('the no-Ollama problem', async () => (await state()).problems.find((problem) => problem.id === 'ollama:not-installed'));
    assert.deepEqual(missing.actions[0], { kind: 'install-ollama', label: 'Install Ollama' });

    const installed = await stigmer(['ollama', 'install', '--user-data-dir', userDataDir]);
    const binary = path.join(userDataDir, 'ollama', '0.14.2', 'bin', 'ollama');
    assert.equal(installed.stdout, `Installed Ollama 0.14.2 at ${binary}; the app runs it.\n`, installed.stderr);
    assert.equal(installed.code, 0);
    assert.match(installed.stderr, /\r\x1b\[2KOllama 0\.14\.2: downloading, 100% /, 'progress was drawn on the terminal');
    const running = await state();
    assert.deepEqual(running.ollama.server, { phase: 'running', owner: 'managed' });
    assert.deepEqual(running.ollama.binary, { path: binary, source: 'app-installed', version: '0.14.2' });
    assert.equal(
      running.problems.find((problem) => problem.id.startsWith('ollama:')),
      undefined,
      'no Ollama problem is left',
    );

    releases.publish('0.14.3', buildArchive(work, '0.14.3'));
    const check = await stigmer(['ollama', 'check', '--user-data-dir', userDataDir]);
    assert.match(check.stdout, /This app's Ollama 0\.14\.2 \(.*\) can be updated to 0\.14\.3\./);
    const offered = await state();
    assert.deepEqual(offered.problems.find((problem) => problem.id === 'ollama:update:0.14.3')?.actions, [{ kind: 'install-ollama', label: 'Update Ollama' }]);

    const updated = await stigmer(['ollama', 'update', '--user-data-dir', userDataDir]);
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, /^Updated Ollama from 0\.14\.2 to 0\.14\.3 \(.*0\.14\.3\/bin\/ollama\); the app restarted it\.\n$/);
    assert.equal((await state()).ollama.serverVersion, '0.14.3');
    assert.equal((await stigmer(['ollama', 'frobnicate', '--user-data-dir', userDataDir])).code, 2);
  },
);

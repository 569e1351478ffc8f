/**
 * The packaged desktop app offers the `stigmer` command (issue 23 §1): Settings › "Install the
 * stigmer command" writes ~/.local/bin/stigmer, says that the folder is not on this PATH, and the
 * installed command (which starts the app's own executable in command mode, as the double plays
 * it) steers the running app and reports through the core's diagnostics.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { DOUBLE_ENV } from '../doubles/electron/options.ts';
import { freePort } from '../ollama/support.ts';
import { DESKTOP_WAIT_MS, packagedExecutable, packagedResources, startDesktopHost } from '../support/desktop-host.ts';
import { Scope, hostEnv, setUpProfile, waitFor } from '../support/e2e-host.ts';

/** Runs the installed command as a terminal would; resolves with its exit code and output, whatever the code. */
async function stigmer(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { env, timeout: DESKTOP_WAIT_MS });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

test('Settings installs the stigmer command, says ~/.local/bin is not on PATH, and the installed command steers the running app', async (t) => {
  const scope = new Scope(t);
  const resources = packagedResources(scope);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
  });
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const hostedEnv = { ...env, [DOUBLE_ENV.exe]: packagedExecutable(scope, resources) };
  const host = await startDesktopHost(scope, ['--user-data-dir', userDataDir], hostedEnv, { packagedResources: resources });
  await host.waitForLine('the built-in runner to be ready', (line) => /Runner ready: ollama llama3\.2/.test(line));

  const page = await host.page();
  await page.evaluate(() => (window.location.hash = '#/settings'));
  await page.getByRole('button', { name: 'Install the stigmer command' }).click();
  const installed = path.join(env.HOME!, '.local', 'bin', 'stigmer');
  const message = await waitFor('the install to be reported', async () => page.getByTestId('command-install-result').textContent(), DESKTOP_WAIT_MS);
  assert.match(message, new RegExp(`Installed the stigmer command at ${installed}\\.`));
  assert.match(message, /\.local\/bin is not on your PATH/, 'hostEnv keeps ~/.local/bin off PATH');
  assert.ok(fs.statSync(installed).mode & 0o100, 'executable');

  // A second terminal: the command reaches the app running for the folder, over its control socket.
  const status = await stigmer(installed, ['status', '--user-data-dir', userDataDir], env);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^App:\s+desktop$/m);
  assert.match(status.stdout, /^Provider:\s+ollama\s+\(settings\)$/m);
  assert.match(status.stdout, /^Model:\s+llama3\.2\b/m);
  assert.match(status.stdout, /^Runner:\s+running/m);

  // `config` goes through the core's diagnostics service in the desktop host, as `--print-config` does headless.
  const config = await stigmer(installed, ['config', '--user-data-dir', userDataDir], env);
  assert.equal(config.code, 0, config.stderr);
  const document = JSON.parse(config.stdout) as { provider: { value: string; source: string } };
  assert.deepEqual(document.provider, { ...document.provider, value: 'ollama', source: 'settings' });

  // The command mode never takes the app's place: the running app is untouched and still answers.
  assert.equal(host.running, true);
  assert.deepEqual(await host.quit(), { code: 0, signal: null });
  const gone = await stigmer(installed, ['status', '--user-data-dir', userDataDir], env);
  assert.equal(gone.code, 3, 'no app running');
  assert.match(gone.stderr, /no Stigmer app is running for /);
  assert.deepEqual(host.violations(), []);
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { defaultSettings } from '../../src/shared/settings.ts';
import { FAKE_OLLAMA_BIN_DIR } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { runHeadlessCli, tempDir } from '../support/headless.ts';
import { CLOUD_KEY, createApp, faultEnv, fixtureRunner, isGone, killAfter, startHeadless, waitFor } from './support.ts';

const SLEEPER = fixtureRunner('runner/fixtures/sleeper.ts');
const runnerPidIn = (stdout: string, nth = 0) => {
  const match = [...stdout.matchAll(/Runner running: started \(pid (\d+)\)/g)][nth];
  return match ? Number(match[1]) : undefined;
};
const backupsOf = (dir: string) => fs.readdirSync(dir).filter((name) => name.startsWith('settings.json.corrupt-'));

test('a truncated settings file is kept as a backup, defaults are used, the host says so and runs', async (t) => {
  const dir = tempDir(t, 'stigmer-fault-');
  const truncated = '{"version":1,"provider":"anthropic","providers":{"anthropic":{"model":"claude-son';
  fs.writeFileSync(path.join(dir, 'settings.json'), truncated);
  const host = startHeadless(t, ['--user-data-dir', dir, '--runner-command', SLEEPER], faultEnv(dir, CLOUD_KEY));
  const pid = await waitFor('the runner', () => runnerPidIn(host.stdout()));
  killAfter(t, pid);
  const [backup] = backupsOf(dir);
  assert.ok(backup, 'a backup was made');
  assert.equal(fs.readFileSync(path.join(dir, backup), 'utf8'), truncated, 'the backup holds the file exactly as it was');
  assert.ok(
    host
      .stdout()
      .includes(
        `Settings file ${path.join(dir, 'settings.json')} was invalid (the file is not valid JSON); it was kept as ${path.join(dir, backup)} and defaults are in use.`,
      ),
    host.stdout(),
  );
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')), defaultSettings());
  host.child.kill('SIGTERM');
  assert.deepEqual(await host.exited, { code: 0, signal: null });
});

test('"provider":"olama" in the settings: the host resets that field only, keeps the saved model and setup, backs up once and runs', async (t) => {
  const dir = tempDir(t, 'stigmer-fault-');
  const file = path.join(dir, 'settings.json');
  const settings = defaultSettings();
  settings.providers.anthropic.model = 'claude-haiku-5-5';
  settings.firstRunCompleted = true;
  const content = JSON.stringify({ ...settings, provider: 'olama' });
  fs.writeFileSync(file, content);
  const host = startHeadless(t, ['--user-data-dir', dir, '--runner-command', SLEEPER], faultEnv(dir, CLOUD_KEY));
  const pid = await waitFor('the runner', () => runnerPidIn(host.stdout()));
  killAfter(t, pid);
  assert.match(
    host.stdout(),
    /Settings file .*: an invalid setting was reset to the default: provider was "olama" .*Every other setting is kept; the original file was kept as /,
  );
  assert.match(host.stdout(), /model claude-haiku-5-5 \(settings\)/, 'the saved model is used');
  const [backup] = backupsOf(dir);
  assert.equal(fs.readFileSync(path.join(dir, backup!), 'utf8'), content);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), settings, 'the repaired file keeps everything else');
  host.child.kill('SIGTERM');
  assert.deepEqual(await host.exited, { code: 0, signal: null });
});

test('settings with wrong types: --print-config and --doctor name the fields, keep the rest, and never write the file', async (t) => {
  const dir = tempDir(t, 'stigmer-fault-');
  const file = path.join(dir, 'settings.json');
  const settings = defaultSettings();
  settings.providers.ollama.model = 'qwen2.5:7b';
  settings.firstRunCompleted = true;
  const wrong = JSON.stringify({ ...settings, provider: 42, startAtLogin: 'yes' });
  fs.writeFileSync(file, wrong);
  const printed = await runHeadlessCli(['--print-config', '--user-data-dir', dir], faultEnv(dir));
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(
    printed.stderr,
    new RegExp(
      `warning: Settings file ${file.replaceAll('.', '\\.')}: 2 invalid settings were reset to the default: provider was 42 .*; startAtLogin was "yes" .*This command only reads, so the file is left as it is\\.`,
    ),
  );
  assert.deepEqual(JSON.parse(printed.stdout).model, { value: 'qwen2.5:7b', source: 'settings', pinned: false }, 'the valid saved model is kept');
  const doctor = await runHeadlessCli(['--doctor', '--json', '--user-data-dir', dir], faultEnv(dir));
  assert.match(doctor.stderr, /provider was 42/);
  assert.equal(fs.readFileSync(file, 'utf8'), wrong, 'the file is exactly as it was');
  assert.deepEqual(backupsOf(dir), [], 'a read-only command makes no backup either');
});

test('an unusable user-data folder: the host runs its runner, says logs and pid files cannot be written, and a settings change fails clearly', async (t) => {
  const parent = tempDir(t, 'stigmer-fault-');
  fs.writeFileSync(path.join(parent, 'a-file'), 'not a folder');
  // A path below a regular file fails for root too (ENOTDIR), unlike a chmod.
  const dir = path.join(parent, 'a-file', 'user-data');
  const host = startHeadless(t, ['--user-data-dir', dir, '--runner-command', SLEEPER], faultEnv(parent, CLOUD_KEY));
  const pid = await waitFor('the runner', () => runnerPidIn(host.stdout()));
  killAfter(t, pid);
  await waitFor('the log file error', () => host.stdout().includes(`Cannot write the runner log file ${path.join(dir, 'logs', 'runner.log')}: ENOTDIR`));
  assert.ok(host.stdout().includes(`ready ${pid}`), 'runner lines still reach the terminal');
  assert.match(host.stdout(), /its pid file could not be written \(Error: ENOTDIR[^)]*\), so it cannot be found if the app is killed/);
  host.child.kill('SIGTERM');
  assert.deepEqual(await host.exited, { code: 0, signal: null });

  const app = createApp({ userDataDir: dir, argv: ['--runner-command', SLEEPER], env: faultEnv(parent, CLOUD_KEY), runnerAutoStart: 'after-setup' });
  t.after(() => app.close());
  await app.core.start();
  await assert.rejects(app.core.execute('config:set-provider', { provider: 'openai' }), (error: Error & { fix?: string }) => {
    assert.match(error.message, new RegExp(`Settings not saved to ${path.join(dir, 'settings.json')}: ENOTDIR`));
    assert.match(error.fix ?? '', /writable/);
    return true;
  });
  assert.equal(app.core.getState().config.provider.value, 'anthropic', 'nothing changed');
});

test('a log file that cannot be written (disk full): the host keeps running and says so', async (t) => {
  const dir = tempDir(t, 'stigmer-fault-');
  fs.mkdirSync(path.join(dir, 'logs'));
  fs.symlinkSync('/dev/full', path.join(dir, 'logs', 'runner.log'));
  const host = startHeadless(t, ['--user-data-dir', dir, '--runner-command', SLEEPER], faultEnv(dir, CLOUD_KEY));
  const pid = await waitFor('the runner', () => runnerPidIn(host.stdout()));
  killAfter(t, pid);
  await waitFor('the disk-full error', () =>
    host.stdout().includes(`ERROR [app] Cannot write the runner log file ${path.join(dir, 'logs', 'runner.log')}: ENOSPC: no space left on device`),
  );
  assert.match(host.stdout(), /free disk space or make the folder writable/);
  assert.ok(host.stdout().includes(`ready ${pid}`), 'the runner line is still shown');
  await waitFor('the app log, on a working file, to record it', () =>
    fs.readFileSync(path.join(dir, 'logs', 'app.log'), 'utf8').includes('Cannot write the runner log file'),
  );
  host.child.kill('SIGTERM');
  assert.deepEqual(await host.exited, { code: 0, signal: null });
});

test('after the host is SIGKILLed, the next start ends the orphaned runner and Ollama and keeps the settings', async (t) => {
  const dir = tempDir(t, 'stigmer-fault-');
  const saved = { ...defaultSettings(), providers: { ...defaultSettings().providers, ollama: { model: 'kept-model:7b' } }, firstRunCompleted: true };
  const settingsText = `${JSON.stringify(saved, null, '\t')}\n`;
  fs.writeFileSync(path.join(dir, 'settings.json'), settingsText);
  const env = { ...faultEnv(dir), PATH: `${FAKE_OLLAMA_BIN_DIR}:${process.env.PATH}`, OLLAMA_HOST: `127.0.0.1:${await freePort()}` };
  const args = ['--user-data-dir', dir, '--runner-command', SLEEPER];
  const ollamaPid = () => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dir, 'run', 'ollama.pid'), 'utf8')) as { pid: number }).pid;
    } catch {
      return undefined;
    }
  };

  const first = startHeadless(t, args, env);
  const orphanRunner = await waitFor('the first runner', () => runnerPidIn(first.stdout()));
  killAfter(t, orphanRunner);
  const orphanOllama = await waitFor('the managed Ollama', () => ollamaPid());
  killAfter(t, orphanOllama);
  // Once it has printed, the runner writes nothing more, so the pipe the dead host leaves behind cannot end it (EPIPE).
  await waitFor('the runner to be ready', () => first.stdout().includes(`ready ${orphanRunner}`));
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(!isGone(orphanRunner) && !isGone(orphanOllama), 'both outlived the killed host');

  const second = startHeadless(t, args, env);
  const runner = await waitFor('the next runner', () => runnerPidIn(second.stdout()));
  killAfter(t, runner);
  assert.match(second.stdout(), new RegExp(`ended runner ${orphanRunner} left over from a previous run`));
  assert.ok(isGone(orphanRunner), 'the orphaned runner is gone');
  const relaunched = await waitFor('a new managed Ollama', () => ollamaPid() !== orphanOllama && ollamaPid());
  killAfter(t, relaunched);
  assert.ok(isGone(orphanOllama), 'the orphaned ollama serve is gone');
  assert.match(second.stdout(), /model kept-model:7b \(settings\)/);
  assert.equal(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'), settingsText, 'the settings file is untouched');
  second.child.kill('SIGTERM');
  assert.deepEqual(await second.exited, { code: 0, signal: null });
  assert.ok(isGone(relaunched) && isGone(runner));
});

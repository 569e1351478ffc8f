/**
 * The `stigmer` launcher the desktop app installs: it starts the app's executable in command mode
 * with the user's arguments exactly, says whether a terminal will find it, and never replaces a
 * `stigmer` it did not write.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ForeignCommand, installedMessage, launcherPlan, writeLauncher, type LauncherPlan } from '../../src/main/install/command-launcher.ts';
import { dispatchCommand } from '../../src/shared/dispatch.ts';
import { createApp } from '../faults/support.ts';
import { freePort } from '../ollama/support.ts';
import { cleanEnv, tempDir } from '../support/headless.ts';

type Script = Extract<LauncherPlan, { kind: 'script' }>;

function scriptPlan(home: string, executable: string, pathVariable = '/usr/bin:/bin'): Script {
  const plan = launcherPlan({ platform: 'linux', executable, home, pathVariable });
  assert.equal(plan.kind, 'script');
  return plan;
}

test('the launcher runs the app with --cli and the arguments as typed, whatever the app path holds', (t) => {
  const root = tempDir(t);
  // An app folder with a space and a quote, as "/opt/Stigmer Desktop" or a user's own folder may be.
  const appDir = path.join(root, "Stigmer Desktop's app");
  fs.mkdirSync(appDir);
  const executable = path.join(appDir, 'stigmer-desktop');
  fs.writeFileSync(executable, '#!/bin/sh\nfor argument in "$@"; do printf "<%s>" "$argument"; done\n', { mode: 0o755 });
  const home = path.join(root, 'home');
  const plan = scriptPlan(home, executable);

  writeLauncher(plan);

  assert.equal(plan.file, path.join(home, '.local', 'bin', 'stigmer'));
  assert.equal(fs.statSync(plan.file).mode & 0o777, 0o755);
  const printed = execFileSync(plan.file, ['use', 'openai', '--model', 'gpt 5; rm -rf ~', '$HOME'], { encoding: 'utf8' });
  assert.equal(printed, '<--cli><use><openai><--model><gpt 5; rm -rf ~><$HOME>');
});

test('whether a terminal finds the command: ~/.local/bin on PATH, or the line to add to the shell profile', () => {
  const home = '/home/ada';
  const onPath = scriptPlan(home, '/opt/Stigmer Desktop/stigmer-desktop', '/usr/bin:/home/ada/.local/bin/:/bin');
  assert.equal(onPath.onPath, true);
  assert.equal(installedMessage(onPath), 'Installed the stigmer command at /home/ada/.local/bin/stigmer. Open a new terminal and run stigmer status.');

  const offPath = scriptPlan(home, '/opt/Stigmer Desktop/stigmer-desktop', '/usr/bin:/bin');
  assert.equal(offPath.onPath, false);
  assert.match(installedMessage(offPath), /\/home\/ada\/\.local\/bin is not on your PATH/);
  assert.match(installedMessage(offPath), /export PATH="\$HOME\/\.local\/bin:\$PATH"/);
  assert.match(installedMessage(offPath), /run \/home\/ada\/\.local\/bin\/stigmer status by its full path/);
});

test("a stigmer the app did not write (an npm link) is left alone; the app's own launcher is replaced when the app moved", (t) => {
  const home = tempDir(t);
  const first = scriptPlan(home, '/opt/old/stigmer-desktop');
  fs.mkdirSync(first.binDir, { recursive: true });
  fs.symlinkSync('/usr/lib/node_modules/stigmer-desktop/bin/stigmer.js', first.file);

  assert.throws(() => writeLauncher(first), ForeignCommand);
  assert.equal(fs.readlinkSync(first.file), '/usr/lib/node_modules/stigmer-desktop/bin/stigmer.js', 'the link is untouched');

  fs.rmSync(first.file);
  writeLauncher(first);
  const moved = scriptPlan(home, '/opt/new/stigmer-desktop');
  writeLauncher(moved);
  assert.match(fs.readFileSync(moved.file, 'utf8'), /^exec '\/opt\/new\/stigmer-desktop' --cli "\$@"$/m);
  assert.deepEqual(fs.readdirSync(first.binDir), ['stigmer'], 'no temporary file is left');
});

test('Windows is not offered yet, and says what to use instead', () => {
  const plan = launcherPlan({
    platform: 'win32',
    executable: 'C:\\Program Files\\Stigmer Desktop\\Stigmer Desktop.exe',
    home: 'C:\\Users\\ada',
    pathVariable: '',
  });
  assert.equal(plan.kind, 'unsupported');
  assert.match(plan.kind === 'unsupported' ? plan.fix : '', /npm install -g \./);
});

test('the headless host has no command to install, and says where stigmer comes from there', async (t) => {
  const app = createApp({ userDataDir: tempDir(t), env: cleanEnv({ OLLAMA_HOST: `127.0.0.1:${await freePort()}` }), runnerAutoStart: 'after-setup' });
  t.after(() => app.close());
  await app.core.prepare();

  const reply = await dispatchCommand('app:install-command', {}, app.core.execute);

  assert.deepEqual(reply, {
    ok: false,
    error: {
      command: 'app:install-command',
      message: 'The headless host has no command to install: it is the stigmer command already.',
      fix: 'From a clone, npm install -g . puts stigmer on your PATH.',
    },
  });
});

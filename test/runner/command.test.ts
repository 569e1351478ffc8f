import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  BUILT_IN_RUNNER_ENTRY,
  locateRunnerExecutable,
  resolveControlChannel,
  resolveRunnerCommand,
  type RunnerCommand,
} from '../../src/main/runner/command.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { tempDir } from '../support/headless.ts';

const settingsWith = (command?: string) => ({ runner: command === undefined ? {} : { command } });

test('the runner command comes from the flag, then STIGMER_RUNNER_COMMAND, then the saved setting, then the built-in runner', () => {
  const all = { flag: 'flag-runner --a', env: { STIGMER_RUNNER_COMMAND: 'env-runner --b' }, settings: settingsWith('saved-runner --c') };
  const pick = (inputs: Parameters<typeof resolveRunnerCommand>[0]) => {
    const result = resolveRunnerCommand(inputs);
    assert.ok(result.ok);
    return result.command;
  };
  assert.deepEqual(pick(all), { argv: ['flag-runner', '--a'], source: 'flag:--runner-command', builtIn: false });
  assert.deepEqual(pick({ ...all, flag: '   ' }), { argv: ['env-runner', '--b'], source: 'env:STIGMER_RUNNER_COMMAND', builtIn: false });
  assert.deepEqual(pick({ ...all, flag: undefined, env: { STIGMER_RUNNER_COMMAND: '' } }), {
    argv: ['saved-runner', '--c'],
    source: 'settings',
    builtIn: false,
  });
  assert.deepEqual(pick({ env: {}, settings: defaultSettings() }), {
    argv: [process.execPath, BUILT_IN_RUNNER_ENTRY],
    source: 'default',
    builtIn: true,
  });
  assert.ok(fs.existsSync(BUILT_IN_RUNNER_ENTRY), 'the built-in runner is where the default points');
});

test('the control channel is off unless --runner-control-channel or STIGMER_RUNNER_CONTROL_CHANNEL turns it on; a bad value names the variable', () => {
  const custom = (inputs: Partial<Parameters<typeof resolveRunnerCommand>[0]>) =>
    resolveRunnerCommand({ flag: 'worker', env: {}, settings: settingsWith(), ...inputs });
  const channelOf = (result: ReturnType<typeof resolveRunnerCommand>) => (result.ok ? (result.command.controlChannel ?? false) : result.error.message);
  assert.equal(channelOf(custom({})), false);
  assert.equal(channelOf(custom({ controlChannelFlag: true })), true);
  assert.equal(channelOf(custom({ env: { STIGMER_RUNNER_CONTROL_CHANNEL: ' Yes ' } })), true);
  assert.equal(channelOf(custom({ env: { STIGMER_RUNNER_CONTROL_CHANNEL: '0' } })), false);
  assert.equal(channelOf(custom({ controlChannelFlag: true, env: { STIGMER_RUNNER_CONTROL_CHANNEL: 'off' } })), true, 'the flag wins');
  assert.equal(
    channelOf(custom({ env: { STIGMER_RUNNER_CONTROL_CHANNEL: 'maybe' } })),
    'STIGMER_RUNNER_CONTROL_CHANNEL="maybe" is not one of 1, true, yes, on, 0, false, no, off',
  );
  // The built-in runner has its own channel (Node's IPC) whatever the switch says.
  const builtIn = resolveRunnerCommand({ env: { STIGMER_RUNNER_CONTROL_CHANNEL: '1' }, settings: settingsWith() });
  assert.ok(builtIn.ok && builtIn.command.builtIn && builtIn.command.controlChannel === undefined);
});

test('the saved control-channel setting sits under the flag and the environment, each answer with its source', () => {
  const saved = (controlChannel: boolean | undefined) => ({ runner: { command: 'worker', ...(controlChannel === undefined ? {} : { controlChannel }) } });
  const pick = (inputs: Parameters<typeof resolveControlChannel>[0]) => {
    const result = resolveControlChannel(inputs);
    assert.ok(result.ok);
    return result.value;
  };
  assert.deepEqual(pick({ env: {}, settings: saved(undefined) }), { enabled: false, source: 'default' });
  assert.deepEqual(pick({ env: {}, settings: saved(true) }), { enabled: true, source: 'settings' });
  assert.deepEqual(pick({ env: { STIGMER_RUNNER_CONTROL_CHANNEL: '  ' }, settings: saved(true) }), { enabled: true, source: 'settings' }, 'blank is unset');
  assert.deepEqual(pick({ env: { STIGMER_RUNNER_CONTROL_CHANNEL: '0' }, settings: saved(true) }), {
    enabled: false,
    source: 'env:STIGMER_RUNNER_CONTROL_CHANNEL',
  });
  assert.deepEqual(pick({ controlChannelFlag: true, env: { STIGMER_RUNNER_CONTROL_CHANNEL: 'off' }, settings: saved(false) }), {
    enabled: true,
    source: 'flag:--runner-control-channel',
  });
  // What the runner is started with follows the same answer.
  const started = resolveRunnerCommand({ env: {}, settings: saved(true) });
  assert.ok(started.ok && started.command.controlChannel === true && started.command.source === 'settings');
});

test("the command string is split by execa's parser, with no shell: quotes and $ stay literal, a backslash escapes a space", () => {
  const result = resolveRunnerCommand({ flag: String.raw`/opt/my\ runner/run --name "two words" $HOME;rm`, env: {}, settings: settingsWith() });
  assert.ok(result.ok);
  assert.deepEqual(result.command.argv, ['/opt/my runner/run', '--name', '"two', 'words"', '$HOME;rm']);
});

test('the executable is found on the runner PATH, or named with the input and the fix when it cannot run', (t) => {
  const dir = tempDir(t);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'good-runner'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'plain-file'), 'not a program', { mode: 0o644 });
  const command = (file: string, source: RunnerCommand['source'] = 'flag:--runner-command'): RunnerCommand => ({ argv: [file], source, builtIn: false });
  const locate = (file: string, source?: RunnerCommand['source']) =>
    locateRunnerExecutable(command(file, source), { cwd: dir, env: { PATH: `/nonexistent:${bin}` } });

  assert.deepEqual(locate('good-runner'), { ok: true, path: path.join(bin, 'good-runner') });
  assert.deepEqual(locate('./bin/good-runner'), { ok: true, path: path.join(bin, 'good-runner') });

  const errorOf = (result: ReturnType<typeof locate>) => {
    assert.ok(!result.ok);
    return result.error;
  };
  assert.deepEqual(errorOf(locate('no-such-runner')), {
    message: 'runner command "no-such-runner" (from --runner-command) was not found on PATH',
    fix: 'install it, or give its full path: change --runner-command',
  });
  assert.deepEqual(errorOf(locate('plain-file', 'settings')), {
    message: `runner command "plain-file" (from the runner command in Settings) was found at ${path.join(bin, 'plain-file')} but is not executable`,
    fix: `make it executable (chmod +x ${path.join(bin, 'plain-file')}), or change the runner command in Settings`,
  });
  assert.match(errorOf(locate('./bin/plain-file')).message, /"\.\/bin\/plain-file" \(from --runner-command\) is not executable/);
  assert.match(errorOf(locate('./bin')).message, /is a folder, not a program/);
  assert.deepEqual(errorOf(locate('./missing/runner', 'env:STIGMER_RUNNER_COMMAND')), {
    message: `runner command "./missing/runner" (from STIGMER_RUNNER_COMMAND) does not exist (looked for ${path.join(dir, 'missing/runner')})`,
    fix: 'check the path, or change STIGMER_RUNNER_COMMAND',
  });
});

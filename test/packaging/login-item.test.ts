import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { linuxAutostartEntry, quoteExecArgument } from '../../src/main/login-item/desktop-entry.ts';
import { autostartFilePath, setLinuxAutostart } from '../../src/main/login-item/linux-autostart.ts';
import { xdgConfigHome } from '../../src/main/profile/paths.ts';
import { LAUNCHED_AT_LOGIN_FLAG, loginItemPlan } from '../../src/main/login-item/plan.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { tempDir } from '../support/headless.ts';
import { waitFor } from '../support/processes.ts';

const DEB_BINARY = '/opt/Stigmer Desktop/stigmer-desktop';
const entryOptions = { args: [LAUNCHED_AT_LOGIN_FLAG], name: 'Stigmer Desktop', comment: 'Start in the tray', icon: 'stigmer-desktop' };

/** Key=value lines of the [Desktop Entry] group. */
function keys(entry: string): Record<string, string> {
  const [group, ...lines] = entry.trimEnd().split('\n');
  assert.equal(group, '[Desktop Entry]');
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** This file's wait has always allowed 15 s. */
const WAIT_MS = 15_000;

describe('start at login', () => {
  it('is off by default', () => {
    assert.equal(defaultSettings().startAtLogin, false);
  });
});

describe('Linux autostart entry', () => {
  it('is an application entry that desktops start at login', () => {
    assert.deepEqual(keys(linuxAutostartEntry({ ...entryOptions, execPath: DEB_BINARY })), {
      Type: 'Application',
      Version: '1.5',
      Name: 'Stigmer Desktop',
      Comment: 'Start in the tray',
      Exec: `"/opt/Stigmer Desktop/stigmer-desktop" ${LAUNCHED_AT_LOGIN_FLAG}`,
      Icon: 'stigmer-desktop',
      Terminal: 'false',
      'X-GNOME-Autostart-enabled': 'true',
      Hidden: 'false',
      NoDisplay: 'false',
    });
  });

  it('quotes Exec arguments as the Desktop Entry Specification requires', () => {
    assert.equal(quoteExecArgument('/usr/bin/stigmer-desktop'), '/usr/bin/stigmer-desktop');
    assert.equal(quoteExecArgument(''), '""');
    assert.equal(quoteExecArgument('a "b" $c `d`'), '"a \\"b\\" \\$c \\`d\\`"');
    assert.equal(quoteExecArgument('100%'), '100%%');
    // The string escaping of the whole value comes on top: a literal backslash is written as four.
    const exec = keys(linuxAutostartEntry({ ...entryOptions, execPath: '/opt/back\\slash/app' })).Exec;
    assert.equal(exec, `"/opt/back\\\\\\\\slash/app" ${LAUNCHED_AT_LOGIN_FLAG}`);
  });

  it('starts the app with exactly its arguments when launched by GLib (as GNOME does)', async (t) => {
    const gio = await promisify(execFile)('gio', ['--version']).catch(() => undefined);
    if (!gio) return t.skip('gio (GLib) is not installed here, so the entry cannot be launched for real');
    const dir = tempDir(t, 'stigmer-login-item-');
    const appDir = path.join(dir, "Stigmer Desktop (it's $HOME)");
    await fs.mkdir(appDir);
    const app = path.join(appDir, 'stigmer-desktop');
    await fs.writeFile(app, '#!/bin/sh\nprintf \'%s\\0\' "$0" "$@" > "$RECORD_ARGV.tmp" && mv "$RECORD_ARGV.tmp" "$RECORD_ARGV"\n', { mode: 0o755 });
    const args = [LAUNCHED_AT_LOGIN_FLAG, 'two words', 'quote " back\\slash', '$HOME `id` 100% ~', ''];
    const file = path.join(dir, 'entry.desktop');
    await fs.writeFile(file, linuxAutostartEntry({ ...entryOptions, execPath: app, args }));
    const record = path.join(dir, 'argv');

    await promisify(execFile)('gio', ['launch', file], { env: { ...process.env, RECORD_ARGV: record }, timeout: 20_000 });

    const argv = await waitFor('the launched app to record its argv', () => fs.readFile(record, 'utf8').catch(() => undefined), WAIT_MS);
    assert.deepEqual(argv.split('\0').slice(0, -1), [app, ...args]);
  });

  it('rejects values that cannot be written, naming the field and the fix', () => {
    assert.throws(
      () => linuxAutostartEntry({ ...entryOptions, execPath: 'stigmer-desktop' }),
      /execPath "stigmer-desktop" is not an absolute path; pass the full path/,
    );
    assert.throws(
      () => linuxAutostartEntry({ ...entryOptions, execPath: DEB_BINARY, args: ['ok', 'line\nbreak'] }),
      /args\[1\] "line\\nbreak" contains a control character; remove it/,
    );
    assert.throws(() => linuxAutostartEntry({ ...entryOptions, execPath: DEB_BINARY, name: '' }), /name is empty/);
  });
});

describe('Linux autostart file', () => {
  it('is written under $XDG_CONFIG_HOME/autostart when enabled and removed when disabled', async (t) => {
    const configHome = tempDir(t, 'stigmer-login-item-');
    const entry = linuxAutostartEntry({ ...entryOptions, execPath: DEB_BINARY });
    const file = path.join(configHome, 'autostart', 'stigmer-desktop.desktop');

    assert.equal(await setLinuxAutostart({ enabled: true, configHome, entry }), file);
    assert.equal(await fs.readFile(file, 'utf8'), entry);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o644);

    const moved = linuxAutostartEntry({ ...entryOptions, execPath: '/home/me/Apps/Stigmer.AppImage' });
    await setLinuxAutostart({ enabled: true, configHome, entry: moved });
    assert.equal(await fs.readFile(file, 'utf8'), moved);
    assert.deepEqual(await fs.readdir(path.dirname(file)), ['stigmer-desktop.desktop'], 'no temporary file is left behind');

    await setLinuxAutostart({ enabled: false, configHome, entry });
    await assert.rejects(fs.stat(file), { code: 'ENOENT' });
  });

  it('turning it off when there is no file is not an error', async (t) => {
    const configHome = tempDir(t, 'stigmer-login-item-');
    await setLinuxAutostart({ enabled: false, configHome, entry: '' });
    await assert.rejects(fs.stat(path.join(configHome, 'autostart')), { code: 'ENOENT' });
  });

  it('reports a folder it cannot write, with the path', async (t) => {
    const dir = tempDir(t, 'stigmer-login-item-');
    const configHome = path.join(dir, 'not-a-folder');
    await fs.writeFile(configHome, '');
    const file = autostartFilePath(configHome);
    await assert.rejects(setLinuxAutostart({ enabled: true, configHome, entry: 'x' }), (error: Error) => {
      assert.ok(error.message.startsWith(`Could not write the autostart entry ${file}: `), error.message);
      assert.match(error.message, /Check that the folder is writable\.$/);
      return true;
    });
  });

  it('lives in $XDG_CONFIG_HOME when it is an absolute path, else in ~/.config', () => {
    assert.equal(xdgConfigHome({ XDG_CONFIG_HOME: '/srv/me/config' }, '/home/me'), '/srv/me/config');
    assert.equal(xdgConfigHome({ XDG_CONFIG_HOME: 'relative/config' }, '/home/me'), '/home/me/.config');
    assert.equal(xdgConfigHome({ XDG_CONFIG_HOME: '  ' }, '/home/me'), '/home/me/.config');
    assert.equal(xdgConfigHome({}, '/home/me'), '/home/me/.config');
  });
});

describe('loginItemPlan', () => {
  it('registers a macOS login item through Electron', () => {
    for (const enabled of [true, false]) {
      assert.deepEqual(loginItemPlan({ platform: 'darwin', enabled, execPath: '/Applications/Stigmer Desktop.app/Contents/MacOS/Stigmer Desktop' }), {
        kind: 'electron-login-item',
        settings: { openAtLogin: enabled },
      });
    }
  });

  it('registers the same Windows executable and flag when turning on and off', () => {
    const execPath = 'C:\\Users\\me\\AppData\\Local\\Programs\\stigmer-desktop\\Stigmer Desktop.exe';
    for (const enabled of [true, false]) {
      assert.deepEqual(loginItemPlan({ platform: 'win32', enabled, execPath }), {
        kind: 'electron-login-item',
        settings: { openAtLogin: enabled, path: execPath, args: [LAUNCHED_AT_LOGIN_FLAG] },
      });
    }
  });

  it('writes an XDG autostart entry on Linux, starting the AppImage file rather than its mount', () => {
    const deb = loginItemPlan({ platform: 'linux', enabled: true, execPath: DEB_BINARY });
    assert.equal(deb.kind, 'xdg-autostart');
    assert.equal(deb.kind === 'xdg-autostart' && deb.enabled, true);
    assert.equal(keys(deb.kind === 'xdg-autostart' ? deb.entry : '').Exec, `"${DEB_BINARY}" ${LAUNCHED_AT_LOGIN_FLAG}`);

    const appImage = loginItemPlan({
      platform: 'linux',
      enabled: false,
      execPath: '/tmp/.mount_StigmeAbC123/stigmer-desktop',
      appImagePath: '/home/me/Apps/Stigmer-Desktop.AppImage',
    });
    assert.deepEqual(appImage.kind === 'xdg-autostart' && [appImage.enabled, keys(appImage.entry).Exec], [
      false,
      `/home/me/Apps/Stigmer-Desktop.AppImage ${LAUNCHED_AT_LOGIN_FLAG}`,
    ]);
  });

  it('uses XDG autostart on the other freedesktop systems too', () => {
    assert.equal(loginItemPlan({ platform: 'freebsd', enabled: true, execPath: '/usr/local/bin/stigmer-desktop' }).kind, 'xdg-autostart');
  });
});

/**
 * A `settings.json` that is not a regular file, or one too large to be settings, through the real
 * headless host and `--print-config`: before, a FIFO or a link to `/dev/zero` blocked both forever
 * before they printed anything (a FIFO: still blocked after 600 s; `/dev/zero`: 729 MB of RSS after
 * 14 s and growing), and SIGTERM could not stop them. Now each prints a warning naming the file and
 * the fix, runs on the defaults, and leaves the file as it was.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MAX_SETTINGS_BYTES } from '../../src/main/settings/settings-file.ts';
import { CLOUD_KEY, faultEnv, fixtureRunner, killAfter, startHeadless, waitFor } from '../faults/support.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';
import { cleanEnv, runHeadlessCli, tempDir } from '../support/headless.ts';

const SLEEPER = fixtureRunner('runner/fixtures/sleeper.ts');
/** A sparse file: a gigabyte to any reader, nothing on disk. */
const HUGE_BYTES = 1024 * 1024 * 1024;

interface Case {
  name: string;
  /** Makes `settings.json` the thing under test. */
  make: (file: string) => void;
  /** What the warning must say the file is, up to "so it was not read". */
  says: (file: string) => string;
  /** True while the file is still what `make` made. */
  untouched: (file: string) => boolean;
}

const CASES: Case[] = [
  {
    name: 'a FIFO',
    make: (file) => execFileSync('mkfifo', [file]),
    says: (file) => `Settings file ${file} is a FIFO (named pipe), not a regular file`,
    untouched: (file) => fs.lstatSync(file).isFIFO(),
  },
  {
    name: 'a link to /dev/zero',
    make: (file) => fs.symlinkSync('/dev/zero', file),
    says: (file) => `Settings file ${file} is a link to /dev/zero, a character device, not a regular file`,
    untouched: (file) => fs.readlinkSync(file) === '/dev/zero',
  },
  {
    name: 'a folder',
    make: (file) => fs.mkdirSync(file),
    says: (file) => `Settings file ${file} is a folder, not a regular file`,
    untouched: (file) => fs.lstatSync(file).isDirectory(),
  },
  {
    name: 'a 1 GiB file',
    make: (file) => {
      fs.writeFileSync(file, '');
      fs.truncateSync(file, HUGE_BYTES);
    },
    says: (file) => `Settings file ${file} is 1024.0 MiB, over the ${(MAX_SETTINGS_BYTES / 1024 / 1024).toFixed(1)} MiB limit`,
    untouched: (file) => fs.statSync(file).size === HUGE_BYTES,
  },
];

const warningFor = (kase: Case, file: string): RegExp =>
  new RegExp(`${escapeRegExp(kase.says(file))}, so it was not read and is left untouched; defaults are in use and changes will not be saved\\. \\S`);

for (const kase of CASES) {
  test(`--print-config with settings.json as ${kase.name}: the defaults print at once, with a warning naming the file`, async (t) => {
    const dir = tempDir(t, 'stigmer-not-a-file-');
    const file = path.join(dir, 'settings.json');
    kase.make(file);
    const started = performance.now();
    // Before, this never returned; runHeadlessCli's own timeout ends it and fails the test.
    const result = await runHeadlessCli(['--print-config', '--user-data-dir', dir], cleanEnv());
    t.diagnostic(`--print-config answered in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, warningFor(kase, file));
    assert.deepEqual(JSON.parse(result.stdout).provider, { value: 'ollama', source: 'default', pinned: false });
    assert.ok(kase.untouched(file), 'the file is left as it was');
    assert.deepEqual(fs.readdirSync(dir), ['settings.json'], 'nothing is written beside it');
  });

  test(`the host with settings.json as ${kase.name}: runs on the defaults, says why, and SIGTERM stops it`, async (t) => {
    const dir = tempDir(t, 'stigmer-not-a-file-');
    const file = path.join(dir, 'settings.json');
    kase.make(file);
    const host = startHeadless(t, ['--user-data-dir', dir, '--runner-command', SLEEPER], faultEnv(dir, CLOUD_KEY));
    const pid = await waitFor('the runner to start', () => /Runner running: started \(pid (\d+)\)/.exec(host.stdout())?.[1]);
    killAfter(t, Number(pid));
    assert.match(host.stdout(), warningFor(kase, file));
    host.child.kill('SIGTERM');
    assert.deepEqual(await host.exited, { code: 0, signal: null });
    assert.ok(kase.untouched(file), 'the file is left as it was');
  });
}

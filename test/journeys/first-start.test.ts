/**
 * Journey: a new user clones the repository and runs the README's `npm install && npm start`.
 * Electron's binary comes from a loopback mirror serving a stand-in release (stand-in-electron.ts),
 * fetched by electron's own installer exactly as from GitHub; electron-vite then launches it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, runCommand } from '../support/headless.ts';
import { cloneUnavailable, freshClone, userEnv } from './fresh-clone.ts';
import { refusingMirror, serveMirror, standInRelease, type Mirror } from './stand-in-electron.ts';

const ELECTRON_VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/electron/package.json'), 'utf8')).version;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-first-start-'));
const recordFile = path.join(work, 'electron-starts.jsonl');
const release = standInRelease(ELECTRON_VERSION, recordFile);
const skip = cloneUnavailable() ?? (release ? false : `SKIPPED: no stand-in Electron for ${process.platform} (it needs a script as the executable)`);
if (skip) process.stdout.write(`# first-start journey ${skip}\n`);
after(() => fs.rmSync(work, { recursive: true, force: true }));

interface Start {
  argv: string[];
  cwd: string;
}
const starts = (): Start[] =>
  fs.existsSync(recordFile)
    ? fs
        .readFileSync(recordFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Start)
    : [];

let clone: string;
let mirror: Mirror;

/** The environment the installer reads: the mirror, its checksums, and a cache inside the test's folder. */
const electronEnv = (mirrorUrl: string) =>
  userEnv({ ELECTRON_MIRROR: mirrorUrl, electron_use_remote_checksums: '1', electron_config_cache: path.join(work, 'electron-cache') });

const npmStart = (mirrorUrl: string) => runCommand('npm', ['start'], { cwd: clone, env: electronEnv(mirrorUrl), timeoutMs: 120_000 });

describe('first start on a fresh clone: npm install && npm start', { skip }, () => {
  let mirrorUrl: string;

  before(async () => {
    clone = await freshClone(work);
    mirror = await serveMirror(release!);
    mirrorUrl = mirror.url;
  });

  after(() => mirror.close());

  test('offline: npm start fails with one line that says what to do, and nothing is launched', async () => {
    const result = await npmStart(await refusingMirror());
    assert.notEqual(result.code, 0);
    const advice = result.stderr.split('\n').find((line) => line.startsWith(`Could not download Electron ${ELECTRON_VERSION}'s binary`));
    assert.ok(advice, `the failure is explained on stderr:\n${result.stderr}`);
    assert.match(advice, /fetch failed/, 'the cause is named');
    assert.match(advice, /Set ELECTRON_MIRROR/);
    assert.match(advice, /npm run headless -- --ui/);
    assert.doesNotMatch(result.stderr, /Electron uninstall/, 'electron-vite is not reached');
    assert.deepEqual(starts(), []);
    assert.equal(fs.existsSync(path.join(clone, 'node_modules/electron/path.txt')), false);
  });

  test('the first npm start downloads Electron through its installer and launches it with the built app', async () => {
    const result = await npmStart(mirrorUrl);
    assert.equal(result.code, 0, `npm start succeeds:\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, /not installed yet; downloading it once/);
    const zipName = `electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`;
    assert.deepEqual(mirror.requested.sort(), [`v${ELECTRON_VERSION}/SHASUMS256.txt`, `v${ELECTRON_VERSION}/${zipName}`]);

    const [start, ...more] = starts();
    assert.ok(start, 'the stand-in Electron was launched');
    assert.deepEqual(more, [], 'launched once');
    assert.equal(fs.realpathSync(start.cwd), fs.realpathSync(clone));
    // Electron's first argument is the app: its package.json's main is the freshly built bundle.
    const appDir = path.resolve(start.cwd, start.argv[0]!);
    const main: string = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8')).main;
    assert.equal(fs.realpathSync(path.join(appDir, main)), fs.realpathSync(path.join(clone, 'out/main/index.js')));
  });

  test('a second npm start downloads nothing and launches the same binary again', async () => {
    const before = mirror.requested.length;
    const result = await npmStart(mirrorUrl);
    assert.equal(result.code, 0, `npm start succeeds:\n${result.stdout}\n${result.stderr}`);
    assert.equal(mirror.requested.length, before, 'no request to the mirror');
    assert.doesNotMatch(result.stderr, /downloading/i);
    assert.equal(starts().length, 2);
  });

  test('a binary left from another Electron version is replaced through the installer before the start', async () => {
    const versionFile = path.join(clone, 'node_modules/electron/dist/version');
    fs.writeFileSync(versionFile, '44.0.0');
    const before = mirror.requested.length;
    const result = await npmStart(mirrorUrl);
    assert.equal(result.code, 0, `npm start succeeds:\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, /not installed yet; downloading it once/);
    // The zip comes from electron's cache; the installer still checks it against the mirror's sums.
    assert.deepEqual(mirror.requested.slice(before), [`v${ELECTRON_VERSION}/SHASUMS256.txt`]);
    assert.equal(fs.readFileSync(versionFile, 'utf8'), ELECTRON_VERSION);
    assert.equal(starts().length, 3);
  });
});

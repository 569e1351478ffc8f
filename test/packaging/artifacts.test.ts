/**
 * Packaging, proven on what it builds: `npm run dist:test` in a clone of the working tree, with
 * Electron fetched by electron-builder through a loopback ELECTRON_MIRROR serving the stand-in
 * release (test/journeys/stand-in-electron.ts, which carries Electron's fuse wire), then the
 * unpacked app opened: app.asar, the icons, the executable's fuses. And `npm run dist` with the
 * mirror unreachable, as on an offline machine. One build for the whole file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { loginItemPlan } from '../../src/main/login-item/plan.ts';
import { trayIconFile } from '../../src/main/tray/tray-icons.ts';
import { REPO_ROOT, runCommand, type CliResult } from '../support/headless.ts';
import { cloneUnavailable, cloneWorkingTree, userEnv } from '../journeys/fresh-clone.ts';
import { DEFAULT_FUSES, refusingMirror, serveMirror, standInRelease, type Mirror } from '../journeys/stand-in-electron.ts';
import { readBuilderConfig, withParent } from './builder-config.ts';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  main: string;
  description: string;
  homepage: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const ELECTRON_VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/electron/package.json'), 'utf8')).version;
const ZIP = `v${ELECTRON_VERSION}/electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`;
const testBuild = withParent(readBuilderConfig('electron-builder.test.yml'), readBuilderConfig('electron-builder.yml'));
const linux = testBuild.linux as { executableName: string; maintainer: string };

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-artifacts-'));
const release = standInRelease(ELECTRON_VERSION, path.join(work, 'electron-starts.jsonl'));
const skip = cloneUnavailable() ?? (process.platform === 'linux' ? false : `SKIPPED: the packaged layout checked here is Linux's; this is ${process.platform}`);
if (skip) process.stdout.write(`# packaging artifacts ${skip}\n`);
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** The clone both builds run in, with the repository's node_modules (as `npm ci` would install them). */
let clone: string;
before(() => {
  if (skip) return;
  clone = cloneWorkingTree(work);
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
});

/** Packaging builds the app, collects node_modules and writes a 14 MB asar: minutes on a busy machine. */
const BUILD_MS = 480_000;

/**
 * The user's environment, with both download caches (@electron/get's and electron-builder's, under
 * XDG_CACHE_HOME) in `cache` so nothing is read from or left in the real ones.
 */
const packagingEnv = (mirror: string, cache: string) => userEnv({ ELECTRON_MIRROR: mirror, XDG_CACHE_HOME: cache, HOME: work });

describe('packaging: npm run dist:test, offline through a loopback Electron mirror', { skip, timeout: BUILD_MS * 2 }, () => {
  let mirror: Mirror | undefined;
  let build: CliResult;
  let unpacked: string;
  let asar: string;
  let files: string[];

  before(
    async () => {
      mirror = await serveMirror(release!);
      const mirrorUrl = mirror.url;
      build = await runCommand('npm', ['run', 'dist:test'], { cwd: clone, env: packagingEnv(mirrorUrl, path.join(work, 'cache')), timeoutMs: BUILD_MS });
      unpacked = path.join(clone, 'dist-test', `${process.platform}-unpacked`);
      asar = path.join(unpacked, 'resources', 'app.asar');
      if (build.code === 0) files = listPackage(asar, { isPack: false }).map((file) => file.replaceAll(path.sep, '/'));
    },
    { timeout: BUILD_MS + 60_000 },
  );

  after(() => mirror?.close());

  test('builds the unpacked app, fetching Electron from the mirror with its checksum', () => {
    assert.equal(build.code, 0, `npm run dist:test succeeds:\n${build.stdout}\n${build.stderr}`);
    assert.deepEqual([...new Set(mirror!.requested)].sort(), [`v${ELECTRON_VERSION}/SHASUMS256.txt`, ZIP]);
    assert.ok(fs.statSync(asar).isFile());
  });

  test('app.asar holds the main process, the built-in runner, the preload and the renderer, where the main process looks for them', () => {
    // The paths src/main/electron/index.ts derives from its own folder (out/main) when packaged.
    const main = path.posix.join('/', pkg.main);
    const outDir = path.posix.dirname(main);
    for (const file of [
      main,
      path.posix.join(outDir, 'runner.js'),
      path.posix.join(outDir, '../preload/index.cjs'),
      path.posix.join(outDir, '../renderer/index.html'),
      '/package.json',
    ]) {
      assert.ok(files.includes(file), `${file} is in app.asar`);
    }
    assert.ok(
      files.some((file) => /^\/out\/renderer\/assets\/index-[\w-]+\.js$/.test(file)),
      'the renderer script is packaged',
    );
  });

  test('app.asar holds no sources, tests, type declarations or source maps', () => {
    const unwanted = files.filter((file) => /^\/(src|test|bench|scripts|docs|examples|resources)\//.test(file) || /\.(ts|mts|cts|map)$/.test(file));
    assert.deepEqual(unwanted, []);
  });

  test('app.asar holds every runtime dependency and no development dependency the app does not need at run time', () => {
    const packaged = new Set(files.flatMap((file) => file.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/)?.slice(1) ?? []));
    for (const name of Object.keys(pkg.dependencies)) assert.ok(packaged.has(name), `${name} is packaged`);
    // What npm counts as needed at run time: package-lock.json marks everything else `dev`.
    const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const production = new Set(
      Object.entries(lock.packages)
        .filter(([key, entry]) => key !== '' && !entry.dev)
        .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)),
    );
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => !production.has(name));
    assert.ok(devOnly.includes('electron') && devOnly.includes('playwright-core'), 'the list is what it should be');
    assert.deepEqual(
      devOnly.filter((name) => packaged.has(name)),
      [],
    );
    assert.deepEqual(
      [...packaged].filter((name) => !production.has(name)),
      [],
      'only packages npm counts as production ones',
    );
  });

  test('the tray and window icons are next to app.asar, where the packaged app looks for them', () => {
    const iconsDir = path.join(unpacked, 'resources', 'icons');
    const icons = [path.join(iconsDir, 'icon.png')];
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      for (const health of ['ok', 'working', 'error'] as const) {
        const file = trayIconFile(iconsDir, health, platform);
        icons.push(file, file.replace(/\.png$/, '@2x.png'));
      }
    }
    for (const file of icons) {
      const source = path.join(REPO_ROOT, 'resources', path.basename(file));
      assert.ok(fs.readFileSync(file).equals(fs.readFileSync(source)), `${path.relative(unpacked, file)} is resources/${path.basename(file)}`);
    }
  });

  test("the executable has the configured name, Electron's leftovers are gone and its licence is kept", () => {
    const executable = path.join(unpacked, linux.executableName);
    assert.ok(fs.statSync(executable).mode & 0o100, `${linux.executableName} is executable`);
    // Electron's own default app is replaced by ours (an app.asar.unpacked beside it would be a native module's).
    const resources = fs.readdirSync(path.join(unpacked, 'resources'));
    assert.ok(resources.includes('app.asar') && resources.includes('icons'), resources.join(', '));
    assert.ok(!resources.includes('default_app.asar'), "Electron's default app is not shipped");
    assert.ok(fs.existsSync(path.join(unpacked, 'LICENSE.electron.txt')));
  });

  test("the executable's fuses are flipped as configured, and only those", async () => {
    const wire = await getCurrentFuseWire(path.join(unpacked, linux.executableName));
    const expected: Record<string, string> = { version: '1' };
    for (const [index, state] of DEFAULT_FUSES.split('').entries()) expected[index] = state;
    for (const [name, on] of Object.entries(testBuild.electronFuses!)) {
      const fuse = FuseV1Options[(name[0]!.toUpperCase() + name.slice(1)) as keyof typeof FuseV1Options];
      assert.equal(typeof fuse, 'number', `${name} is a fuse @electron/fuses knows`);
      expected[fuse] = on ? '1' : '0';
    }
    const actual = Object.fromEntries(Object.entries(wire).map(([key, value]) => [key, key === 'version' ? value : String.fromCharCode(value as number)]));
    assert.deepEqual(actual, expected);
    assert.equal(actual[FuseV1Options.RunAsNode], '0', 'ELECTRON_RUN_AS_NODE is off');
    assert.equal(actual[FuseV1Options.EnableNodeCliInspectArguments], '1', 'the test build keeps --inspect for Playwright');
  });
});

/** `[Desktop Entry]` keys and values. */
function desktopEntry(text: string): Record<string, string> {
  const [group, ...lines] = text.trimEnd().split('\n');
  assert.equal(group, '[Desktop Entry]');
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/**
 * The deb, from the app just built (`--prepackaged`): electron-builder writes the .desktop entry
 * and picks the icons, then hands them to fpm, which it would download from GitHub. A stand-in fpm
 * (fpm-stand-in.mjs) lays the package's tree out as `fpm -s dir` does, for the test to open.
 */
describe('packaging: the deb, through a stand-in fpm', { skip, timeout: BUILD_MS }, () => {
  let result: CliResult;
  let root: string;
  let recorded: { options: Record<string, string | string[] | true> };
  const installDir = `/opt/${String(testBuild.productName)}`;

  before(
    async () => {
      const unpacked = path.join('dist-test', `${process.platform}-unpacked`);
      result = await runCommand(process.execPath, ['scripts/dist.ts', '--config', 'electron-builder.test.yml', '--linux', 'deb', '--prepackaged', unpacked], {
        cwd: clone,
        env: { ...packagingEnv(await refusingMirror(), path.join(work, 'cache')), CUSTOM_FPM_PATH: path.join(import.meta.dirname, 'fpm-stand-in.mjs') },
        timeoutMs: BUILD_MS,
      });
      const deb = fs.readdirSync(path.join(clone, 'dist-test')).find((name) => name.endsWith('.deb'));
      if (deb) {
        root = path.join(clone, 'dist-test', `${deb}.root`);
        recorded = JSON.parse(fs.readFileSync(path.join(clone, 'dist-test', deb), 'utf8'));
      }
    },
    { timeout: BUILD_MS },
  );

  test('is built with the metadata a deb requires', () => {
    assert.equal(result.code, 0, `the deb is built:\n${result.stdout}\n${result.stderr}`);
    assert.equal(recorded.options['--url'], pkg.homepage);
    assert.equal(recorded.options['--maintainer'], linux.maintainer);
    assert.ok((recorded.options['-d'] as string[]).includes('libsecret-1-0'), "safeStorage's keyring library is a dependency");
  });

  test('installs the app in /opt with a launcher entry that starts it, under its name and category', () => {
    const entry = desktopEntry(fs.readFileSync(path.join(root, 'usr/share/applications', `${linux.executableName}.desktop`), 'utf8'));
    const binary = `${installDir}/${linux.executableName}`;
    assert.deepEqual(
      { Name: entry.Name, Exec: entry.Exec, Type: entry.Type, Categories: entry.Categories, Comment: entry.Comment },
      { Name: testBuild.productName, Exec: `"${binary}" %U`, Type: 'Application', Categories: 'Development;', Comment: pkg.description },
    );
    assert.ok(fs.statSync(path.join(root, binary)).mode & 0o100, `${binary} is installed and executable`);
    assert.ok(fs.statSync(path.join(root, installDir, 'resources/app.asar')).isFile());
  });

  test('installs the icon the launcher entry and the start-at-login entry name', () => {
    const entry = desktopEntry(fs.readFileSync(path.join(root, 'usr/share/applications', `${linux.executableName}.desktop`), 'utf8'));
    const icons = path.join(root, 'usr/share/icons/hicolor');
    const installed = fs.readdirSync(icons).map((size) => path.join(icons, size, 'apps', `${entry.Icon}.png`));
    assert.ok(installed.length > 0 && installed.every((file) => fs.existsSync(file)), `${entry.Icon}.png is in the hicolor theme`);
    assert.ok(fs.readFileSync(installed[0]!).equals(fs.readFileSync(path.join(REPO_ROOT, 'resources/icon.png'))));
    // What the app writes to ~/.config/autostart when the user turns on start at login from the deb.
    const plan = loginItemPlan({ platform: 'linux', enabled: true, execPath: `${installDir}/${linux.executableName}` });
    assert.equal(plan.kind, 'xdg-autostart');
    const autostart = desktopEntry(plan.kind === 'xdg-autostart' ? plan.entry : '');
    assert.equal(autostart.Icon, entry.Icon);
    assert.equal(autostart.Exec?.split('" ')[0], entry.Exec?.split('" ')[0], 'the same installed binary');
  });
});

describe('packaging offline: npm run dist with no mirror reachable', { skip, timeout: BUILD_MS }, () => {
  test("a target whose tools cannot be fetched stops with one line naming electron-builder's tools mirror and --dir", async () => {
    const offline = await refusingMirror();
    const unpacked = path.join('dist-test', `${process.platform}-unpacked`);
    // tar.gz needs 7-Zip, which electron-builder fetches from electron-builder-binaries.
    const result = await runCommand(
      process.execPath,
      ['scripts/dist.ts', '--config', 'electron-builder.test.yml', '--linux', 'tar.gz', '--prepackaged', unpacked],
      {
        cwd: clone,
        env: {
          ...packagingEnv(offline, path.join(work, 'cache')),
          ELECTRON_BUILDER_BINARIES_MIRROR: offline,
          ELECTRON_BUILDER_BINARIES_ALLOW_HTTP: 'true',
        },
        timeoutMs: BUILD_MS,
      },
    );
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line on stderr:\n${result.stderr}`);
    assert.ok(result.stderr.startsWith(`Could not download electron-builder's tools for packaging from ${offline}`), result.stderr);
    assert.match(result.stderr, /set ELECTRON_BUILDER_BINARIES_MIRROR to a reachable mirror, or build the unpacked app only: npm run dist -- --dir\.$/m);
    assert.doesNotMatch(result.stdout + result.stderr, /^\s+at /m, 'no stack trace');
  });

  test('stops with one line naming the download and the fix, no stack trace, exit 1', { timeout: BUILD_MS }, async () => {
    const offline = await refusingMirror();
    const result = await runCommand('npm', ['run', 'dist'], { cwd: clone, env: packagingEnv(offline, path.join(work, 'empty-cache')), timeoutMs: BUILD_MS });

    assert.notEqual(result.code, 0);
    const lines = result.stderr.split('\n').filter((line) => line.trim() && !line.startsWith('npm '));
    assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
    const [line] = lines;
    assert.ok(line!.startsWith(`Could not download Electron's binary for packaging from ${offline}${ZIP} (connect ECONNREFUSED`), line);
    assert.match(line!, /set ELECTRON_MIRROR to a reachable mirror/);
    assert.doesNotMatch(result.stdout + result.stderr, /^\s+at /m, 'no stack trace');
    assert.equal(fs.existsSync(path.join(clone, 'dist', `${process.platform}-unpacked`, linux.executableName)), false, 'nothing was packaged');
  });
});

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { readOllamaVersion } from '../../src/main/ollama/find-binary.ts';
import { OllamaInstaller } from '../../src/main/ollama/install/installer.ts';
import { ManagedOllama } from '../../src/main/ollama/install/managed-ollama.ts';
import { OllamaManager } from '../../src/main/ollama/manager.ts';
import type { OllamaInstallProgress } from '../../src/shared/ollama-install.ts';
import { FAKE_OLLAMA_BIN_DIR } from '../doubles/ollama/server.ts';
import { tempDir } from '../support/headless.ts';
import { freePort, waitFor } from '../ollama/support.ts';
import { buildArchive, linuxAsset, startReleaseServer, type ReleaseServer } from './release-server.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';

const POSIX_ONLY = { skip: process.platform === 'win32' ? 'the stand-in archive holds a shell script' : false };

interface Harness {
  dir: string;
  dataDir: string;
  releases: ReleaseServer;
  installer: OllamaInstaller;
  manager: OllamaManager;
  flow: ManagedOllama;
  progress: OllamaInstallProgress[];
  install: () => ReturnType<ManagedOllama['install']>;
}

/** The app's install flow against a loopback release server, with a manager on a free port and a PATH without Ollama (unless `pathWithOllama`). */
async function harness(t: TestContext, options: { releasesUrl?: string; pathWithOllama?: boolean } = {}): Promise<Harness> {
  const dir = tempDir(t, 'stigmer-ollama-install-');
  const dataDir = path.join(dir, 'userData', 'ollama');
  const releases = await startReleaseServer(t);
  const installer = new OllamaInstaller({ dataDir, releasesUrl: () => options.releasesUrl ?? releases.url, platform: 'linux' });
  const manager = new OllamaManager({
    host: `127.0.0.1:${await freePort()}`,
    serverSettings: { exposeToNetwork: false },
    runDir: path.join(dir, 'run'),
    env: { PATH: [...(options.pathWithOllama ? [FAKE_OLLAMA_BIN_DIR] : []), path.dirname(process.execPath), '/usr/bin', '/bin'].join(':'), HOME: dir },
    managedBinary: () => installer.current()?.path,
    healthIntervalMs: 200,
    readyTimeoutMs: 20_000,
    stopGraceMs: 5000,
  });
  t.after(() => manager.stop());
  const flow = new ManagedOllama({
    installer,
    server: () => ({
      locate: () => manager.locateBinary(),
      versionOf: async (file) => (await readOllamaVersion(file)) ?? null,
      stop: () => manager.stop(),
      start: () => manager.start(),
    }),
  });
  const progress: OllamaInstallProgress[] = [];
  return { dir, dataDir, releases, installer, manager, flow, progress, install: () => flow.install((event) => progress.push(event)) };
}

/** What is in the data folder besides the bookkeeping files: unpacked versions and partial downloads. */
function contents(dataDir: string): { versions: string[]; partials: string[] } {
  const entries = fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [];
  const downloads = path.join(dataDir, 'downloads');
  return {
    versions: entries.filter((name) => /^\d/.test(name)),
    partials: fs.existsSync(downloads) ? fs.readdirSync(downloads) : [],
  };
}

test('a good archive is downloaded, verified, unpacked per user into the data folder, launched and answers', POSIX_ONLY, async (t) => {
  const h = await harness(t);
  const archive = buildArchive(h.dir, '0.14.2');
  h.releases.publish('0.14.2', archive);
  assert.equal(h.manager.locateBinary().found, false, 'no Ollama before the install');

  const result = await h.install();

  const binary = path.join(h.dataDir, '0.14.2', 'bin', 'ollama');
  assert.deepEqual(result, { status: 'installed', version: '0.14.2', path: binary });
  const state = h.manager.getState();
  assert.deepEqual(state.server, { phase: 'running', owner: 'managed' });
  assert.equal(state.serverVersion, '0.14.2');
  assert.deepEqual(state.binary, { path: binary, source: 'app-installed', version: '0.14.2' });
  assert.deepEqual(contents(h.dataDir), { versions: ['0.14.2'], partials: [] }, 'the partial download is gone, no temp folder is left');
  assert.ok(fs.existsSync(path.join(h.dataDir, '0.14.2', 'lib', 'ollama', 'README')), 'the whole release tree is unpacked');
  const stages = [...new Set(h.progress.map((event) => event.stage))];
  assert.deepEqual(stages, ['checking', 'downloading', 'verifying', 'unpacking', 'starting']);
  const lastDownload = h.progress.filter((event) => event.stage === 'downloading').at(-1);
  assert.equal(lastDownload?.totalBytes, archive.length);
  assert.equal(lastDownload?.completedBytes, archive.length);
  assert.equal(linuxAsset('0.14.2').endsWith('.tar.zst'), true, 'the zstd archive current releases use was the one installed');
});

test('a wrong checksum is refused: nothing is unpacked or run, the download is deleted', POSIX_ONLY, async (t) => {
  const h = await harness(t);
  h.releases.publish('0.14.2', buildArchive(h.dir, '0.14.2'), { wrongChecksum: true });
  const result = await h.install();
  assert.equal(result.status, 'failed');
  assert.match(result.status === 'failed' ? result.reason : '', /does not match the SHA-256 its release publishes .*nothing was unpacked or run/);
  assert.deepEqual(contents(h.dataDir), { versions: [], partials: [] });
  assert.equal(h.installer.current(), undefined);
  assert.equal(h.manager.getState().server.phase, 'stopped', 'nothing was launched');
});

test('a truncated archive fails its checksum and is not unpacked (an old .tgz release too)', POSIX_ONLY, async (t) => {
  const h = await harness(t);
  const archive = buildArchive(h.dir, '0.13.5');
  h.releases.publish('0.13.5', archive, { truncateTo: Math.floor(archive.length / 2) });
  const result = await h.install();
  assert.equal(result.status, 'failed');
  assert.match(result.status === 'failed' ? result.reason : '', /ollama-linux-\w+\.tgz does not match the SHA-256/);
  assert.deepEqual(contents(h.dataDir), { versions: [], partials: [] });
});

test('an asset the release does not have (404) says so and installs nothing', POSIX_ONLY, async (t) => {
  const h = await harness(t);
  h.releases.publish('0.14.2', buildArchive(h.dir, '0.14.2'), { missing: true });
  const result = await h.install();
  assert.equal(result.status, 'failed');
  assert.match(result.status === 'failed' ? result.reason : '', /answered HTTP 404/);
  assert.deepEqual(contents(h.dataDir).versions, []);
});

test('offline: one clear line, nothing installed', POSIX_ONLY, async (t) => {
  const h = await harness(t, { releasesUrl: `http://127.0.0.1:${await freePort()}/releases` });
  const result = await h.install();
  assert.equal(result.status, 'failed');
  const reason = result.status === 'failed' ? result.reason : '';
  assert.match(reason, /^Could not reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\): this computer seems to be offline, or the releases server is down\.$/);
  assert.doesNotMatch(`${reason}${result.status === 'failed' ? result.fix : ''}`, /\n/);
});

test('a slow download reports bytes, speed and time left, can be cancelled, and resumes from the kept bytes (Range)', POSIX_ONLY, async (t) => {
  const h = await harness(t);
  const archive = buildArchive(h.dir, '0.14.2', { padBytes: 256 * 1024 });
  h.releases.publish('0.14.2', archive, { bytesPerTick: 8 * 1024 });
  const pending = h.install();
  const measured = await waitFor('a progress event with a speed and a time left', () =>
    h.progress.find(
      (event) =>
        event.stage === 'downloading' && event.bytesPerSecond !== null && event.bytesPerSecond > 0 && event.etaSeconds !== null && event.completedBytes > 0,
    ),
  );
  assert.equal(measured.totalBytes, archive.length);
  assert.equal(h.flow.cancel(), true);
  assert.deepEqual(await pending, { status: 'cancelled' });
  const { versions, partials } = contents(h.dataDir);
  assert.deepEqual(versions, []);
  assert.equal(partials.length, 1, 'the partial download is kept');
  const kept = fs.statSync(path.join(h.dataDir, 'downloads', partials[0] ?? '')).size;
  assert.ok(kept > 0 && kept < archive.length, `kept ${kept} of ${archive.length} bytes`);

  h.releases.publish('0.14.2', archive);
  h.progress.length = 0;
  const result = await h.install();
  assert.equal(result.status, 'installed');
  assert.equal(h.releases.ranges.at(-1), `bytes=${kept}-`, 'only the rest was asked for');
  assert.ok(h.progress.some((event) => event.stage === 'downloading' && event.resumedFromBytes === kept));
});

test('an interrupted download fails with a line saying it resumes, and the next attempt resumes it', POSIX_ONLY, async (t) => {
  const h = await harness(t);
  const archive = buildArchive(h.dir, '0.14.2', { padBytes: 128 * 1024 });
  h.releases.publish('0.14.2', archive, { dropAfter: 64 * 1024 });
  const first = await h.install();
  assert.equal(first.status, 'failed');
  assert.match(first.status === 'failed' ? `${first.reason} ${first.fix}` : '', /interrupted after \d+ of \d+ bytes.*resumes where it stopped/);
  const second = await h.install();
  assert.equal(second.status, 'installed');
  assert.match(h.releases.ranges.at(-1) ?? '', /^bytes=\d+-$/);
  assert.equal(h.manager.getState().serverVersion, '0.14.2');
});

test('a new version: the check finds it, the update replaces and restarts the app’s Ollama, a broken one is rolled back', POSIX_ONLY, async (t) => {
  const h = await harness(t);
  h.releases.publish('0.14.2', buildArchive(h.dir, '0.14.2'));
  assert.equal((await h.install()).status, 'installed');
  const firstPid = h.manager.getState().pid;

  h.releases.publish('0.14.3', buildArchive(h.dir, '0.14.3'));
  const check = await h.flow.check(true);
  assert.equal(check.managed, true);
  assert.equal(check.latest, '0.14.3');
  assert.equal(check.updateAvailable, true);
  assert.match(check.message, /This app's Ollama 0\.14\.2 \(.*0\.14\.2\/bin\/ollama\) can be updated to 0\.14\.3/);

  const updated = await h.install();
  assert.deepEqual(updated, { status: 'updated', version: '0.14.3', previous: '0.14.2', path: path.join(h.dataDir, '0.14.3', 'bin', 'ollama') });
  assert.equal(h.manager.getState().serverVersion, '0.14.3');
  assert.notEqual(h.manager.getState().pid, firstPid, 'the server was restarted');
  assert.deepEqual(contents(h.dataDir).versions, ['0.14.3'], 'the old one is removed once the new one answers');

  h.releases.publish('0.14.4', buildArchive(h.dir, '0.14.4', { broken: true }));
  const rolledBack = await h.install();
  assert.equal(rolledBack.status, 'failed');
  assert.match(rolledBack.status === 'failed' ? rolledBack.reason : '', /Ollama 0\.14\.4 did not start .*so 0\.14\.3 was kept and restarted/);
  assert.equal(h.installer.current()?.version, '0.14.3');
  assert.deepEqual(h.manager.getState().server, { phase: 'running', owner: 'managed' });
  assert.equal(h.manager.getState().serverVersion, '0.14.3');
  assert.deepEqual(contents(h.dataDir).versions, ['0.14.3']);

  h.releases.publish('0.14.3', buildArchive(h.dir, '0.14.3'));
  assert.equal((await h.install()).status, 'up-to-date');
});

test('an Ollama the user installed is never replaced: install refuses and the check names it and where', POSIX_ONLY, async (t) => {
  const h = await harness(t, { pathWithOllama: true });
  h.releases.publish('0.14.3', buildArchive(h.dir, '0.14.3'));
  const result = await h.install();
  const userOllama = path.join(FAKE_OLLAMA_BIN_DIR, 'ollama');
  assert.equal(result.status, 'failed');
  assert.equal(
    result.status === 'failed' ? result.reason : '',
    `Ollama is already installed at ${userOllama} (found on PATH); this app never replaces an Ollama it did not install.`,
  );
  assert.deepEqual(h.releases.ranges, [], 'nothing was downloaded');
  const check = await h.flow.check(true);
  assert.equal(check.managed, false);
  assert.equal(check.updateAvailable, false);
  assert.match(check.message, new RegExp(`at ${escapeRegExp(userOllama)} \\(found on PATH\\); this app did not install it and never replaces it`));
});

test('the update check asks the releases at most daily unless asked on demand', POSIX_ONLY, async (t) => {
  const h = await harness(t);
  h.releases.publish('0.14.2', buildArchive(h.dir, '0.14.2'));
  const first = await h.installer.checkLatest({ force: false, signal: AbortSignal.timeout(10_000) });
  const again = await h.installer.checkLatest({ force: false, signal: AbortSignal.timeout(10_000) });
  assert.deepEqual(again, first);
  assert.equal(h.releases.latestAsked(), 1);
  h.releases.publish('0.14.3', buildArchive(h.dir, '0.14.3'));
  assert.equal((await h.installer.checkLatest({ force: true, signal: AbortSignal.timeout(10_000) })).version, '0.14.3');
  assert.equal(h.releases.latestAsked(), 2);
});

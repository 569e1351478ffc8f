/**
 * The desktop app updates itself (issue 23 §4), under the Electron double, against a loopback
 * feed laid out as electron-builder publishes one (`latest-linux.yml` next to the AppImage):
 * electron-updater itself checks, downloads and verifies; the stand-in AppImage it installs
 * records how it was launched.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../ollama/support.ts';
import { Scope, hostEnv, isGone, readPidFile, setUpProfile, waitFor } from '../support/e2e-host.ts';
import { REPO_ROOT } from '../support/headless.ts';
import { DESKTOP_WAIT_MS, startDesktopHost, type DesktopHost } from '../support/desktop-host.ts';

const CURRENT = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NEXT = '99.0.0';
const artifactName = (version: string) => `stigmer-desktop-${version}-linux-x86_64.AppImage`;

/** The new version's "AppImage": says whether the old app's runner was still alive when it was launched. */
const STAND_IN_APPIMAGE = `#!/bin/sh
if kill -0 "$(cat "$UPDATE_PROBE_DIR/runner-pid")" 2>/dev/null; then runner=running; else runner=stopped; fi
echo "version=${NEXT} runner=$runner silent=$APPIMAGE_SILENT_INSTALL" > "$UPDATE_PROBE_DIR/launched"
`;

interface Feed {
  url: string;
  requests: string[];
}

/** A generic-provider feed: latest-linux.yml naming `version` and the artifact with the sha512 it publishes. */
async function startFeed(scope: Scope, version: string, { publishedSha512 }: { publishedSha512?: string } = {}): Promise<Feed> {
  const artifact = Buffer.from(STAND_IN_APPIMAGE);
  const sha512 = publishedSha512 ?? createHash('sha512').update(artifact).digest('base64');
  const file = artifactName(version);
  const latest = [
    `version: ${version}`,
    'files:',
    `  - url: ${file}`,
    `    sha512: ${sha512}`,
    `    size: ${artifact.length}`,
    `path: ${file}`,
    `sha512: ${sha512}`,
    "releaseDate: '2026-12-07T04:00:00.000Z'",
    '',
  ].join('\n');
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://feed').pathname;
    requests.push(pathname);
    if (pathname === '/latest-linux.yml') return void response.writeHead(200, { 'content-type': 'text/yaml' }).end(latest);
    if (pathname === `/${file}`) return void response.writeHead(200, { 'content-length': artifact.length }).end(artifact);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests };
}

interface Installed {
  host: DesktopHost;
  userDataDir: string;
  appImage: string;
  probeDir: string;
}

/**
 * The packaged app as an AppImage would run it: `process.resourcesPath` with the icons and the
 * `app-update.yml` electron-builder writes from `publish`, `APPIMAGE` naming the running file.
 */
async function startInstalledApp(
  scope: Scope,
  feedInAppUpdateYml: string,
  { env = {}, userDataDir, feedUrlSetting }: { env?: Record<string, string>; userDataDir?: string; feedUrlSetting?: string } = {},
): Promise<Installed> {
  const resources = scope.tempDir('stigmer-resources-');
  fs.mkdirSync(path.join(resources, 'icons'));
  for (const name of fs.readdirSync(path.join(REPO_ROOT, 'resources')).filter((file) => /^tray.*\.png$|^icon\.png$/.test(file))) {
    fs.copyFileSync(path.join(REPO_ROOT, 'resources', name), path.join(resources, 'icons', name));
  }
  fs.writeFileSync(path.join(resources, 'app-update.yml'), `provider: generic\nurl: ${feedInAppUpdateYml}\nupdaterCacheDirName: stigmer-desktop-updater\n`);
  const probeDir = scope.tempDir('stigmer-update-probe-');
  const appImage = path.join(scope.tempDir('stigmer-appimage-'), artifactName(CURRENT));
  fs.writeFileSync(appImage, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const profile =
    userDataDir ??
    setUpProfile(scope, (settings) => {
      settings.provider = 'ollama';
      settings.providers.ollama.model = 'llama3.2';
      if (feedUrlSetting) settings.updates = { feedUrl: feedUrlSetting };
    });
  const base = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const host = await startDesktopHost(
    scope,
    ['--user-data-dir', profile],
    { ...base, APPIMAGE: appImage, XDG_CACHE_HOME: scope.tempDir('stigmer-cache-'), UPDATE_PROBE_DIR: probeDir, ...env },
    { packagedResources: resources },
  );
  return { host, userDataDir: profile, appImage, probeDir };
}

const restartItem = (menu: { label: string }[]) => menu.find((item) => item.label.startsWith('Restart to update'));

test('a new version: downloaded and verified in the background, "Restart to update" in the tray and the window, installed after the runner stopped', async (t) => {
  const scope = new Scope(t);
  const feed = await startFeed(scope, NEXT);
  const { host, userDataDir, appImage, probeDir } = await startInstalledApp(scope, feed.url);

  await host.waitForLine('the built-in runner to be ready', (line) => /Runner ready: ollama llama3\.2/.test(line));
  const menu = await host.waitForTray('"Restart to update" in the tray', (current) => restartItem(current) && current);
  assert.equal(restartItem(menu)?.label, `Restart to update (${NEXT})`);
  assert.deepEqual(
    feed.requests.filter((request) => !request.endsWith('.yml')),
    [`/${artifactName(NEXT)}`],
    'the artifact was downloaded once',
  );
  assert.ok(host.lines().some((line) => line.includes(`Update ${NEXT} downloaded and verified`)));

  const page = await host.page();
  const button = page.getByRole('button', { name: 'Restart to update' });
  await button.waitFor({ timeout: DESKTOP_WAIT_MS });
  assert.match((await page.locator('.banner--update').textContent()) ?? '', new RegExp(`${NEXT.replaceAll('.', '\\.')} is ready`));

  const runnerPid = readPidFile(userDataDir, 'runner.pid');
  assert.ok(runnerPid !== undefined, 'a runner runs');
  fs.writeFileSync(path.join(probeDir, 'runner-pid'), String(runnerPid));
  await button.click();

  assert.deepEqual(await host.waitForExit(), { code: 0, signal: null });
  const launched = await waitFor(
    'the new version to be launched',
    () => fs.existsSync(path.join(probeDir, 'launched')) && fs.readFileSync(path.join(probeDir, 'launched'), 'utf8'),
    DESKTOP_WAIT_MS,
  );
  assert.equal(launched, `version=${NEXT} runner=stopped silent=true\n`, 'the runner had stopped before the update was installed and launched');
  assert.ok(isGone(runnerPid));
  // electron-updater moved the verified download next to the old AppImage, whose file is gone.
  assert.equal(fs.existsSync(appImage), false);
  assert.equal(fs.readFileSync(path.join(path.dirname(appImage), artifactName(NEXT)), 'utf8'), STAND_IN_APPIMAGE);
  const lines = host.lines();
  const stopping = lines.findIndex((line) => line.includes(`Restarting to update to ${NEXT}: stopping the runner first`));
  const installing = lines.findIndex((line) => line.includes(`Installing update ${NEXT}`));
  assert.ok(stopping >= 0 && installing > stopping, lines.join('\n'));
  assert.deepEqual(host.violations(), []);
});

test('no update from the feed saved in settings, then the opt-out in Settings: the next start does not ask the feed', async (t) => {
  const scope = new Scope(t);
  const feed = await startFeed(scope, CURRENT);
  // The saved feed wins over the build's app-update.yml, whose server would not answer.
  const first = await startInstalledApp(scope, `http://127.0.0.1:${await freePort()}/`, { feedUrlSetting: feed.url });
  await first.host.waitForLine('the check to find nothing newer', (line) => line.includes('Checked for updates: this is the latest version'));
  assert.equal(restartItem(await first.host.trayMenu()), undefined);

  const page = await first.host.page();
  await page.evaluate(() => (window.location.hash = '#/settings'));
  await waitFor(
    'the Updates card to say so',
    async () => (await page.getByTestId('update-status').textContent()) === 'This is the latest version.',
    DESKTOP_WAIT_MS,
  );
  assert.equal(await page.getByTestId('update-feed').textContent(), `Updates come from ${feed.url} (settings).`);
  const checkbox = page.getByRole('checkbox', { name: /Check for updates on start and daily/ });
  assert.equal(await checkbox.isChecked(), true, 'on by default');
  await checkbox.click();
  await waitFor(
    'the choice to be saved',
    () => JSON.parse(fs.readFileSync(path.join(first.userDataDir, 'settings.json'), 'utf8')).updates?.enabled === false,
    DESKTOP_WAIT_MS,
  );
  assert.deepEqual(await first.host.quit(), { code: 0, signal: null });

  const asked = feed.requests.length;
  const second = await startInstalledApp(scope, `http://127.0.0.1:${await freePort()}/`, { userDataDir: first.userDataDir });
  await second.host.waitForLine('the app to say updates are off', (line) => line.includes('Updates are off (Settings): not checking'));
  assert.equal(feed.requests.length, asked, 'the feed was not asked again');
  assert.deepEqual(await second.host.quit(), { code: 0, signal: null });
  assert.deepEqual([...first.host.violations(), ...second.host.violations()], []);
});

test('a bad checksum: the download is refused, said plainly, and nothing is offered or installed', async (t) => {
  const scope = new Scope(t);
  const feed = await startFeed(scope, NEXT, { publishedSha512: createHash('sha512').update('another build').digest('base64') });
  const { host, appImage } = await startInstalledApp(scope, feed.url);
  const line = await host.waitForLine('the refusal', (current) => current.includes('was refused'));
  assert.match(
    line,
    new RegExp(
      `WARN .*The downloaded update ${NEXT.replaceAll('.', '\\.')} was refused: its sha512 checksum does not match the one published in latest\\.yml, so nothing was installed`,
    ),
  );
  assert.ok(feed.requests.includes(`/${artifactName(NEXT)}`), 'it was downloaded, then refused');
  assert.equal(restartItem(await host.trayMenu()), undefined);
  assert.equal(fs.readFileSync(appImage, 'utf8'), '#!/bin/sh\nexit 0\n', 'the installed AppImage is untouched');
  // Asked anyway (a stale window), the command refuses and says why.
  const page = await host.page();
  const reply = await page.evaluate(
    async () =>
      await (window as unknown as { stigmer: { invoke(command: string, payload: unknown): Promise<unknown> } }).stigmer.invoke('app:restart-to-update', {}),
  );
  assert.match(JSON.stringify(reply), /"ok":false.*No update has been downloaded yet/);
  assert.deepEqual(await host.quit(), { code: 0, signal: null });
  assert.deepEqual(host.violations(), []);
});

test('offline: one clear line, no banner, no nag', async (t) => {
  const scope = new Scope(t);
  // STIGMER_UPDATE_URL wins over app-update.yml; nothing listens on its port.
  const closed = `http://127.0.0.1:${await freePort()}/`;
  const { host } = await startInstalledApp(scope, 'http://127.0.0.1:9/never-asked/', { env: { STIGMER_UPDATE_URL: closed } });
  const line = await host.waitForLine('the offline line', (current) => current.includes('to check for updates'));
  assert.match(
    line,
    new RegExp(`WARN .*Could not reach ${closed.replaceAll('.', '\\.')} to check for updates \\(offline\\?\\); the app checks again tomorrow\\.`),
  );
  await host.waitForLine('the runner to be ready', (current) => /Runner ready: ollama llama3\.2/.test(current));
  const updaterLines = host.lines().filter((current) => / (WARN|ERROR) /.test(current) && /update/i.test(current));
  assert.deepEqual(updaterLines, [line], 'one line, nothing more above debug');
  const page = await host.page();
  await page.evaluate(() => (window.location.hash = '#/settings'));
  await waitFor(
    'the Updates card to say why',
    async () => (await page.getByTestId('update-status').textContent())?.startsWith('Could not reach'),
    DESKTOP_WAIT_MS,
  );
  assert.equal(await page.locator('.banner--update').count(), 0, 'no banner');
  assert.equal(restartItem(await host.trayMenu()), undefined);
  assert.deepEqual(await host.quit(), { code: 0, signal: null });
  assert.deepEqual(host.violations(), []);
});

/**
 * The headless host's own guards, which only its WebSocket transport has: the real host (`--ui`)
 * as a child process with the Ollama double, driven in Debian's Chromium through playwright-core.
 * The journeys through its window, over both transports, are in test/journeys-ui.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { test } from 'node:test';
import { startServer } from '../doubles/cloud/common.ts';
import { freePort } from '../ollama/support.ts';
import { useBrowser } from '../support/chromium.ts';
import { upgradeStatus } from '../support/websocket.ts';
import { HOST_WAIT_MS, Scope, setUpProfile, filesUnder, hostEnv, startHost, waitFor } from '../support/e2e-host.ts';
import { DEADLINE, explained, newContext as newBrowserContext, openPage, uiUrl, withRoute } from '../support/ui-e2e.ts';
import { tcpSockets } from '../support/proc.ts';

const browser = useBrowser();

const newContext = (scope: Scope) => newBrowserContext(browser(), scope);

/** A raw HTTP request, so `Host` and `Origin` can be anything a hostile page could send. */
function request(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

/** Listening TCP sockets on a port, as `ip:port` in /proc's hex notation decoded. */
const listeners = (port: number): string[] =>
  tcpSockets()
    .filter((socket) => socket.state === '0A' && socket.port === port)
    .map((socket) => socket.address);

test('the real host refuses requests without the token, from other origins, or for another Host, and listens on 127.0.0.1 only', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--log-format', 'json', '--user-data-dir', userDataDir], env);
  const url = new URL(await uiUrl(host));
  const token = url.searchParams.get('token') ?? '';
  assert.equal(url.hostname, '127.0.0.1');
  assert.ok(token.length >= 32, 'a long random token');
  const origin = `http://127.0.0.1:${url.port}`;
  const base = `${origin}/`;

  assert.equal(await request(base, {}), 401, 'no token');
  assert.equal(await request(`${base}?token=${'x'.repeat(token.length)}`, {}), 401, 'a wrong token');
  assert.equal(await request(`${base}assets/index.js`, {}), 401, 'an asset without the token');
  assert.equal(await request(`${base}?token=${token}`, {}), 303, 'the token leads to the page');
  assert.equal(await request(`${base}?token=${token}`, { Origin: 'http://evil.example' }), 403, 'a foreign Origin');
  assert.equal(await request(`${base}?token=${token}`, { Host: `rebind.evil.example:${url.port}` }), 403, 'a rebinding Host');
  assert.equal(await request(`${base}?token=${token}`, { Host: `127.0.0.1:${url.port}.evil.example` }), 403, 'a Host that only starts like ours');

  const ws = `ws://127.0.0.1:${url.port}/ws`;
  assert.equal(await upgradeStatus(ws, {}), 401, 'a WebSocket without the token');
  assert.equal(await upgradeStatus(`${ws}?token=${token}`, { Origin: 'http://evil.example' }), 403, 'a WebSocket from a foreign page');
  assert.equal(await upgradeStatus(`${ws}?token=${token}`, { Host: `rebind.evil.example:${url.port}` }), 403, 'a WebSocket for a rebinding Host');
  assert.equal(await upgradeStatus(`${ws}?token=${token}`, { Origin: origin }), 101, 'the page itself gets in');

  assert.deepEqual(listeners(Number(url.port)), ['127.0.0.1'], 'bound to 127.0.0.1 and nothing else');
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal);
  if (external) {
    await assert.rejects(request(`http://${external.address}:${url.port}/?token=${token}`, {}), /ECONNREFUSED/, 'unreachable from another interface');
  }

  for (const line of host.lines()) assert.doesNotThrow(() => JSON.parse(line), `a JSON line: ${line}`);
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null });
  for (const file of filesUnder(userDataDir)) assert.ok(!fs.readFileSync(file, 'utf8').includes(token), `the token stays out of ${file}`);
});

/** A page another local server (a dev server, a notebook…) shows: it loads and fetches from its own origin. */
const OTHER_SITE_PAGE = '<!doctype html><title>another local server</title><img src="pixel.png"><script>fetch("api", { credentials: "include" });</script>';

test('the access token never reaches another server on 127.0.0.1 opened in the same browser', async (t) => {
  const scope = new Scope(t);
  const userDataDir = setUpProfile(scope, (settings) => {
    settings.provider = 'ollama';
    settings.providers.ollama.model = 'llama3.2';
  });
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--user-data-dir', userDataDir], env);
  const url = await uiUrl(host);
  const token = new URL(url).searchParams.get('token') ?? '';
  const recorder = await startServer((recorded, response) => {
    response.writeHead(200, { 'content-type': recorded.path.endsWith('.png') ? 'image/png' : 'text/html' });
    response.end(recorded.path.endsWith('/api') || recorded.path.endsWith('.png') ? '' : OTHER_SITE_PAGE);
  });
  scope.defer(() => recorder.close());
  const context = await newContext(scope);
  const ui = await openPage(context, withRoute(url, '#/logs'));
  await explained(host, [ui.page], async () => {
    await ui.page.getByRole('toolbar', { name: 'Log filters' }).waitFor(DEADLINE);
    const appPath = new URL(ui.page.url()).pathname;
    assert.ok(!ui.page.url().includes(token), `the address bar no longer holds the token: ${ui.page.url()}`);
    assert.deepEqual(await context.cookies(), [], 'the browser() holds no cookie for the UI');
    await ui.page.reload();
    await ui.page.getByText('Runner ready: ollama llama3.2').first().waitFor(DEADLINE);
    assert.ok(!ui.frames.some((frame) => frame.includes(token)), 'the token is not echoed to the page');

    // Another local server, in the same profile: opened directly, at the UI's own path (as if it
    // had learnt it), and by following a link out of the UI (Referer).
    const other = await context.newPage();
    await other.goto(`${recorder.url}/`);
    await other.goto(`${recorder.url}${appPath}`);
    await ui.page.evaluate(`location.href = ${JSON.stringify(`${recorder.url}/from-the-ui`)}`);
    await ui.page.waitForURL(`${recorder.url}/from-the-ui`);
    await waitFor('every load of the other pages', () => recorder.requests.filter((seen) => seen.path.endsWith('/api')).length >= 3, HOST_WAIT_MS);
    const leaks = recorder.requests.filter((seen) => `${seen.path} ${JSON.stringify(seen.headers)}`.includes(token));
    t.diagnostic(`the other-port recorder: ${leaks.length} of ${recorder.requests.length} requests carried the token`);
    assert.deepEqual(leaks, [], `the other server saw the token (${leaks.length} of ${recorder.requests.length} requests)`);
    const uiOrigin = new URL(url).origin;
    const refererOfUi = recorder.requests.filter((seen) => (seen.headers.referer ?? '').startsWith(uiOrigin));
    assert.deepEqual(refererOfUi, [], 'no Referer names the UI');
    assert.ok(
      recorder.requests.every((seen) => seen.headers.cookie === undefined),
      'no cookie went to the other server',
    );
    assert.ok(recorder.requests.length >= 9, `pages, images and fetches were all recorded (${recorder.requests.length})`);

    // The address bar's URL, copied to a fresh profile, opens nothing and says what to open.
    const stranger = await newContext(scope);
    const copied = await stranger.newPage();
    await copied.goto(`${uiOrigin}${appPath}#/settings`);
    await copied.getByText('This page needs the access token. Open the URL that `npm run headless -- --ui` printed').waitFor(DEADLINE);

    // And the UI still opens from its printed URL in the same profile.
    const again = await openPage(context, withRoute(url, '#/overview'));
    await again.page.getByRole('region', { name: 'Runner' }).waitFor(DEADLINE);
    assert.deepEqual([...ui.problems, ...again.problems], [], 'no console errors');
  });
});

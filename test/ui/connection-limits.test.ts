/**
 * Connections that never finish a request, against the real headless host (`--ui`): they are
 * closed after the real 10 s deadline, counted from the connection (a socket that never sends a
 * byte included), and no more than the cap are open at the host at once.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import { MAX_CONNECTIONS, REQUEST_DEADLINE_MS } from '../../src/main/headless/ui-server.ts';
import { closeWithoutFirstRequest } from '../../src/main/headless/ui/first-request-deadline.ts';
import { ensureRendererBuilt } from '../../src/main/headless/renderer-build.ts';
import { freePort } from '../ollama/support.ts';
import { connectUi } from '../support/websocket.ts';
import { HOST_WAIT_MS, Scope, hostEnv, startHost, waitFor, type HeadlessHost } from '../support/e2e-host.ts';
import { tcpSockets } from '../support/proc.ts';

/** ESTABLISHED TCP connections whose local end is this port: the host's side of each client. */
const establishedAt = (port: number): number => tcpSockets().filter((socket) => socket.state === '01' && socket.port === port).length;

interface Client {
  socket: net.Socket;
  openedAt: number;
  /** Milliseconds from connecting to being closed by the host; undefined while open. */
  closedAfter: number | undefined;
}

/** A raw connection; one the host refuses before it is even connected counts as closed at once. */
function connect(port: number, send: string): Promise<Client> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const client: Client = { socket, openedAt: performance.now(), closedAfter: undefined };
    socket.on('close', () => {
      client.closedAfter = performance.now() - client.openedAt;
      resolve(client);
    });
    socket.on('error', () => undefined);
    socket.resume();
    socket.once('connect', () => {
      client.openedAt = performance.now();
      if (send) socket.write(send);
      resolve(client);
    });
  });
}

const status = (port: number, path: string): Promise<number> =>
  new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });

/** The real host with `--ui`, and the port and token of the URL it prints. */
async function startUiHost(t: TestContext): Promise<{ scope: Scope; host: HeadlessHost; url: string; port: number; token: string }> {
  await ensureRendererBuilt();
  const scope = new Scope(t);
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${await freePort()}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--ui', '--user-data-dir', scope.tempDir()], env);
  const line = await host.waitForLine('the UI to be ready', (text) => text.startsWith('UI ready: open '), 60_000);
  const url = new URL(line.slice('UI ready: open '.length));
  return { scope, host, url: url.href, port: Number(url.port), token: url.searchParams.get('token') ?? '' };
}

test('sockets that only connect are closed 10 s after connecting, an open tab stays, and the window gets in again', async (t) => {
  const { scope, host, url, port, token } = await startUiHost(t);
  // An open tab: its authenticated WebSocket may stay idle as long as it likes.
  const tab = await connectUi(url);
  scope.defer(() => tab.close());
  const idle = await Promise.all(Array.from({ length: MAX_CONNECTIONS - 1 }, () => connect(port, '')));
  scope.defer(() => idle.forEach((client) => client.socket.destroy()));
  await waitFor(`${MAX_CONNECTIONS} connections open at the host (the tab and the idle ones)`, () => establishedAt(port) === MAX_CONNECTIONS, HOST_WAIT_MS);
  const heldFrom = performance.now();

  // The window, trying again as the page does: refused while the idle sockets fill the cap.
  await assert.rejects(status(port, `/?token=${token}`), 'the cap is full, so the window cannot connect');
  const answer = await waitFor('the window to get an answer', () => status(port, `/?token=${token}`).catch(() => undefined), HOST_WAIT_MS);
  const waited = performance.now() - heldFrom;
  assert.equal(answer, 303, 'the UI answers once the idle sockets are gone');

  await waitFor('every idle socket to be closed by the host', () => idle.every((client) => client.closedAfter !== undefined), HOST_WAIT_MS);
  const times = idle.map((client) => client.closedAfter!);
  t.diagnostic(`${times.length} sockets that sent nothing: closed after ${(Math.min(...times) / 1000).toFixed(2)}-${(Math.max(...times) / 1000).toFixed(2)} s`);
  t.diagnostic(`the window got in ${(waited / 1000).toFixed(1)} s after the cap was full`);
  // Not early; the slack is this test process seeing its own connections late on a busy machine.
  assert.ok(Math.min(...times) >= REQUEST_DEADLINE_MS - 1_000, `closed after ${Math.min(...times)} ms, before the deadline`);
  // 10 s plus the host's event-loop delay on a busy machine; Node's own check alone allowed 11 s or never.
  assert.ok(Math.max(...times) <= REQUEST_DEADLINE_MS + 3_000, `closed after ${Math.max(...times)} ms`);
  assert.equal((await tab.request('state:get')).ok, true, 'the tab idle for over 10 s still answers');
  await waitFor("only the tab's connection left at the host", () => establishedAt(port) === 1, HOST_WAIT_MS);
  assert.equal(host.running, true);
});

test("the app's own timer closes a socket that sends nothing, with Node's deadlines off, and spares one that sent a request", async (t) => {
  const DEADLINE_MS = 500;
  // Node's two deadlines off: only the timer under test can close anything.
  const server = http.createServer({ headersTimeout: 0, requestTimeout: 0, keepAliveTimeout: 60_000 }, (request, response) => {
    settle(request.socket);
    response.end('ok');
  });
  const settle = closeWithoutFirstRequest(server, DEADLINE_MS);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const silent = await connect(port, '');
  const half = await connect(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
  const answered = await connect(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  t.after(async () => {
    [silent, half, answered].forEach((client) => client.socket.destroy());
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  await waitFor('the silent and the half-sent socket to be closed', () => silent.closedAfter !== undefined && half.closedAfter !== undefined, HOST_WAIT_MS);
  for (const client of [silent, half]) assert.ok(client.closedAfter! >= DEADLINE_MS / 2, `closed after ${client.closedAfter} ms, well before the deadline`);
  // The answered socket outlives the deadline twice over: its timer was cleared with its request.
  const twice = performance.now() + DEADLINE_MS;
  await waitFor('twice the deadline', () => performance.now() >= twice);
  assert.equal(answered.closedAfter, undefined, 'a socket that sent a complete request is left to keep-alive');
});

test('idle and half-sent connections are closed after 10 s, and at most 128 are open at the host', async (t) => {
  assert.equal(REQUEST_DEADLINE_MS, 10_000, 'the deadline this test measures is the real one');
  const { scope, host, port, token } = await startUiHost(t);
  const clients: Client[] = [];
  scope.defer(() => clients.forEach((client) => client.socket.destroy()));
  const hostHeader = `Host: 127.0.0.1:${port}\r\n`;

  // The attacks: sockets that send nothing, half a request, half a WebSocket upgrade, and a
  // request trickled one header line a second (each line resets an idle timer, not the deadline).
  const kinds: [string, number, string][] = [
    ['nothing', 50, ''],
    ['half a request', 40, `GET /?token=${token} HTTP/1.1\r\n${hostHeader}`],
    ['half an upgrade', 30, `GET /ws HTTP/1.1\r\n${hostHeader}Upgrade: websocket\r\nConnection: Upgrade\r\n`],
    ['a trickle', MAX_CONNECTIONS - 120, `GET / HTTP/1.1\r\n${hostHeader}`],
  ];
  const byKind = new Map<string, Client[]>();
  for (const [kind, count, send] of kinds) {
    const opened = await Promise.all(Array.from({ length: count }, () => connect(port, send)));
    byKind.set(kind, opened);
    clients.push(...opened);
  }
  const trickle = setInterval(() => byKind.get('a trickle')!.forEach((client) => client.socket.write('X-Slow: 1\r\n')), 1000);
  scope.defer(() => clearInterval(trickle));
  await waitFor(`${MAX_CONNECTIONS} connections open at the host`, () => establishedAt(port) === MAX_CONNECTIONS, HOST_WAIT_MS);

  // Over the cap: closed by the host at once, while the first ones are still open.
  const surplus = await Promise.all(Array.from({ length: 40 }, () => connect(port, '')));
  clients.push(...surplus);
  await waitFor('the surplus connections to be closed', () => surplus.every((client) => client.closedAfter !== undefined), HOST_WAIT_MS);
  const held = clients.slice(0, MAX_CONNECTIONS);
  assert.ok(
    held.every((client) => client.closedAfter === undefined),
    'the connections under the cap are still open',
  );
  assert.equal(establishedAt(port), MAX_CONNECTIONS, 'never more than the cap at the host');

  await waitFor('every held connection to be closed by the host', () => held.every((client) => client.closedAfter !== undefined), HOST_WAIT_MS);
  clearInterval(trickle);
  for (const [kind] of kinds) {
    const times = byKind.get(kind)!.map((client) => client.closedAfter!);
    t.diagnostic(`${kind}: ${times.length} closed after ${(Math.min(...times) / 1000).toFixed(1)}-${(Math.max(...times) / 1000).toFixed(1)} s`);
    // Not before the deadline (less the host's 1 s checking interval and a little clock slack).
    assert.ok(Math.min(...times) >= REQUEST_DEADLINE_MS - 1_100, `${kind} closed after ${Math.min(...times)} ms`);
  }
  const surplusTimes = surplus.map((client) => client.closedAfter!);
  t.diagnostic(`over the cap: ${surplus.length} closed after at most ${(Math.max(...surplusTimes) / 1000).toFixed(2)} s`);
  await waitFor('no connection left at the host', () => establishedAt(port) === 0, HOST_WAIT_MS);
  assert.equal(await status(port, `/?token=${token}`), 303, 'the UI answers again');
  assert.equal(host.running, true);
});

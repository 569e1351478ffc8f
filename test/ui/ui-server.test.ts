import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { startUiServer, type UiServer } from '../../src/main/headless/ui-server.ts';
import { RENDERER_CSP } from '../../src/main/static/renderer-csp.ts';
import type { EventName } from '../../src/shared/ipc.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { tempDir } from '../support/headless.ts';
import { appStateFixture } from '../support/app-state-fixture.ts';
import { messageText } from '../../src/main/headless/ui/ws-bridge.ts';
import { upgradeStatus } from '../support/websocket.ts';

const SECRET_OUTSIDE = 'this file is outside the renderer folder';
const FULL_KEY = 'sk-ant-api03-REALLYSECRETVALUE-0123456789abcdef';

interface Harness {
  server: UiServer;
  token: string;
  emit: (event: EventName, payload: unknown) => void;
  violations: string[];
}

/** A renderer folder with a page, an asset, and a secret beside it (and a symlink to it). */
function makeRendererDir(t: TestContext): string {
  const root = tempDir(t, 'stigmer-ui-');
  fs.writeFileSync(path.join(root, 'secret.txt'), SECRET_OUTSIDE);
  const rendererDir = path.join(root, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Stigmer</title><script type="module" src="./assets/app.js"></script>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(rendererDir, 'assets', 'link.txt'));
  return rendererDir;
}

/**
 * A small but real command handler: keeps keys in memory, answers state with masked keys only,
 * and (on purpose) adds a raw key to one answer, which the bridge must strip.
 */
async function startHarness(t: TestContext): Promise<Harness> {
  const keys = new Map<string, string>();
  const listeners = new Set<(event: EventName, payload: unknown) => void>();
  const violations: string[] = [];
  const server = await startUiServer({
    rendererDir: makeRendererDir(t),
    handleCommand: async (command, payload) => {
      const body = payload as Record<string, string>;
      switch (command) {
        case 'state:get': {
          const state = appStateFixture();
          const anthropic = keys.get('anthropic');
          if (anthropic) state.config.keys.anthropic = { source: 'session', masked: maskSecret(anthropic) };
          return { ...state, leakedKey: anthropic };
        }
        case 'keys:set':
          keys.set(body.provider!, body.key!);
          return {
            saved: true,
            check: { provider: body.provider, outcome: 'valid', status: 200, message: 'Anthropic accepted the key.', masked: maskSecret(body.key!) },
          };
        case 'runner:start':
          throw Object.assign(new Error('The runner command "nope" was not found.'), { fix: 'Set a runner command in Settings.' });
        default:
          return { ok: true };
      }
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onContractViolation: (message) => violations.push(message),
  });
  t.after(() => server.close());
  const token = new URL(server.url).searchParams.get('token') ?? '';
  return { server, token, emit: (event, payload) => listeners.forEach((listener) => listener(event, payload)), violations };
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with exactly these headers (fetch would not let a test set `Host`). */
function rawGet(port: number, requestPath: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path: requestPath, method: 'GET', headers: { Host: `127.0.0.1:${port}`, ...headers }, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

interface Client {
  socket: WebSocket;
  messages: Array<Record<string, unknown>>;
  call: (message: unknown) => Promise<Record<string, unknown>>;
  waitFor: (predicate: (message: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;
}

async function connect(t: TestContext, harness: Harness): Promise<Client> {
  const { port } = harness.server;
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${harness.token}`, { headers: { Origin: `http://127.0.0.1:${port}` } });
  t.after(() => socket.terminate());
  const messages: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(messageText(data)) as Record<string, unknown>);
    waiters.forEach((wake) => wake());
  });
  await new Promise<void>((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const waitFor = (predicate: (message: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = messages.find(predicate);
        if (found) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching message within 15 s; got ${JSON.stringify(messages).slice(0, 500)}`));
      }, 15_000);
      waiters.add(check);
      check();
    });
  let nextId = 1;
  const call = (message: unknown) => {
    const id = nextId++;
    socket.send(typeof message === 'string' ? message : JSON.stringify({ id, ...(message as object) }));
    return waitFor((reply) => reply.type === 'reply' && (typeof message === 'string' ? reply.id === null : reply.id === id));
  };
  return { socket, messages, call, waitFor };
}

test('the server listens on 127.0.0.1 only and prints a URL with a 32-byte token', async (t) => {
  const { server, token } = await startHarness(t);
  assert.match(server.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{43}$`));
  assert.equal(Buffer.from(token, 'base64url').length, 32);

  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address && !address.internal && address.family === 'IPv4');
  if (external) {
    const outcome = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: external.address, port: server.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    assert.equal(outcome, 'ECONNREFUSED', `the UI must not answer on ${external.address}`);
  }
  const loopback = await rawGet(server.port, `/?token=${token}`);
  assert.equal(loopback.status, 303);
});

test('two servers get different tokens', async (t) => {
  const first = await startHarness(t);
  const second = await startHarness(t);
  assert.notEqual(first.token, second.token);
});

/** The random path the page lives under: where the printed URL redirects. */
async function appPathOf({ server, token }: Harness): Promise<string> {
  const entry = await rawGet(server.port, `/?token=${token}`);
  assert.equal(entry.status, 303);
  const location = entry.headers.location ?? '';
  assert.ok(location.endsWith(`/?token=${token}`), 'the page gets the token in its first URL');
  return location.slice(0, -`?token=${token}`.length);
}

test('HTTP without the token or the app path is 401; the page and its files arrive without any cookie', async (t) => {
  const harness = await startHarness(t);
  const { server, token } = harness;
  const { port } = server;
  const appPath = await appPathOf(harness);
  assert.match(appPath, /^\/[A-Za-z0-9_-]{32}\/$/, 'a random 24-byte path');
  assert.ok(!appPath.includes(token), 'the app path does not reveal the token');

  const guesses = [
    '/',
    '/assets/app.js',
    '/index.html',
    `/?token=${token.slice(0, -1)}x`,
    '/?token=',
    `/?token=${token}extra`,
    `${appPath.slice(0, -2)}x/`,
    `${appPath}?token=wrong`,
  ];
  for (const requestPath of guesses) {
    const response = await rawGet(port, requestPath);
    assert.equal(response.status, 401, requestPath);
    assert.match(response.body, /access token/);
    assert.equal(response.headers['set-cookie'], undefined);
  }
  const cookieOfOldVersions = await rawGet(port, '/assets/app.js', { Cookie: `stigmer_ui_${port}=${token}` });
  assert.equal(cookieOfOldVersions.status, 401, 'a cookie opens nothing');

  const page = await rawGet(port, appPath);
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>Stigmer<\/title>/);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['content-security-policy'], RENDERER_CSP);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['set-cookie'], undefined, 'no cookie, which every other port of 127.0.0.1 would get');

  const asset = await rawGet(port, `${appPath}assets/app.js`);
  assert.equal(asset.status, 200);
  assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(asset.body, 'console.log("app");');
  assert.equal(asset.headers['set-cookie'], undefined);
});

test('a foreign Origin or a rebinding Host is 403 on HTTP, even with the token', async (t) => {
  const { server, token } = await startHarness(t);
  const { port } = server;
  const withToken = `/?token=${token}`;

  for (const host of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `127.0.0.1.evil.example:${port}`]) {
    const response = await rawGet(port, withToken, { Host: host });
    assert.equal(response.status, 403, host);
    assert.match(response.body, /Host header/);
  }
  for (const host of [`localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
    assert.equal((await rawGet(port, withToken, { Host: host })).status, 303, host);
  }

  for (const origin of ['http://evil.example', `http://evil.example:${port}`, 'null', `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]) {
    const response = await rawGet(port, withToken, { Origin: origin });
    assert.equal(response.status, 403, origin);
    assert.match(response.body, /other origins/);
  }
  assert.equal((await rawGet(port, withToken, { Origin: `http://localhost:${port}` })).status, 303);
});

test('WebSocket upgrades need the token, a same-origin Origin and a loopback Host', async (t) => {
  const { server, token } = await startHarness(t);
  const { port } = server;
  const origin = `http://127.0.0.1:${port}`;

  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/ws`, { Origin: origin }), 401);
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/ws?token=${token.toUpperCase()}`, { Origin: origin }), 401);
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/ws?token=${token}`, { Origin: 'http://evil.example' }), 403);
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/ws?token=${token}`, { Origin: origin, Host: `evil.example:${port}` }), 403);
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/ws?token=${token}`, { Origin: origin }), 101);
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/ws`, { Origin: origin, Cookie: `stigmer_ui_${port}=${token}` }), 401, 'a cookie is no token');
});

test('paths outside the renderer folder are never served', async (t) => {
  const harness = await startHarness(t);
  const { server } = harness;
  const appPath = (await appPathOf(harness)).slice(0, -1);
  for (const relative of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/assets/link.txt',
    '/%00index.html',
    '/%E0%A4%A',
    '/assets',
  ]) {
    const requestPath = `${appPath}${relative}`;
    const response = await rawGet(server.port, requestPath);
    assert.ok([400, 401, 404].includes(response.status), `${requestPath} answered ${response.status}`);
    assert.doesNotMatch(response.body, new RegExp(SECRET_OUTSIDE), requestPath);
  }
});

test('the bridge answers commands and names the problem with unknown commands and bad payloads', async (t) => {
  const harness = await startHarness(t);
  const client = await connect(t, harness);

  const state = await client.call({ command: 'state:get', payload: {} });
  assert.equal(state.ok, true);
  assert.equal((state.value as { config: { provider: { source: string } } }).config.provider.source, 'env:LLM_PROVIDER');

  const unknown = await client.call({ command: 'files:delete', payload: {} });
  assert.equal(unknown.ok, false);
  assert.match((unknown.error as { message: string }).message, /Unknown command "files:delete"/);

  const badType = await client.call({ command: 'config:set-provider', payload: { provider: 'olama' } });
  assert.equal(badType.ok, false);
  assert.match((badType.error as { message: string }).message, /Invalid payload for "config:set-provider": provider/);
  assert.equal((badType.error as { field: string }).field, 'provider');

  const oversizedKey = await client.call({ command: 'keys:set', payload: { provider: 'anthropic', key: 'k'.repeat(513) } });
  assert.equal((oversizedKey.error as { field: string }).field, 'key');
  assert.doesNotMatch(JSON.stringify(oversizedKey), /kkkkkkkk/, 'the rejected value is not echoed');

  const notJson = await client.call('{"id": 1, "command":');
  assert.match((notJson.error as { message: string }).message, /not valid JSON/);

  const noCommand = await client.call({ payload: {} });
  assert.match((noCommand.error as { message: string }).message, /"command": string/);

  const failing = await client.call({ command: 'runner:start', payload: {} });
  assert.deepEqual(failing.error, { command: 'runner:start', message: 'The runner command "nope" was not found.', fix: 'Set a runner command in Settings.' });
});

test('a full key sent with keys:set never comes back to the page', async (t) => {
  const harness = await startHarness(t);
  const client = await connect(t, harness);

  const saved = await client.call({ command: 'keys:set', payload: { provider: 'anthropic', key: FULL_KEY } });
  assert.equal((saved.value as { check: { masked: string } }).check.masked, maskSecret(FULL_KEY));
  const state = await client.call({ command: 'state:get', payload: {} });
  assert.equal((state.value as { config: { keys: { anthropic: { masked: string } } } }).config.keys.anthropic.masked, maskSecret(FULL_KEY));
  harness.emit('state', { ...(state.value as object), rawKey: FULL_KEY });
  await client.waitFor((message) => message.type === 'event' && message.event === 'state');

  const everything = JSON.stringify(client.messages);
  assert.ok(!everything.includes(FULL_KEY), 'a full key reached the page');
  assert.ok(!everything.includes('REALLYSECRETVALUE'));
});

test('events reach every page; one that breaks the contract is reported, not sent', async (t) => {
  const harness = await startHarness(t);
  const first = await connect(t, harness);
  const second = await connect(t, harness);

  harness.emit('logs', {
    entries: [{ seq: 1, ts: '2025-10-02T09:14:11.000Z', source: 'runner', stream: 'stdout', level: 'info', msg: 'worker ready' }],
    skipped: 3,
  });
  for (const client of [first, second]) {
    const event = await client.waitFor((message) => message.type === 'event' && message.event === 'logs');
    assert.deepEqual((event.payload as { skipped: number }).skipped, 3);
  }

  harness.emit('playground', { type: 'delta', taskId: '', text: 'hi' });
  harness.emit('files' as EventName, { path: '/etc/passwd' });
  assert.equal(harness.violations.length, 2);
  assert.match(harness.violations[0]!, /"playground" event does not match the contract: taskId/);
  assert.match(harness.violations[1]!, /Unknown event "files"/);
  harness.emit('playground', { type: 'delta', taskId: 't1', text: 'after' });
  await first.waitFor((message) => message.type === 'event' && message.event === 'playground');
  assert.equal(first.messages.filter((message) => message.event === 'playground').length, 1);
});

test('a message over 1 MiB closes the connection with 1009', async (t) => {
  const harness = await startHarness(t);
  const client = await connect(t, harness);
  const closed = new Promise<number>((resolve) => client.socket.once('close', (code) => resolve(code)));
  client.socket.send(JSON.stringify({ id: 1, command: 'playground:run', payload: { prompt: 'x'.repeat(1024 * 1024) } }));
  assert.equal(await closed, 1009);
});

test('a prompt over 32 KiB is refused with a message naming the field', async (t) => {
  const harness = await startHarness(t);
  const client = await connect(t, harness);
  const reply = await client.call({ command: 'playground:run', payload: { prompt: 'x'.repeat(32 * 1024 + 1) } });
  assert.equal((reply.error as { field: string }).field, 'prompt');
  assert.match((reply.error as { message: string }).message, /Invalid payload for "playground:run": prompt: Too big/);
});

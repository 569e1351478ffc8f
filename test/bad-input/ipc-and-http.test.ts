/**
 * Bad IPC payloads (the contract's `parseCommand`, then the real WebSocket bridge) and bad HTTP
 * requests to the headless UI server: each is refused with a clear answer and never reaches
 * the app core.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startUiServer, type UiServer } from '../../src/main/headless/ui-server.ts';
import { upgradeStatus } from '../support/websocket.ts';
import { parseCommand } from '../../src/shared/ipc.ts';
import { LIMITS } from '../../src/shared/limits.ts';
import { messageText } from '../../src/main/headless/ui/ws-bridge.ts';

const KEY = 'sk-ant-api03-bad-input-corpus-key-0000000000000000';

/** Command name, payload, and what the failure must say (it names the command and the field). */
const BAD_PAYLOADS: [string, unknown, unknown, RegExp][] = [
  ['an empty command name', '', {}, /^Unknown command "". Known commands: state:get, /],
  ['a command in the wrong case', 'STATE:GET', {}, /^Unknown command "STATE:GET"/],
  ['a command with a trailing space', 'state:get ', {}, /^Unknown command "state:get "/],
  ['an inherited property as a command', '__proto__', {}, /^Unknown command "__proto__"/],
  ['constructor as a command', 'constructor', {}, /^Unknown command "constructor"/],
  ['toString as a command', 'toString', {}, /^Unknown command "toString"/],
  ['a number as a command', 42, {}, /^Unknown command of type number/],
  ['null as a command', null, {}, /^Unknown command of type null/],
  ['an object as a command', { command: 'state:get' }, {}, /^Unknown command of type object/],
  ['a 10 000-character command is shown cut', 'x'.repeat(10_000), {}, /^Unknown command "x{64}"\. Known/],
  ['a command in unicode look-alikes', 'ѕtate:get', {}, /^Unknown command "ѕtate:get"/],
  ['state:get with an extra field', 'state:get', { verbose: true }, /^Invalid payload for "state:get": \(payload\): Unrecognized key/],
  ['state:get with an array payload', 'state:get', [], /^Invalid payload for "state:get": \(payload\): /],
  ['state:get with a string payload', 'state:get', 'all', /^Invalid payload for "state:get": \(payload\): /],
  ['set-provider with an unknown provider', 'config:set-provider', { provider: 'gemini' }, /^Invalid payload for "config:set-provider": provider: /],
  ['set-provider with a number', 'config:set-provider', { provider: 1 }, /^Invalid payload for "config:set-provider": provider: /],
  ['set-provider in capitals', 'config:set-provider', { provider: 'OLLAMA' }, /^Invalid payload for "config:set-provider": provider: /],
  ['set-provider without a provider', 'config:set-provider', {}, /^Invalid payload for "config:set-provider": provider: /],
  [
    'set-provider with an extra field',
    'config:set-provider',
    { provider: 'ollama', force: true },
    /^Invalid payload for "config:set-provider": \(payload\): Unrecognized key/,
  ],
  ['set-model with an empty model', 'config:set-model', { provider: 'ollama', model: '' }, /^Invalid payload for "config:set-model": model: /],
  ['set-model with a blank model', 'config:set-model', { provider: 'ollama', model: ' \t ' }, /^Invalid payload for "config:set-model": model: /],
  [
    'set-model with an oversized model',
    'config:set-model',
    { provider: 'ollama', model: 'm'.repeat(LIMITS.model + 1) },
    /^Invalid payload for "config:set-model": model: /,
  ],
  ['set-model with a model as an array', 'config:set-model', { provider: 'ollama', model: ['llama3.2'] }, /^Invalid payload for "config:set-model": model: /],
  ['keys:set for Ollama', 'keys:set', { provider: 'ollama', key: KEY }, /^Invalid payload for "keys:set": provider: /],
  [
    'keys:set with an oversized key',
    'keys:set',
    { provider: 'anthropic', key: `${KEY}${'k'.repeat(LIMITS.apiKey)}` },
    /^Invalid payload for "keys:set": key: /,
  ],
  ['keys:set with an empty key', 'keys:set', { provider: 'openai', key: '' }, /^Invalid payload for "keys:set": key: /],
  ['keys:set with a key as a number', 'keys:set', { provider: 'openai', key: 12345 }, /^Invalid payload for "keys:set": key: /],
  ['keys:remove for an unknown provider', 'keys:remove', { provider: 'azure' }, /^Invalid payload for "keys:remove": provider: /],
  ['models:list with null', 'models:list', { provider: null }, /^Invalid payload for "models:list": provider: /],
  ['ollama:pull with an oversized model', 'ollama:pull', { model: 'q'.repeat(LIMITS.model + 1) }, /^Invalid payload for "ollama:pull": model: /],
  ['ollama:pull with an object', 'ollama:pull', { model: { name: 'llama3.2' } }, /^Invalid payload for "ollama:pull": model: /],
  ['ollama:pull with use as a string', 'ollama:pull', { model: 'llama3.2', use: 'yes' }, /^Invalid payload for "ollama:pull": use: /],
  ['ollama:delete without a model', 'ollama:delete', {}, /^Invalid payload for "ollama:delete": model: /],
  ['ollama:unload with a blank model', 'ollama:unload', { model: '  ' }, /^Invalid payload for "ollama:unload": model: /],
  [
    'config:set-base-url for an unknown provider',
    'config:set-base-url',
    { provider: 'lmstudio', baseUrl: 'http://127.0.0.1:1234/v1' },
    /^Invalid payload for "config:set-base-url": provider: /,
  ],
  [
    'config:set-base-url with an oversized URL',
    'config:set-base-url',
    { provider: 'openai', baseUrl: `http://${'u'.repeat(LIMITS.baseUrl)}` },
    /^Invalid payload for "config:set-base-url": baseUrl: /,
  ],
  [
    'runner:set-command with restart as a string',
    'runner:set-command',
    { command: null, restart: 'later' },
    /^Invalid payload for "runner:set-command": restart: /,
  ],
  ['wizard:defer without the flag', 'wizard:defer', {}, /^Invalid payload for "wizard:defer": deferred: /],
  [
    'ollama:set-options with a huge context',
    'ollama:set-options',
    { modelsDir: null, contextLength: 1e12, keepAlive: null, exposeToNetwork: false },
    /^Invalid payload for "ollama:set-options": contextLength: /,
  ],
  [
    'ollama:set-options with a string boolean',
    'ollama:set-options',
    { modelsDir: null, contextLength: null, keepAlive: null, exposeToNetwork: 'false' },
    /^Invalid payload for "ollama:set-options": exposeToNetwork: /,
  ],
  [
    'ollama:set-options with an oversized folder',
    'ollama:set-options',
    { modelsDir: 'd'.repeat(LIMITS.path + 1), contextLength: null, keepAlive: null, exposeToNetwork: false },
    /^Invalid payload for "ollama:set-options": modelsDir: /,
  ],
  [
    'runner:set-command with an oversized command',
    'runner:set-command',
    { command: 'c'.repeat(LIMITS.command + 1) },
    /^Invalid payload for "runner:set-command": command: /,
  ],
  ['runner:set-command with argv as an array', 'runner:set-command', { command: ['node', 'x.js'] }, /^Invalid payload for "runner:set-command": command: /],
  ['runner:set-command without the field', 'runner:set-command', {}, /^Invalid payload for "runner:set-command": command: /],
  ['logs:recent with a limit of 0', 'logs:recent', { limit: 0 }, /^Invalid payload for "logs:recent": limit: /],
  ['logs:recent with a limit too high', 'logs:recent', { limit: LIMITS.logRecentEntries + 1 }, /^Invalid payload for "logs:recent": limit: /],
  ['logs:recent with a fractional limit', 'logs:recent', { limit: 10.5 }, /^Invalid payload for "logs:recent": limit: /],
  ['logs:recent with a limit as a string', 'logs:recent', { limit: '100' }, /^Invalid payload for "logs:recent": limit: /],
  [
    'logs:recent with an unknown source',
    'logs:recent',
    { limit: 10, filter: { sources: ['kernel'] } },
    /^Invalid payload for "logs:recent": filter\.sources\.0: /,
  ],
  [
    'logs:recent with an oversized filter text',
    'logs:recent',
    { limit: 10, filter: { text: 't'.repeat(LIMITS.logFilterText + 1) } },
    /^Invalid payload for "logs:recent": filter\.text: /,
  ],
  ['logs:recent with an unknown level', 'logs:recent', { limit: 10, filter: { minLevel: 'loud' } }, /^Invalid payload for "logs:recent": filter\.minLevel: /],
  ['playground:run with an empty prompt', 'playground:run', { prompt: '' }, /^Invalid payload for "playground:run": prompt: /],
  ['playground:run with an oversized prompt', 'playground:run', { prompt: 'p'.repeat(LIMITS.prompt + 1) }, /^Invalid payload for "playground:run": prompt: /],
  [
    'playground:run with an oversized system prompt',
    'playground:run',
    { prompt: 'hi', system: 's'.repeat(LIMITS.systemPrompt + 1) },
    /^Invalid payload for "playground:run": system: /,
  ],
  ['playground:cancel with an empty task id', 'playground:cancel', { taskId: '' }, /^Invalid payload for "playground:cancel": taskId: /],
  [
    'playground:cancel with an oversized task id',
    'playground:cancel',
    { taskId: 'i'.repeat(LIMITS.taskId + 1) },
    /^Invalid payload for "playground:cancel": taskId: /,
  ],
];

for (const [name, command, payload, expected] of BAD_PAYLOADS) {
  test(`IPC: ${name} is refused, naming the command and field, never echoing a value`, () => {
    const parsed = parseCommand(command, payload);
    assert.equal(parsed.ok, false);
    if (parsed.ok) return;
    assert.match(parsed.error.message, expected);
    assert.ok(!parsed.error.message.includes(KEY.slice(0, 20)), 'a key is never echoed');
    assert.ok(parsed.error.message.length < 2_000, 'the message stays short whatever the input');
  });
}

// ---- The real WebSocket bridge and HTTP guard, over a recording handler ------------------------

let server: UiServer;
let token: string;
let rendererDir: string;
const handled: string[] = [];

before(async () => {
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bad-http-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Stigmer</title>');
  server = await startUiServer({
    rendererDir,
    handleCommand: async (command) => {
      handled.push(command);
      return { ok: true };
    },
    subscribe: () => () => undefined,
  });
  token = new URL(server.url).searchParams.get('token') ?? '';
});

after(async () => {
  await server?.close();
  if (rendererDir) fs.rmSync(rendererDir, { recursive: true, force: true });
});

/** Sends one frame on a fresh, authorised socket and returns the first answer, or the close code. */
async function exchange(frame: string | Buffer): Promise<{ reply?: Record<string, unknown>; closeCode?: number }> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${token}`, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
  await new Promise<void>((resolve, reject) => socket.once('open', resolve).once('error', reject));
  try {
    return await new Promise((resolve) => {
      socket.once('message', (data) => resolve({ reply: JSON.parse(messageText(data)) as Record<string, unknown> }));
      socket.once('close', (code) => resolve({ closeCode: code }));
      socket.send(frame);
    });
  } finally {
    socket.terminate();
  }
}

const BAD_FRAMES: [string, string | Buffer, (answer: { reply?: Record<string, unknown>; closeCode?: number }) => void][] = [
  [
    'text that is not JSON',
    '{"id":1,"command":',
    ({ reply }) => assert.deepEqual(reply, { type: 'reply', id: null, ok: false, error: { message: 'The message is not valid JSON.' } }),
  ],
  ['a binary frame', Buffer.from([1, 2, 3]), ({ reply }) => assert.deepEqual(reply?.error, { message: 'Binary messages are not accepted; send JSON text.' })],
  [
    'a JSON array',
    '[1,2]',
    ({ reply }) => assert.deepEqual(reply?.error, { message: 'A message must be {"id": number, "command": string, "payload": object}.' }),
  ],
  [
    'a message without an id',
    '{"command":"state:get","payload":{}}',
    ({ reply }) => assert.equal((reply!.error as { message: string }).message, 'A message must be {"id": number, "command": string, "payload": object}.'),
  ],
  [
    'a negative id',
    '{"id":-1,"command":"state:get","payload":{}}',
    ({ reply }) => assert.match((reply!.error as { message: string }).message, /A message must be/),
  ],
  [
    'an id as a string',
    '{"id":"1","command":"state:get","payload":{}}',
    ({ reply }) => assert.match((reply!.error as { message: string }).message, /A message must be/),
  ],
  [
    'a command longer than any command',
    JSON.stringify({ id: 7, command: 'c'.repeat(65), payload: {} }),
    ({ reply }) => assert.deepEqual([reply?.id, reply?.ok], [7, false]),
  ],
  [
    'an unknown command',
    JSON.stringify({ id: 8, command: 'shell:exec', payload: { cmd: 'rm -rf /' } }),
    ({ reply }) => assert.match((reply!.error as { message: string }).message, /^Unknown command "shell:exec"/),
  ],
  [
    'a payload of the wrong type',
    JSON.stringify({ id: 9, command: 'config:set-provider', payload: { provider: 7 } }),
    ({ reply }) => assert.deepEqual([reply?.id, (reply!.error as { field: string }).field], [9, 'provider']),
  ],
  [
    'an oversized prompt',
    JSON.stringify({ id: 10, command: 'playground:run', payload: { prompt: 'p'.repeat(LIMITS.prompt + 1) } }),
    ({ reply }) => assert.match((reply!.error as { message: string }).message, /^Invalid payload for "playground:run": prompt: /),
  ],
  [
    'a frame over 1 MiB',
    JSON.stringify({ id: 11, command: 'state:get', payload: { pad: 'x'.repeat(1024 * 1024) } }),
    ({ closeCode }) => assert.equal(closeCode, 1009),
  ],
];

for (const [name, frame, check] of BAD_FRAMES) {
  test(`WebSocket: ${name} gets a clear refusal and never reaches the core`, async () => {
    const before = handled.length;
    check(await exchange(frame));
    assert.equal(handled.length, before, 'the handler was not called');
  });
}

/** A GET with exactly these headers (fetch would not let a test set `Host`). */
function rawGet(requestPath: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: server.port, path: requestPath, method: 'GET', headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

const own = () => `127.0.0.1:${server.port}`;
const BAD_REQUESTS: [string, () => string, () => Record<string, string>, number, RegExp][] = [
  ['no token', () => '/', () => ({ Host: own() }), 401, /needs the access token/],
  ['a wrong token', () => '/?token=wrong', () => ({ Host: own() }), 401, /needs the access token/],
  [
    'the token with one character changed',
    () => `/?token=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
    () => ({ Host: own() }),
    401,
    /needs the access token/,
  ],
  ['an empty token', () => '/?token=', () => ({ Host: own() }), 401, /needs the access token/],
  ['a wrong token in the cookie', () => '/', () => ({ Host: own(), Cookie: `stigmer_ui_${server.port}=nope` }), 401, /needs the access token/],
  [
    'a foreign Origin with the right token',
    () => `/?token=${token}`,
    () => ({ Host: own(), Origin: 'https://evil.example' }),
    403,
    /requests from other origins are refused/,
  ],
  ['a null Origin', () => `/?token=${token}`, () => ({ Host: own(), Origin: 'null' }), 403, /other origins/],
  ['an Origin on another port', () => `/?token=${token}`, () => ({ Host: own(), Origin: 'http://127.0.0.1:1' }), 403, /other origins/],
  ['a rebinding Host name', () => `/?token=${token}`, () => ({ Host: `evil.example:${server.port}` }), 403, /the Host header must be 127\.0\.0\.1:/],
  ['a Host on another port', () => `/?token=${token}`, () => ({ Host: '127.0.0.1:1' }), 403, /the Host header must be/],
  ['a Host without a port', () => `/?token=${token}`, () => ({ Host: '127.0.0.1' }), 403, /the Host header must be/],
  ['a Host of 0.0.0.0', () => `/?token=${token}`, () => ({ Host: `0.0.0.0:${server.port}` }), 403, /the Host header must be/],
  ['a Host that merely ends in localhost', () => `/?token=${token}`, () => ({ Host: `evil-localhost:${server.port}` }), 403, /the Host header must be/],
];

for (const [name, requestPath, headers, status, expected] of BAD_REQUESTS) {
  test(`HTTP: ${name} is refused with ${status} and a reason`, async () => {
    const before = handled.length;
    const response = await rawGet(requestPath(), headers());
    assert.equal(response.status, status);
    assert.match(response.body, expected);
    assert.ok(!response.body.includes('<title>Stigmer</title>'), 'the page is not served');
    assert.equal(handled.length, before);
  });
}

test('HTTP: a WebSocket upgrade without the token is refused with 401 before any command', async () => {
  const status = await upgradeStatus(`ws://127.0.0.1:${server.port}/ws`, { Origin: `http://127.0.0.1:${server.port}` });
  assert.equal(status, 401);
});

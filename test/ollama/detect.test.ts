import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { probeOllama } from '../../src/main/ollama/detect.ts';
import { startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort, listenTcp } from './support.ts';

test('a running Ollama is detected with its version', async (t) => {
  const fake = await startFakeOllama({ version: '0.7.1' });
  t.after(() => fake.close());
  assert.deepEqual(await probeOllama(fake.url), { kind: 'running', version: '0.7.1' });
});

test('nothing listening is "refused"', async () => {
  const port = await freePort();
  assert.deepEqual(await probeOllama(`http://127.0.0.1:${port}`), { kind: 'refused' });
});

test('another HTTP server on the port is "foreign", says what answered, and keeps running', async (t) => {
  const server = http.createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const result = await probeOllama(url);
  assert.equal(result.kind, 'foreign');
  assert.match(result.kind === 'foreign' ? result.detail : '', /HTTP 404 \(text\/html\): <h1>Not Found<\/h1>/);
  assert.equal(server.listening, true);
  const stillServing = await fetch(url);
  assert.equal(stillServing.status, 404);
});

test('a server answering 200 without an Ollama version is "foreign"', async (t) => {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const result = await probeOllama(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  assert.equal(result.kind, 'foreign');
});

test('a non-HTTP service on the port is "foreign"', async (t) => {
  const port = await listenTcp(t, (socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
  const result = await probeOllama(`http://127.0.0.1:${port}`);
  assert.equal(result.kind, 'foreign');
});

test('a socket that accepts and never answers is a "timeout" within the bound', async (t) => {
  let connections = 0;
  const port = await listenTcp(t, () => (connections += 1));
  const result = await probeOllama(`http://127.0.0.1:${port}`, { timeoutMs: 300 });
  assert.deepEqual(result, { kind: 'timeout', afterMs: 300 });
  assert.equal(connections, 1);
});

test('a probe with no answer says so once, before its timeout verdict; one that is answered says nothing', async (t) => {
  const port = await listenTcp(t, () => undefined);
  const events: string[] = [];
  const result = await probeOllama(`http://127.0.0.1:${port}`, { timeoutMs: 1500, onSlow: (elapsedMs) => events.push(`slow after ${elapsedMs} ms`) });
  events.push(`verdict ${result.kind}`);
  assert.deepEqual(events, ['slow after 300 ms', 'verdict timeout']);

  const fake = await startFakeOllama();
  t.after(() => fake.close());
  const answered: number[] = [];
  assert.equal((await probeOllama(fake.url, { onSlow: (elapsedMs) => answered.push(elapsedMs), slowAfterMs: 60_000, timeoutMs: 120_000 })).kind, 'running');
  assert.deepEqual(answered, []);
});

test('a host name that does not resolve is "unreachable" (or a timeout where DNS hangs), never "refused"', async () => {
  const result = await probeOllama('http://ollama-remote.invalid:11434', { timeoutMs: 5000 });
  assert.ok(result.kind === 'unreachable' || result.kind === 'timeout', JSON.stringify(result));
});

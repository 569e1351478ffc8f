/**
 * Behind a proxy: with NODE_USE_ENV_PROXY=1 and HTTP_PROXY set (as a user behind a corporate proxy
 * sets them), every request of the install (the latest tag, the checksum file, the archive) goes
 * through the proxy, and the release is installed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../support/headless.ts';
import { buildArchive, linuxAsset, startReleaseServer } from './release-server.ts';

const INSTALLER = path.join(import.meta.dirname, '..', '..', 'src', 'main', 'ollama', 'install', 'installer.ts');

/**
 * An HTTP proxy on loopback that records what it was asked: an absolute URL for a forwarded
 * request, `CONNECT host:port` for a tunnel (Node's fetch tunnels through the proxy even to http).
 */
async function startProxy(t: { after(fn: () => Promise<void>): void }): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const sockets = new Set<net.Socket>();
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host = '', port = ''] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  server.unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test(
  'with NODE_USE_ENV_PROXY=1 and HTTP_PROXY, the install reaches the releases only through the proxy and succeeds',
  { skip: process.platform === 'win32' },
  async (t) => {
    const dir = tempDir(t, 'stigmer-ollama-proxy-');
    const releases = await startReleaseServer(t);
    releases.publish('0.14.2', buildArchive(dir, '0.14.2'));
    const proxy = await startProxy(t);
    const dataDir = path.join(dir, 'ollama');
    const script = `
    import { OllamaInstaller } from ${JSON.stringify(INSTALLER)};
    const installer = new OllamaInstaller({ dataDir: ${JSON.stringify(dataDir)}, releasesUrl: () => ${JSON.stringify(releases.url)}, platform: 'linux' });
    const release = await installer.prepare({ signal: AbortSignal.timeout(60_000), onProgress: () => {} });
    console.log(JSON.stringify(release));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, NODE_USE_ENV_PROXY: '1', HTTP_PROXY: proxy.url, NO_PROXY: '' },
      timeout: 90_000,
    });
    const release = JSON.parse(stdout) as { version: string; path: string };
    assert.equal(release.version, '0.14.2');
    assert.ok(fs.existsSync(release.path));
    const { host } = new URL(releases.url);
    assert.ok(proxy.seen.length > 0, 'the proxy was used');
    assert.deepEqual([...new Set(proxy.seen)], [`CONNECT ${host}`], 'every connection to the releases went through the proxy');
    assert.equal(releases.ranges.length, 1, 'the archive was fetched once, through it');
    assert.equal(linuxAsset('0.14.2').endsWith('.tar.zst'), true);
  },
);

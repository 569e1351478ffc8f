/**
 * A loopback stand-in for Ollama's GitHub releases: `/releases/latest` redirects to the newest
 * tag, `/releases/download/<tag>/<asset>` serves stand-in archives (a tar holding an `ollama`
 * script that runs the Ollama double) and their `sha256sum.txt`, with Range support and faults
 * to order (a wrong checksum, a truncated archive, a slow or dropped connection, 404).
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { FAKE_OLLAMA_BIN_DIR } from '../doubles/ollama/server.ts';

const FAKE_OLLAMA_CLI = path.join(FAKE_OLLAMA_BIN_DIR, '..', 'cli.ts');

/** This machine's Linux asset name for a version, as Ollama names it. */
export const linuxAsset = (version: string): string =>
  `ollama-linux-${process.arch === 'arm64' ? 'arm64' : 'amd64'}.${Number(version.split('.')[1]) >= 14 || Number(version.split('.')[0]) >= 1 ? 'tar.zst' : 'tgz'}`;

/**
 * A release archive as Ollama lays it out on Linux (`bin/ollama`): the script runs the Ollama
 * double with a config naming `version`; `broken` makes it exit at once instead.
 */
export function buildArchive(dir: string, version: string, options: { broken?: boolean; padBytes?: number } = {}): Buffer {
  const tree = fs.mkdtempSync(path.join(dir, `tree-${version}-`));
  fs.mkdirSync(path.join(tree, 'bin'));
  fs.mkdirSync(path.join(tree, 'lib', 'ollama'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'lib', 'ollama', 'README'), `libraries of ${version}\n`);
  // Random bytes do not compress: a stand-in for the libraries' size, so a download takes a while.
  if (options.padBytes) fs.writeFileSync(path.join(tree, 'lib', 'ollama', 'libggml.so'), randomBytes(options.padBytes));
  const config = path.join(dir, `fake-${version}.json`);
  fs.writeFileSync(config, JSON.stringify({ version }));
  const script = options.broken
    ? '#!/bin/sh\necho "Error: this build is broken" >&2\nexit 1\n'
    : `#!/bin/sh\nexport FAKE_OLLAMA_CONFIG='${config}'\nexec '${process.execPath}' '${FAKE_OLLAMA_CLI}' "$@"\n`;
  fs.writeFileSync(path.join(tree, 'bin', 'ollama'), script, { mode: 0o755 });
  const tar = spawnSync('tar', ['-c', '-f', '-', '-C', tree, 'bin', 'lib'], { maxBuffer: 64 * 1024 * 1024 });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
  return linuxAsset(version).endsWith('.tgz') ? zlib.gzipSync(tar.stdout) : zlib.zstdCompressSync(tar.stdout);
}

export interface ReleaseFault {
  /** `sha256sum.txt` lists this hash instead of the archive's. */
  wrongChecksum?: boolean;
  /** The archive is served cut to this many bytes (with a matching Content-Length). */
  truncateTo?: number;
  /** The first request for the archive closes the connection after this many bytes. */
  dropAfter?: number;
  /** Bytes per 50 ms tick, for a slow server. */
  bytesPerTick?: number;
  /** The archive answers 404. */
  missing?: boolean;
}

export interface ReleaseServer {
  url: string;
  /** Publishes a release and makes it the latest. */
  publish(version: string, archive: Buffer, fault?: ReleaseFault): void;
  /** Each archive request's Range header (or null). */
  ranges: (string | null)[];
  /** How many times `/releases/latest` was asked. */
  latestAsked: () => number;
  close(): Promise<void>;
}

export async function startReleaseServer(t: { after(fn: () => Promise<void>): void }): Promise<ReleaseServer> {
  const releases = new Map<string, { archive: Buffer; fault: ReleaseFault; dropped: boolean }>();
  let latest: string | undefined;
  const ranges: (string | null)[] = [];
  let latestAsked = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/releases/latest' && latest) {
      latestAsked += 1;
      res.writeHead(302, { Location: `/releases/tag/v${latest}` }).end();
      return;
    }
    const match = /^\/releases\/download\/v([^/]+)\/([^/]+)$/.exec(url);
    const release = match?.[1] ? releases.get(match[1]) : undefined;
    if (!match || !release) {
      res.writeHead(404).end('Not Found');
      return;
    }
    const [, version = '', asset] = match;
    const { archive, fault } = release;
    if (asset === 'sha256sum.txt') {
      const hash = fault.wrongChecksum ? 'f'.repeat(64) : createHash('sha256').update(archive).digest('hex');
      // As Ollama publishes it: other assets too, names with a leading ./
      res.end(`${'0'.repeat(64)}  ./ollama-darwin.tgz\n${hash}  ./${linuxAsset(version)}\n`);
      return;
    }
    if (asset !== linuxAsset(version) || fault.missing) {
      res.writeHead(404).end('Not Found');
      return;
    }
    ranges.push(req.headers.range ?? null);
    const body = fault.truncateTo === undefined ? archive : archive.subarray(0, fault.truncateTo);
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    if (start >= body.length && start > 0) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    const part = body.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      'Content-Length': part.length,
      'Content-Type': 'application/octet-stream',
      ...(start > 0 ? { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (fault.dropAfter !== undefined && !release.dropped) {
      release.dropped = true;
      res.write(part.subarray(0, fault.dropAfter), () => setTimeout(() => res.destroy(), 50));
      return;
    }
    if (!fault.bytesPerTick) {
      res.end(part);
      return;
    }
    let offset = 0;
    const tick = setInterval(() => {
      if (res.destroyed) return clearInterval(tick);
      const chunk = part.subarray(offset, offset + (fault.bytesPerTick ?? 1));
      offset += chunk.length;
      if (offset >= part.length) {
        clearInterval(tick);
        res.end(chunk);
      } else res.write(chunk);
    }, 50);
    res.on('close', () => clearInterval(tick));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  t.after(close);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/releases`,
    publish(version, archive, fault = {}) {
      releases.set(version, { archive, fault, dropped: false });
      latest = version;
    },
    ranges,
    latestAsked: () => latestAsked,
    close,
  };
}

/**
 * A stand-in for Electron's release download, for the first-start journey and the packaging test:
 * the real binary is 100 MB and cannot be fetched here. It has the layout of a real
 * `electron-v<version>-<platform>-<arch>.zip` (the executable where electron's installer expects it,
 * the `version` file it checks, the `resources/` folder and the licence electron-builder moves), and
 * the executable carries Electron's fuse wire, so `@electron/fuses` can flip it as in a real binary;
 * but it only records how it was started.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

interface ZipEntry {
  name: string;
  data: Buffer;
  /** Unix permission bits, kept by the extractor (an executable needs 0o755). */
  mode: number;
}

/** A ZIP archive of stored (uncompressed) files: enough for electron's extractor, no library needed. */
function zip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data, mode } of entries) {
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01 (time 0)
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the external attributes hold the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fileName.length, 28);
    central.writeUInt32LE(((0o100000 | mode) << 16) >>> 0, 38); // regular file + permissions
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Where electron's installer puts the executable inside `dist/` (its own `getPlatformPath`). */
const EXECUTABLE: Partial<Record<NodeJS.Platform, string>> = { linux: 'electron', darwin: 'Electron.app/Contents/MacOS/Electron' };

/**
 * Electron's fuse sentinel, then the wire: version 1, its length, one byte a fuse ('1' on, '0' off).
 * The states are Electron's documented defaults (docs/tutorial/fuses.md), in @electron/fuses'
 * FuseV1Options order: runAsNode on, cookieEncryption off, nodeOptions on, nodeCliInspect on,
 * embeddedAsarIntegrityValidation off, onlyLoadAppFromAsar off, loadBrowserProcessSpecificV8Snapshot
 * off, grantFileProtocolExtraPrivileges on.
 */
export const DEFAULT_FUSES = '10110001';
const FUSE_WIRE = Buffer.concat([
  Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX', 'latin1'),
  Buffer.from([1, DEFAULT_FUSES.length]),
  Buffer.from(DEFAULT_FUSES, 'latin1'),
]);

/** Where Electron's own resources (default_app.asar, later the app's app.asar) sit in the zip. */
const RESOURCES: Partial<Record<NodeJS.Platform, string>> = { linux: 'resources', darwin: 'Electron.app/Contents/Resources' };

export interface StandInRelease {
  /** The mirror paths the installer asks for, relative to ELECTRON_MIRROR, with their bodies. */
  files: Map<string, Buffer>;
}

/**
 * The release files for `version` on this platform: the zip, and a SHASUMS256.txt for it as the
 * installer reads it with `electron_use_remote_checksums`. Each start of the stand-in appends one
 * JSON line `{ argv, cwd }` to `recordFile`. Undefined where a script cannot stand in (Windows).
 */
export function standInRelease(version: string, recordFile: string): StandInRelease | undefined {
  const executable = EXECUTABLE[process.platform];
  if (!executable) return undefined;
  const script = Buffer.concat([
    Buffer.from(
      [
        '#!/usr/bin/env node',
        `require('node:fs').appendFileSync(${JSON.stringify(recordFile)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd() }) + '\\n');`,
        '// ',
      ].join('\n'),
    ),
    FUSE_WIRE,
    Buffer.from('\n'),
  ]);
  const zipName = `electron-v${version}-${process.platform}-${process.arch}.zip`;
  const archive = zip([
    { name: executable, data: script, mode: 0o755 },
    { name: 'version', data: Buffer.from(version), mode: 0o644 },
    { name: 'LICENSE', data: Buffer.from("Stand-in for Electron's MIT licence.\n"), mode: 0o644 },
    { name: `${RESOURCES[process.platform]}/default_app.asar`, data: Buffer.alloc(0), mode: 0o644 },
  ]);
  const sha256 = crypto.createHash('sha256').update(archive).digest('hex');
  return {
    files: new Map([
      [`v${version}/${zipName}`, archive],
      [`v${version}/SHASUMS256.txt`, Buffer.from(`${sha256} *${zipName}\n`)],
    ]),
  };
}

export interface Mirror {
  /** ELECTRON_MIRROR for it, with its trailing slash. */
  url: string;
  /** Every path asked for, in order, served or not. */
  requested: string[];
  close(): Promise<void>;
}

const listen = (server: http.Server) =>
  new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)));

/** A loopback Electron mirror serving a stand-in release, as ELECTRON_MIRROR points the installers at it. */
export async function serveMirror(release: StandInRelease): Promise<Mirror> {
  const requested: string[] = [];
  const server = http.createServer((request, response) => {
    const file = decodeURIComponent(new URL(request.url ?? '/', 'http://mirror').pathname.slice(1));
    requested.push(file);
    const body = release.files.get(file);
    response.writeHead(body ? 200 : 404, { 'content-length': body?.length ?? 0 }).end(body);
  });
  const url = await listen(server);
  return { url, requested, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A loopback port that refuses connections, as an offline machine does for github.com. */
export async function refusingMirror(): Promise<string> {
  const server = http.createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

/**
 * Verifying and unpacking a downloaded release: nothing is unpacked before its SHA-256 matches,
 * and the unpacked tree appears under its final name in one rename, so a half-unpacked Ollama is
 * never found. Decompression is Node's (gzip, zstd); `tar` only reads the plain tar stream.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { ReleaseAsset } from './release.ts';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * Runs `tar` reading from stdin (or the archive, for a zip). Its exit code decides: tar stops
 * reading at the end-of-archive marker, so the rest of the stream may meet a closed pipe.
 */
function runTar(args: string[], input: NodeJS.ReadableStream | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'], signal, windowsHide: true });
    let stderr = '';
    let streamError = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with code ${code}: ${(stderr.trim() || streamError).trim()}`))));
    if (input && child.stdin) pipeline(input, child.stdin).catch((error: unknown) => (streamError = error instanceof Error ? error.message : String(error)));
  });
}

/**
 * Unpacks `archive` into `target` (which must not exist) through a temporary sibling folder, and
 * checks the executable is where the release puts it. Returns the executable's path.
 */
export async function unpackRelease(archive: string, asset: ReleaseAsset, target: string, signal: AbortSignal): Promise<string> {
  const temp = `${target}.unpacking-${process.pid}-${Date.now()}`;
  fs.mkdirSync(temp, { recursive: true, mode: 0o700 });
  try {
    if (asset.format === 'zip') {
      await runTar(['-xf', archive, '-C', temp], undefined, signal);
    } else {
      const decompress = asset.format === 'tgz' ? zlib.createGunzip() : zlib.createZstdDecompress();
      const file = fs.createReadStream(archive);
      file.on('error', (error) => decompress.destroy(error));
      await runTar(['-x', '-f', '-', '-C', temp], file.pipe(decompress), signal);
    }
    const binary = path.join(temp, asset.binary);
    if (!fs.existsSync(binary)) throw new Error(`the archive has no ${asset.binary}`);
    if (process.platform !== 'win32') fs.chmodSync(binary, 0o755);
    fs.renameSync(temp, target);
    return path.join(target, asset.binary);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

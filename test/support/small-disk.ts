/**
 * A small file system for a models folder: a real tmpfs where this machine lets the test mount
 * one (root on Linux), else a stand-in: `statfs` of that folder, in the app's own process (loaded
 * with `--import` through NODE_OPTIONS), answers a fixed size less the bytes the folder holds.
 * The test says which one it used.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Scope } from './e2e-host.ts';

const STAND_IN_ENV = 'STIGMER_TEST_SMALL_DISK';

export interface SmallDisk {
  dir: string;
  kind: 'tmpfs' | 'injected statfs';
  /** Variables the app needs for this disk (NODE_OPTIONS for the stand-in). */
  env: Record<string, string>;
}

export function smallDisk(scope: Scope, sizeBytes: number): SmallDisk {
  const dir = path.join(scope.tempDir('stigmer-small-disk-'), 'models');
  fs.mkdirSync(dir);
  try {
    // STIGMER_TEST_NO_MOUNT=1 runs the stand-in where mounting would work, to check it too.
    if (process.env.STIGMER_TEST_NO_MOUNT) throw new Error('mounting not wanted');
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
    scope.defer(() => void execFileSync('umount', ['-l', dir], { stdio: 'pipe' }));
    return { dir, kind: 'tmpfs', env: {} };
  } catch {
    return {
      dir,
      kind: 'injected statfs',
      env: { NODE_OPTIONS: `--import ${import.meta.filename}`, [STAND_IN_ENV]: JSON.stringify({ dir, sizeBytes }) },
    };
  }
}

function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

// Loaded with --import in the app's process: the stand-in's statfs.
const standIn = process.env[STAND_IN_ENV];
if (standIn) {
  const { dir, sizeBytes } = JSON.parse(standIn) as { dir: string; sizeBytes: number };
  const real = fs.promises.statfs.bind(fs.promises);
  const BSIZE = 4096;
  fs.promises.statfs = (async (target: fs.PathLike, options?: fs.StatFsOptions) => {
    const resolved = path.resolve(String(target));
    if (resolved !== dir && !resolved.startsWith(`${dir}${path.sep}`)) return real(target, options as { bigint?: false });
    const stats = await real(target, options as { bigint?: false });
    const free = Math.max(0, Math.floor((sizeBytes - bytesUnder(dir)) / BSIZE));
    return Object.assign(stats, { bsize: BSIZE, blocks: Math.floor(sizeBytes / BSIZE), bfree: free, bavail: free });
  }) as typeof fs.promises.statfs;
}

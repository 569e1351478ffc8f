import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/headless.ts';

/**
 * One production build (electron-vite) into a folder in the OS temp dir laid out as the package is:
 * `out/` beside the manifest and `node_modules` (linked to the repository's), so the bundles resolve
 * their dependencies as they do inside the package.
 */
let packageDir: string;
let outDir: string;

before(async () => {
  packageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-build-'));
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(packageDir, 'package.json'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(packageDir, 'node_modules'), 'dir');
  outDir = path.join(packageDir, 'out');
  await promisify(execFile)(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir, '--logLevel', 'warn'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    },
  );
});

test.after(() => fs.rmSync(packageDir, { recursive: true, force: true }));

test('the build has the main process, the built-in runner, a CommonJS preload and the renderer', () => {
  for (const file of ['main/index.js', 'main/runner.js', 'preload/index.cjs', 'renderer/index.html']) {
    assert.ok(fs.existsSync(path.join(outDir, file)), `${file} is built`);
  }
});

test('the sandboxed preload requires nothing but electron', () => {
  const preload = fs.readFileSync(path.join(outDir, 'preload/index.cjs'), 'utf8');
  assert.deepEqual([...new Set(preload.match(/require\("[^"]+"\)/g))], ['require("electron")']);
  assert.doesNotMatch(preload, /^import /m);
});

test('the renderer page has no inline script or style that a strict CSP would block', () => {
  const html = fs.readFileSync(path.join(outDir, 'renderer/index.html'), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'every script is external');
  assert.doesNotMatch(html, /\sstyle=/, 'no inline style attributes');
  assert.match(html, /Content-Security-Policy/);
});

test('the bundled runner runs from the build folder and refuses a bad configuration with exit 78', async () => {
  const child = spawn(process.execPath, [path.join(outDir, 'main/runner.js')], {
    env: { PATH: process.env.PATH ?? '', STIGMER_LLM_PROVIDER: 'olama' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  assert.equal(code, 78);
  assert.match(stderr, /STIGMER_LLM_PROVIDER/);
});

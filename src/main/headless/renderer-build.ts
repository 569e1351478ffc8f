import fs from 'node:fs';
import path from 'node:path';
import { APP_ROOT as REPO_ROOT } from '../install/layout.ts';

const RENDERER_SOURCES = [path.join(REPO_ROOT, 'src/renderer'), path.join(REPO_ROOT, 'src/shared')];
/** Where `npm run build:renderer` and electron-vite put the renderer. */
export const BUILT_RENDERER_DIR = path.join(REPO_ROOT, 'out/renderer');

/** Builds the renderer with vite (a development dependency: the headless host runs in its checkout). */
export async function buildRenderer(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: path.join(REPO_ROOT, 'src/renderer'),
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * The built renderer for `--ui`, rebuilt when a source is newer than the build. A rebuild goes to
 * a fresh sibling folder that is then renamed into place, so a host already serving the old
 * build (or a second host starting at the same time) never sees a half-written one.
 */
export async function ensureRendererBuilt(outDir = BUILT_RENDERER_DIR): Promise<string> {
  const index = path.join(outDir, 'index.html');
  const builtAt = fs.existsSync(index) ? fs.statSync(index).mtimeMs : 0;
  if (!RENDERER_SOURCES.some((dir) => newestMtime(dir) > builtAt)) return outDir;
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const fresh = fs.mkdtempSync(`${outDir}.build-`);
  await buildRenderer(fresh);
  const retired = `${fresh}.old`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, retired);
  fs.renameSync(fresh, outDir);
  fs.rmSync(retired, { recursive: true, force: true });
  return outDir;
}

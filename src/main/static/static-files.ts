import fs from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export const contentTypeFor = (file: string): string => CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

export type StaticLookup = { ok: true; file: string } | { ok: false; status: 400 | 404 };

/**
 * Maps a URL path to a file inside `root`. Anything that decodes to a path outside it
 * (`..`, encoded separators, symlinks pointing out) is not found; `/` is `index.html`.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<StaticLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, status: 400 };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400 };
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const realRoot = await fs.realpath(root);
  const candidate = path.resolve(realRoot, relative);
  if (!candidate.startsWith(realRoot + path.sep)) return { ok: false, status: 404 };
  try {
    const real = await fs.realpath(candidate);
    if (!real.startsWith(realRoot + path.sep)) return { ok: false, status: 404 };
    const stat = await fs.stat(real);
    return stat.isFile() ? { ok: true, file: real } : { ok: false, status: 404 };
  } catch {
    return { ok: false, status: 404 };
  }
}

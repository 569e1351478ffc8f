import fs from 'node:fs/promises';
import { protocol } from 'electron';
import { RENDERER_CSP } from '../static/renderer-csp.ts';
import { contentTypeFor, resolveStaticFile } from '../static/static-files.ts';

/** The renderer is served from `app://renderer/…`, never `file://`, so it gets an origin of its own. */
export const APP_SCHEME = 'app';
export const RENDERER_ORIGIN = `${APP_SCHEME}://renderer`;
export const RENDERER_URL = `${RENDERER_ORIGIN}/index.html`;
/** The schemes this app registers as standard, so Chromium gives their URLs a tuple origin. */
export const APP_STANDARD_SCHEMES: readonly string[] = [APP_SCHEME];

/** Must run before `ready`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged(APP_STANDARD_SCHEMES.map((scheme) => ({ scheme, privileges: { standard: true, secure: true, supportFetchAPI: true } })));
}

/** Serves the built renderer with its CSP; anything outside `rendererDir` is a 404. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const found = url.host === 'renderer' ? await resolveStaticFile(rendererDir, url.pathname) : undefined;
    if (!found?.ok) return new Response('Not found', { status: found?.status ?? 404 });
    try {
      return new Response(await fs.readFile(found.file), {
        headers: {
          'content-type': contentTypeFor(found.file),
          'content-security-policy': RENDERER_CSP,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

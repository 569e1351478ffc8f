import fs from 'node:fs/promises';
import { protocol } from 'electron';
import { contentTypeFor, rendererCsp, resolveStaticFile } from '../static/static-files.ts';

/** The renderer is served from `app://renderer/…`, never `file://`, so it gets an origin of its own. */
export const APP_SCHEME = 'app';
export const RENDERER_ORIGIN = `${APP_SCHEME}://renderer`;
export const RENDERER_URL = `${RENDERER_ORIGIN}/index.html`;

/** Must run before `ready`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serves the built renderer with its CSP; anything outside `rendererDir` is a 404. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === 'renderer' ? resolveStaticFile(rendererDir, url.pathname) : undefined;
    if (!file) return new Response('Not found', { status: 404 });
    try {
      return new Response(await fs.readFile(file), {
        headers: {
          'content-type': contentTypeFor(file),
          'content-security-policy': rendererCsp(),
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

/**
 * `protocol`: privileged schemes (before ready), handlers (after ready), and how a window's page
 * reaches a handler. Chromium under playwright cannot be taught a new scheme, so a page of a
 * handled scheme lives at a loopback-only stand-in address that the window routes into the
 * app's handler: `app://renderer/x` ↔ `http://renderer.app.localhost/x` (`*.localhost` is a
 * secure context and never leaves the machine). WebFrameMain reports the app's URL, never the stand-in.
 */
import { phase, requireReady } from './lifecycle.ts';
import { violation } from './rules.ts';

type Handler = (request: Request) => Response | Promise<Response>;

interface CustomScheme {
  scheme: string;
  privileges?: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean };
}

const privileged = new Map<string, CustomScheme['privileges']>();
const handlers = new Map<string, Handler>();
const STAND_IN_SUFFIX = '.localhost';
const BUILT_IN_STANDARD = new Set(['http', 'https', 'ws', 'wss', 'ftp']);

export const protocol = {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    // Docs (protocol): "This method can only be used before the ready event of the app module gets emitted".
    if (phase.ready) violation('protocol.registerSchemesAsPrivileged must be called before ready');
    // Docs: "can be called only once" (a second call replaces the first set in Chromium's scheme registry).
    if (privileged.size > 0) violation('protocol.registerSchemesAsPrivileged may be called only once');
    for (const { scheme, privileges } of schemes) privileged.set(scheme, privileges ?? {});
  },
  handle(scheme: string, handler: Handler): void {
    requireReady('protocol.handle');
    if (handlers.has(scheme)) violation(`protocol.handle('${scheme}') called twice without unhandle`);
    handlers.set(scheme, handler);
  },
  unhandle(scheme: string): void {
    handlers.delete(scheme);
  },
  isProtocolHandled(scheme: string): boolean {
    return handlers.has(scheme);
  },
};

/** Chromium's origin of a URL: a tuple for built-in and registered standard schemes, else opaque ("null"). */
export function originOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(url);
  if (!match) return 'null';
  const scheme = match[1]!.toLowerCase();
  if (BUILT_IN_STANDARD.has(scheme)) return new URL(url).origin;
  if (!privileged.get(scheme)?.standard || match[2] === '') return 'null';
  const { hostname, port } = new URL(`http://${match[2]}`);
  return `${scheme}://${hostname}${port ? `:${port}` : ''}`;
}

/** The address the page really loads for an app URL (unchanged unless a handler serves its scheme). */
export function standInUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]+)(.*)$/i.exec(url);
  if (!match || !handlers.has(match[1]!) || !privileged.get(match[1]!)?.standard) return url;
  return `http://${match[2]}.${match[1]}${STAND_IN_SUFFIX}${match[3]}`;
}

/** The app URL behind a stand-in address, or the address itself. */
export function appUrl(url: string): string {
  const match = /^http:\/\/([^/?#]+)\.([a-z][a-z0-9+.-]*)\.localhost(.*)$/i.exec(url);
  return match && handlers.has(match[2]!) ? `${match[2]}://${match[1]}${match[3]}` : url;
}

/** Serves a page request through the app's own handler, as Chromium would for its scheme. */
export async function serveThroughHandler(request: Request): Promise<Response | undefined> {
  const scheme = request.url.slice(0, request.url.indexOf(':'));
  return handlers.get(scheme)?.(request);
}

/**
 * Origins as Chromium computes them, for the window's trust and navigation checks. Node's
 * WHATWG `URL` knows nothing of `protocol.registerSchemesAsPrivileged`, so it gives
 * `app://renderer/…` the opaque origin "null"; Chromium gives a scheme registered as standard a
 * tuple origin (`app://renderer`), like http's. Opaque origins (file:, data:, unregistered custom
 * schemes) never equal anything, not even each other.
 */

/** The schemes Chromium treats as standard without being told; the app adds its own. */
const BUILT_IN_STANDARD_SCHEMES = ['http', 'https', 'ws', 'wss', 'ftp'];

export const OPAQUE_ORIGIN = 'null';

/** `scheme://host[:port]` for a standard scheme; "null" for anything else or anything unparsable. */
export function chromiumOrigin(url: string, registeredStandardSchemes: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return OPAQUE_ORIGIN;
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (BUILT_IN_STANDARD_SCHEMES.includes(scheme)) return parsed.origin;
  if (!registeredStandardSchemes.includes(scheme) || parsed.hostname === '') return OPAQUE_ORIGIN;
  // A standard scheme's host is canonicalised like http's (lower case, IDNA); its port has no default.
  const host = new URL(`http://${parsed.hostname}`).hostname;
  return `${scheme}://${host}${parsed.port ? `:${parsed.port}` : ''}`;
}

/** Whether an origin is the app's own; an opaque origin never is. */
export const isAppOrigin = (origin: string, appOrigin: string): boolean => origin !== OPAQUE_ORIGIN && origin === appOrigin;

/**
 * The one permission the window has: writing text to the clipboard (Copy on the Logs and
 * Playground screens), from the app's own origin. Reading the clipboard, the camera, notifications
 * and everything else stay refused, as does any other origin.
 */
export const WINDOW_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

export const windowMayUse = (permission: string, requestingOrigin: string, appOrigin: string): boolean =>
  WINDOW_PERMISSIONS.includes(permission) && isAppOrigin(requestingOrigin, appOrigin);

/**
 * The renderer's Content-Security-Policy, sent as a header by both hosts (the Electron `app://`
 * protocol and the headless UI server) and repeated as the `<meta>` in `src/renderer/index.html`.
 * `'self'` also covers the headless page's WebSocket back to its own origin.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The packaging step of `npm run dist` and `npm run dist:test`: electron-builder's own build
 * command, with its own arguments, run in this process so that a download that fails (offline,
 * behind a proxy, a mirror that is down) ends in one line saying which download and what to do,
 * instead of electron-builder's stack trace. Every other failure is reported as electron-builder
 * reports it.
 */
import { createRequire } from 'node:module';

/** The failures of a download that the user can fix: no network, no DNS, a mirror refusing or failing. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_NON_2XX_3XX_RESPONSE']);

interface Download {
  what: string;
  fix: string;
}

/** What electron-builder downloads while packaging, told apart by the file asked for, with the fix for each. */
const ELECTRON: Download & { file: RegExp } = {
  file: /\/(electron-v[^/]+\.zip|SHASUMS256\.txt)$/,
  what: "Electron's binary",
  fix: "set ELECTRON_MIRROR to a reachable mirror of Electron's releases (behind a proxy: HTTPS_PROXY), or build where github.com is reachable",
};
/** Everything else comes from electron-builder-binaries: appimagetool, fpm, 7-Zip, the icon tools. */
const TOOLS: Download = {
  what: "electron-builder's tools",
  fix: 'set ELECTRON_BUILDER_BINARIES_MIRROR to a reachable mirror, or build the unpacked app only: npm run dist -- --dir',
};

interface DownloadError {
  code?: unknown;
  message?: unknown;
  options?: { url?: unknown };
  response?: { url?: unknown };
}

/** The one line for a failed download, or undefined when `error` is not one. */
function downloadFailure(error: unknown): string | undefined {
  const { code, message, options, response } = (error ?? {}) as DownloadError;
  if (typeof code !== 'string' || !NETWORK_CODES.has(code)) return undefined;
  // got gives the URL as a string on the response and as a URL object in its options.
  const found = response?.url ?? options?.url;
  const url = typeof found === 'string' ? found : found instanceof URL ? found.href : '';
  const { what, fix } = ELECTRON.file.test(url.split(/[?#]/)[0]!) ? ELECTRON : TOOLS;
  const cause = String(message).split('\n')[0];
  return `Could not download ${what} for packaging${url ? ` from ${url}` : ''} (${cause}). Offline? To package, ${fix}.`;
}

const require = createRequire(import.meta.url);
const builder: typeof import('electron-builder/out/builder.js') = require('electron-builder/out/builder.js');
const args = builder.configureBuildCommand(builder.createYargs()).strict().parseSync(process.argv.slice(2));
try {
  await builder.build(args);
} catch (error) {
  const line = downloadFailure(error);
  process.stderr.write(line ? `${line}\n` : `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  // Set again on exit, as electron-builder's own CLI does: its clean-up can reset the exit code
  // to 0 (electron-builder issue 2940), and a failed packaging must fail the npm script.
  process.on('exit', () => (process.exitCode = 1));
}

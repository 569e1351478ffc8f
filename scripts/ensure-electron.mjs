/**
 * Runs before `npm start` and `npm run dev`: electron 45's npm package no longer downloads its
 * binary at install time, and electron-vite only reads node_modules/electron/path.txt, so without
 * this the README's first command ends in "Electron uninstall".
 *
 * The download is electron's own installer (node_modules/electron/install.js, the package's
 * `install-electron` bin): it honours ELECTRON_MIRROR, electron_config_cache, the checksums and
 * its cache, and it is the authority on whether the binary is current.
 *
 * A start step, not a postinstall: npm 11 blocks dependencies' install scripts unless allowScripts
 * lists them (package managers blocking them is one reason electron dropped its own). It still
 * runs the project's own postinstall, but that would make every `npm install`/`npm ci` (CI,
 * headless servers, offline machines) fetch 100 MB it may never use and fail when offline, and
 * `--ignore-scripts` would skip it; the start step runs exactly when the binary is needed.
 *
 * Prints nothing when the binary is there; when it cannot be fetched, one line on stderr saying
 * what to do, and exit 1.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = path.dirname(require.resolve('electron/package.json'));
const { version } = require('electron/package.json');
const DEFAULT_MIRROR = 'https://github.com/electron/electron/releases/download/';

/**
 * The fast path, so an installed binary costs no second Node process: the same three facts the
 * installer checks first (dist/version, path.txt, the executable). When in doubt the installer
 * runs and decides.
 */
function installedBinary() {
  try {
    const distVersion = fs
      .readFileSync(path.join(electronDir, 'dist', 'version'), 'utf8')
      .trim()
      .replace(/^v/, '');
    const executable = fs.readFileSync(path.join(electronDir, 'path.txt'), 'utf8');
    return distVersion === version && fs.existsSync(path.join(electronDir, 'dist', executable));
  } catch {
    return false;
  }
}

/** The installer prints a whole stack; the user needs its first error line. */
function errorLine(stderr) {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.find((line) => /^\w*Error\b/.test(line)) ?? lines[0] ?? 'no error output';
}

// ELECTRON_EXEC_PATH is electron-vite's own override: the user runs an Electron of their choice.
if (!process.env.ELECTRON_EXEC_PATH && !installedBinary()) {
  const mirror = process.env.ELECTRON_MIRROR || process.env.npm_config_electron_mirror || DEFAULT_MIRROR;
  process.stderr.write(`Electron ${version}'s binary is not installed yet; downloading it once from ${mirror} …\n`);
  const installer = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (installer.status !== 0) {
    const cause = installer.error ? String(installer.error) : errorLine(installer.stderr ?? '');
    process.stderr.write(
      `Could not download Electron ${version}'s binary from ${mirror} (${cause}). Offline or behind a proxy? ` +
        'Set ELECTRON_MIRROR to a reachable mirror (a proxy: HTTPS_PROXY with NODE_USE_ENV_PROXY=1) and try again, ' +
        'or run the app without Electron: npm run headless -- --ui\n',
    );
    process.exit(1);
  }
}

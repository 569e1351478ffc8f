/**
 * `npm test`'s global setup (`--test-global-setup`): runs once before any test file.
 *
 * It builds the renderer that every `--ui` host and the browser tests serve, so the suite builds it
 * at most once per run: each host's own `ensureRendererBuilt()` then finds the build up to date,
 * instead of several test files starting vite builds side by side on a busy machine. A test file run
 * on its own still builds it on first use, the same way. The headless host's bundle and the desktop
 * app's main and preload (electron-vite) likewise.
 */
import fs from 'node:fs';
import { ensureRendererBuilt } from '../../src/main/headless/renderer-build.ts';
import { SCREENSHOTS } from './chromium.ts';
import { ensureDesktopBuilt } from './desktop-host.ts';
import { ensureHeadlessBuilt } from './headless.ts';

export async function globalSetup(): Promise<void> {
  await ensureRendererBuilt();
  await ensureHeadlessBuilt();
  // The desktop journeys run the built main bundle and preload under the Electron double.
  await ensureDesktopBuilt();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  process.stdout.write(`# Screenshots of the browser tests: ${SCREENSHOTS}\n`);
}

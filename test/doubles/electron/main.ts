/**
 * Runs an Electron app's main script under the double, as `electron <appDir> [args…]` would:
 *
 *   node test/doubles/electron/main.ts <appDir> [args…]
 *
 * `process.argv` is what Electron gives (`[exe, appDir, …args]`, or `[exe, …args]` when packaged),
 * `process.type` is 'browser', and `ready` fires once the main script has been evaluated.
 */
import './register.ts';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openControlChannel } from './control.ts';
import { DOUBLE_URL } from './register.ts';
import { startBrowser } from './renderer-page.ts';
import { doubleOptions } from './options.ts';

const [appDirArgument, ...args] = process.argv.slice(2);
if (!appDirArgument) throw new Error('usage: node test/doubles/electron/main.ts <appDir> [args…]');
const appDir = path.resolve(appDirArgument);
const manifest = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8')) as {
  main?: string;
  name: string;
  productName?: string;
  version: string;
};
const resources = doubleOptions.packagedResources;
process.argv = resources ? [process.execPath, ...args] : [process.execPath, appDir, ...args];
Object.assign(process, { type: 'browser', ...(resources ? { resourcesPath: resources } : {}) });

// The same module instance the app gets for `import 'electron'`.
const { app } = (await import(DOUBLE_URL)) as typeof import('./index.ts');
app.identify({ appPath: resources ? path.join(resources, 'app.asar') : appDir, name: manifest.productName ?? manifest.name, version: manifest.version });
app.holdProcess();
openControlChannel();
await import(pathToFileURL(path.join(appDir, manifest.main ?? 'index.js')).href);
// Docs (app `ready`): emitted once Electron has finished initialising, which is after the main script ran.
app.markReady();
if (doubleOptions.browser && app.isReady()) startBrowser();

/**
 * Loaded with `node --import` before electronegativity (see lint-security.ts) so that it runs
 * offline and on this project's TypeScript:
 * - it fetches translations from the internet at start-up with `got`, and its
 *   AvailableSecurityFixesGlobalCheck fetches Electron's release list: every `got` it loads is
 *   replaced by one that fails at once, so no request ever leaves the machine (the English texts
 *   ship with the package);
 * - its TypeScript parser (@typescript-eslint/typescript-estree, hoisted to the top level) would
 *   load the project's TypeScript 7, which has no JavaScript API; it gets the TypeScript 4 that
 *   electronegativity itself depends on.
 */
import { registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PACKAGE_DIR = path.resolve(import.meta.dirname, '../node_modules/@doyensec/electronegativity');
const OWN_TYPESCRIPT = pathToFileURL(path.join(PACKAGE_DIR, 'node_modules/typescript/lib/typescript.js')).href;
const OFFLINE_GOT = 'stigmer:offline-got';

const offline = `
const refuse = () => Promise.reject(new Error('offline: npm run lint:security sends no network request'));
module.exports = Object.assign(refuse, { head: refuse, get: refuse, default: refuse });`;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'got') return { url: OFFLINE_GOT, format: 'commonjs', shortCircuit: true };
    if (specifier === 'typescript' && context.parentURL?.includes('/@typescript-eslint/'))
      return { url: OWN_TYPESCRIPT, format: 'commonjs', shortCircuit: true };
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (url === OFFLINE_GOT) return { format: 'commonjs', source: offline, shortCircuit: true };
    return nextLoad(url, context);
  },
});

/** Resolves `electron` (the app's imports and electron-store's) to the double, in this thread. */
import { registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const DOUBLE_URL = pathToFileURL(path.join(import.meta.dirname, 'index.ts')).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    return specifier === 'electron' ? { url: DOUBLE_URL, format: 'module', shortCircuit: true } : nextResolve(specifier, context);
  },
});

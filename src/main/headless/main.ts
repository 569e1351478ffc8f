/**
 * The bundle's entry (out/headless/cli.js, what `npm run headless` and `stigmer local start`
 * run). It turns on Node's compile cache before the host's code is read, then imports the host:
 * the next start reads V8's code from the cache instead of compiling the bundle again (an entry
 * is compiled before its first line runs, so the cache can only cover what it imports after).
 * The cache is Node's own folder (NODE_COMPILE_CACHE, or node-compile-cache in the OS temp
 * folder), keyed by each file's content, so a rebuilt bundle is simply compiled once more.
 */
import module from 'node:module';

module.enableCompileCache();
const { runHeadless } = await import('./cli.ts');

export { runHeadless };

if (import.meta.main) process.exitCode = await runHeadless(process.argv.slice(2), process.env);

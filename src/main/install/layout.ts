import path from 'node:path';

/**
 * Where the app's own files are. From source (`node src/main/headless/cli.ts`, as the tests run it)
 * each module is in the source tree; from a bundle (the headless host's out/headless/cli.js,
 * electron-vite's out/main/index.js) every module's `import.meta.dirname` is the bundle's folder,
 * and the built-in runner is bundled beside it as runner.js.
 */
const fromSource = import.meta.filename.endsWith('.ts');

/** The repository: above src/main/install, or above out/<host>. */
export const APP_ROOT = path.resolve(import.meta.dirname, fromSource ? '../../..' : '../..');

/** The reference runner: its source entry, or its bundle next to the host's. */
export const BUILT_IN_RUNNER_ENTRY = fromSource ? path.join(APP_ROOT, 'src/builtin-runner/index.ts') : path.join(import.meta.dirname, 'runner.js');

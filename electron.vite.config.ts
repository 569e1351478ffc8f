import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      // Bundled, as the headless host is: Node resolves, reads and compiles one file, and only what
      // is used of each (execa's command parser, not all of execa). Evaluating the main bundle went
      // from ~570 to ~260 ms of CPU under the Electron double. electron-updater stays outside: it
      // is loaded only when the app is packaged (auto-updater.ts).
      externalizeDeps: { exclude: ['conf', 'electron-store', 'execa', 'ollama', 'zod'] },
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/electron/index.ts'),
          runner: resolve(import.meta.dirname, 'src/builtin-runner/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot be an ES module.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
  },
});

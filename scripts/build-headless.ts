/**
 * `npm run build:headless`, run before every `npm run headless`: bundles the headless host and the
 * built-in runner it launches into out/headless/cli.js and out/headless/runner.js (which the host
 * finds beside itself: src/main/install/layout.ts).
 *
 * Why a bundle: run from source, Node strips the TypeScript types of every module at load time
 * (its wasm transformer alone stays resident, ~59 MiB) and loads each dependency whole, though the
 * host uses little of most (execa for one parser, conf, zod). One tree-shaken file per process
 * needs neither. Built with vite, the tool of the Electron bundle and the renderer, so no second
 * bundler is a dependency; vite builds with rolldown, which makes a full build take about a second.
 *
 * Nothing is built when nothing changed: the build records every file it bundled (size and mtime),
 * and the next run only compares those, without loading vite.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const HEADLESS_OUT_DIR = path.join(ROOT, 'out/headless');
/** The host users run (`npm run headless`). */
export const HEADLESS_BUNDLE = path.join(HEADLESS_OUT_DIR, 'cli.js');

/**
 * Each bundle, its entry, and what it leaves to Node's resolution from node_modules. The host
 * imports the SDKs only when it verifies a key, and vite only to build the renderer for `--ui`;
 * the runner imports its provider's SDK on its first task or check (src/builtin-runner/clients.ts).
 * Left out of the bundles, an SDK costs nothing until then: an idle runner is Node and its own
 * small code (bundled in, both SDKs were parsed at start, ~35 MB of the runner's 78 MB).
 * `@napi-rs/keyring` loads a native `.node` binary for the platform at run time, which no bundle
 * can hold.
 */
const BUNDLES = {
  cli: { entry: 'src/main/headless/cli.ts', external: ['vite', 'openai', '@anthropic-ai/sdk', '@napi-rs/keyring'] },
  runner: { entry: 'src/builtin-runner/index.ts', external: ['openai', '@anthropic-ai/sdk'] },
} as const;
/** What the last build read, to tell whether it is still current. */
const INPUTS_FILE = path.join(HEADLESS_OUT_DIR, 'inputs.json');

type Fingerprints = Record<string, string>;

function fingerprint(file: string): string | undefined {
  try {
    const stat = fs.statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** True when the bundles exist and no file they were built from (this script included) changed. */
function headlessBuildIsCurrent(): boolean {
  let recorded: Fingerprints;
  try {
    recorded = JSON.parse(fs.readFileSync(INPUTS_FILE, 'utf8')) as Fingerprints;
  } catch {
    return false;
  }
  return (
    Object.keys(BUNDLES).every((name) => fs.existsSync(path.join(HEADLESS_OUT_DIR, `${name}.js`))) &&
    Object.entries(recorded).every(([file, print]) => fingerprint(file) === print)
  );
}

/** Writes next to the target, then renames over it: a host starting meanwhile reads an old file or the new one, never half of one. */
function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

/** Bundles one entry into a single self-contained file (no shared chunk that a later build could replace under a running host). */
async function bundle(entry: string, external: readonly string[]): Promise<{ code: string; inputs: string[] }> {
  const { build } = await import('vite');
  const result = await build({
    configFile: false,
    root: ROOT,
    publicDir: false,
    logLevel: 'warn',
    ssr: { target: 'node', noExternal: true, external: [...external] },
    build: {
      ssr: path.join(ROOT, entry),
      write: false,
      target: 'node24',
      // Readable stack traces, with no source map for Node to keep in memory.
      minify: false,
      rolldownOptions: { output: { format: 'esm', codeSplitting: false } },
    },
  });
  const chunks = (Array.isArray(result) ? result : [result]).flatMap((output) => ('output' in output ? output.output : []));
  const [chunk, ...others] = chunks.filter((item) => item.type === 'chunk');
  if (!chunk || others.length > 0) throw new Error(`expected one bundle for ${entry}, got ${chunks.map((item) => item.fileName).join(', ')}`);
  // Virtual modules (a NUL first) are the bundler's own, not files.
  return { code: chunk.code, inputs: chunk.moduleIds.filter((id) => path.isAbsolute(id)) };
}

async function buildHeadless(): Promise<void> {
  const startedAt = Date.now();
  fs.mkdirSync(HEADLESS_OUT_DIR, { recursive: true });
  const inputs = new Set<string>([import.meta.filename]);
  for (const [name, { entry, external }] of Object.entries(BUNDLES)) {
    const { code, inputs: read } = await bundle(entry, external);
    for (const file of read) inputs.add(file);
    writeAtomically(path.join(HEADLESS_OUT_DIR, `${name}.js`), code);
  }
  const recorded: Fingerprints = {};
  // A file saved during the build may or may not be in it: recorded as changed, so the next run builds again.
  for (const file of inputs) recorded[file] = fs.existsSync(file) && fs.statSync(file).mtimeMs < startedAt ? fingerprint(file)! : 'changed during the build';
  writeAtomically(INPUTS_FILE, `${JSON.stringify(recorded, null, 1)}\n`);
}

/** Builds the headless host unless the last build is current. */
export async function ensureHeadlessBuilt(): Promise<void> {
  if (!headlessBuildIsCurrent()) await buildHeadless();
}

if (import.meta.main) {
  try {
    await ensureHeadlessBuilt();
  } catch (error) {
    // vite's message names the file and line, with the code; the stack would only be the bundler's.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`stigmer: cannot build the headless host: ${message}\nFix the source named above, then run the command again.\n`);
    process.exitCode = 1;
  }
}

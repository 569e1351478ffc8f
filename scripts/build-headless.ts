/**
 * `npm run build:headless`, run before every `npm run headless`: bundles the headless host and the
 * built-in runner it launches into out/headless/cli.js (with the chunks it imports when needed)
 * and out/headless/runner.js (which the host finds beside itself: src/main/install/layout.ts).
 *
 * Why a bundle: run from source, Node strips the TypeScript types of every module at load time
 * (its wasm transformer alone stays resident, ~59 MiB) and loads each dependency whole, though the
 * host uses little of most (execa for one parser, conf, zod). A tree-shaken bundle per process
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
 *
 * The host is split (`split`): each dynamic `import()` of its source (the UI server, the
 * diagnostics, the `ollama` client, …) becomes a chunk beside cli.js that Node reads only when
 * that code runs, so `stigmer local start` does not compile what it does not run. The runner is
 * one file: it has nothing to leave out.
 */
const BUNDLES = {
  cli: { entry: 'src/main/headless/main.ts', external: ['vite', 'openai', '@anthropic-ai/sdk', '@napi-rs/keyring'], split: true },
  runner: { entry: 'src/builtin-runner/index.ts', external: ['openai', '@anthropic-ai/sdk'], split: false },
} as const;
/** What the last build read, to tell whether it is still current, and the chunks it wrote. */
const INPUTS_FILE = path.join(HEADLESS_OUT_DIR, 'inputs.json');
/**
 * A chunk's name carries a hash of its content, so a build never changes a file a running host
 * may still import; one no build uses any more is removed once it is this old (a host started
 * from an older build and running since then could still want it).
 */
export const STALE_CHUNK_MS = 7 * 24 * 60 * 60 * 1000;
const CHUNK_NAME = /^chunk-.*\.js$/;

type Fingerprints = Record<string, string>;
interface BuildRecord {
  inputs: Fingerprints;
  chunks: string[];
}

function fingerprint(file: string): string | undefined {
  try {
    const stat = fs.statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** True when the bundles and their chunks exist and no file they were built from (this script included) changed. */
function headlessBuildIsCurrent(): boolean {
  let recorded: BuildRecord;
  try {
    recorded = JSON.parse(fs.readFileSync(INPUTS_FILE, 'utf8')) as BuildRecord;
  } catch {
    return false;
  }
  if (!Array.isArray(recorded.chunks) || typeof recorded.inputs !== 'object') return false;
  return (
    [...Object.keys(BUNDLES).map((name) => `${name}.js`), ...recorded.chunks].every((file) => fs.existsSync(path.join(HEADLESS_OUT_DIR, file))) &&
    Object.entries(recorded.inputs).every(([file, print]) => fingerprint(file) === print)
  );
}

/** Writes next to the target, then renames over it: a host starting meanwhile reads an old file or the new one, never half of one. */
function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

interface Bundled {
  /** The entry's code, written as `<name>.js`. */
  code: string;
  /** The other chunks, by file name. */
  chunks: Map<string, string>;
  inputs: string[];
}

/** Bundles one entry: one self-contained file, or (split) an entry and its content-named chunks. */
async function bundle(entry: string, external: readonly string[], split: boolean): Promise<Bundled> {
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
      // ASCII: Node decodes an ASCII file on a fast path and V8 keeps it as a one-byte string; one
      // "…" made it decode the whole bundle as UTF-8 into a two-byte string. The doc comments go
      // too (they held most of the rest, and are a quarter of the bytes Node reads); licences stay.
      rolldownOptions: {
        output: {
          format: 'esm',
          codeSplitting: split,
          chunkFileNames: 'chunk-[name]-[hash].js',
          charset: 'ascii',
          comments: { legal: true, annotation: false, jsdoc: false },
        },
      },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((output) => ('output' in output ? output.output : []));
  const chunks = outputs.filter((item) => item.type === 'chunk');
  const entries = chunks.filter((item) => item.isEntry);
  const [main] = entries;
  if (!main || entries.length > 1 || (!split && chunks.length > 1)) {
    throw new Error(`expected one entry for ${entry}, got ${chunks.map((item) => item.fileName).join(', ')}`);
  }
  return {
    code: main.code,
    chunks: new Map(chunks.filter((item) => item !== main).map((item) => [item.fileName, item.code])),
    // Virtual modules (a NUL first) are the bundler's own, not files.
    inputs: chunks.flatMap((item) => item.moduleIds.filter((id) => path.isAbsolute(id))),
  };
}

/** Removes from `dir` the chunks no build uses any more (not in `current`) once no host can still want them (STALE_CHUNK_MS). */
export function removeStaleChunks(dir: string, current: ReadonlySet<string>, now = Date.now()): void {
  for (const name of fs.readdirSync(dir)) {
    if (!CHUNK_NAME.test(name) || current.has(name)) continue;
    const file = path.join(dir, name);
    if (now - fs.statSync(file).mtimeMs > STALE_CHUNK_MS) fs.rmSync(file, { force: true });
  }
}

async function buildHeadless(): Promise<void> {
  const startedAt = Date.now();
  fs.mkdirSync(HEADLESS_OUT_DIR, { recursive: true });
  const inputs = new Set<string>([import.meta.filename]);
  const written = new Set<string>();
  for (const [name, { entry, external, split }] of Object.entries(BUNDLES)) {
    const { code, chunks, inputs: read } = await bundle(entry, external, split);
    for (const file of read) inputs.add(file);
    // The chunks first: an entry is never on disk before what it imports.
    for (const [fileName, chunk] of chunks) {
      const file = path.join(HEADLESS_OUT_DIR, fileName);
      // Same name, same content: a running host may be reading it.
      if (!fs.existsSync(file)) writeAtomically(file, chunk);
      written.add(fileName);
    }
    writeAtomically(path.join(HEADLESS_OUT_DIR, `${name}.js`), code);
  }
  removeStaleChunks(HEADLESS_OUT_DIR, written);
  const recorded: BuildRecord = { inputs: {}, chunks: [...written] };
  // A file saved during the build may or may not be in it: recorded as changed, so the next run builds again.
  for (const file of inputs)
    recorded.inputs[file] = fs.existsSync(file) && fs.statSync(file).mtimeMs < startedAt ? fingerprint(file)! : 'changed during the build';
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

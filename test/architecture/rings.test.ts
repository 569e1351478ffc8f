import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/**
 * The architecture's rings, checked from the real imports of every source file. `npm run lint`
 * enforces the same rules as the files are edited; this test also sees folder cycles and an import
 * between two folders of one layer, which a per-layer rule cannot.
 */
const SRC = path.resolve(import.meta.dirname, '../../src');

/** The unit a file belongs to: a top-level ring, or a folder of the core. */
function unitOf(file: string): string {
  const [ring, folder] = path.relative(SRC, file).split(path.sep);
  return ring === 'main' && folder !== undefined && !folder.includes('.') ? `main/${folder}` : (ring ?? '');
}

/** What each ring outside src/main may import besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  shared: [],
  lib: ['shared'],
  renderer: ['shared'],
  preload: ['shared'],
  'builtin-runner': ['shared', 'lib'],
};

/**
 * The layers of src/main, lowest first (docs/ARCHITECTURE.md, "Rings"). A folder may import
 * src/shared, src/lib and the folders of LOWER layers only: not a folder of its own layer, not
 * one above. Every folder of src/main must be placed here.
 */
const CORE_LAYERS: readonly (readonly string[])[] = [
  /* 1 · the machine */ ['process', 'profile', 'install', 'static'],
  /* 2 · stores and channels */ ['logs', 'settings', 'secrets', 'providers', 'hardware', 'updates', 'login-item', 'control-socket'],
  /* 3 · the configuration cascade */ ['config'],
  /* 4 · the two children */ ['runner', 'ollama'],
  /* 5 · the app core and its diagnostics */ ['app', 'diagnostics'],
  /* 6 · fronts a host renders or runs */ ['tray', 'cli'],
  /* 7 · the hosts, which never import each other */ ['electron', 'headless'],
];
const LAYER_OF = new Map<string, number>(CORE_LAYERS.flatMap((folders, index) => folders.map((folder) => [`main/${folder}`, index + 1] as const)));
const CORE_MAY_IMPORT = new Set(['shared', 'lib']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const IMPORT = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

function edges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) =>
    importsOf(file).flatMap((specifier) => {
      if (!specifier.startsWith('.')) return [{ from: unitOf(file), to: `package:${specifier}`, file, specifier }];
      const to = unitOf(path.resolve(path.dirname(file), specifier));
      return to === unitOf(file) ? [] : [{ from: unitOf(file), to, file, specifier }];
    }),
  );
}

function allowed(from: string, to: string): boolean {
  if (to.startsWith('package:')) {
    const name = to.slice('package:'.length);
    if (name === 'electron') return from === 'main/electron' || from === 'preload';
    if (name.startsWith('node:')) return from !== 'renderer' && from !== 'shared';
    return true;
  }
  if (from.startsWith('main/')) return CORE_MAY_IMPORT.has(to) || (LAYER_OF.get(to) ?? Infinity) < (LAYER_OF.get(from) ?? -Infinity);
  return (ALLOWED[from] ?? []).includes(to);
}

const where = (edge: Edge) => `${path.relative(SRC, edge.file)} imports ${edge.specifier}`;

test('every folder of src/main has a layer', () => {
  const folders = fs
    .readdirSync(path.join(SRC, 'main'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `main/${entry.name}`);
  assert.deepEqual(
    folders.filter((folder) => !LAYER_OF.has(folder)),
    [],
    'place the new folder in CORE_LAYERS',
  );
});

test('every import stays inside its ring: the core never imports electron or the renderer, and a core folder imports only lower layers', () => {
  const wrong = edges().filter((edge) => !allowed(edge.from, edge.to));
  assert.deepEqual(wrong.map(where), []);
});

test('no cycle between folders', () => {
  const graph = new Map<string, Set<string>>();
  for (const edge of edges()) {
    if (edge.to.startsWith('package:')) continue;
    if (!graph.has(edge.from)) graph.set(edge.from, new Set());
    graph.get(edge.from)?.add(edge.to);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (unit: string, trail: string[]): void => {
    if (state.get(unit) === 'done') return;
    if (state.get(unit) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(unit)), unit].join(' → '));
      return;
    }
    state.set(unit, 'open');
    for (const next of graph.get(unit) ?? []) visit(next, [...trail, unit]);
    state.set(unit, 'done');
  };
  for (const unit of graph.keys()) visit(unit, []);
  assert.deepEqual(cycles, []);
});

test('no cycle between files, type-only imports included', () => {
  const graph = new Map(
    sourceFiles(SRC).map((file) => [
      file,
      importsOf(file)
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => path.resolve(path.dirname(file), specifier)),
    ]),
  );
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, trail: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].map((item) => path.relative(SRC, item)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});

interface OxlintOverride {
  files: string[];
  rules?: { 'no-restricted-imports'?: [string, { patterns: { group: string[] }[] }] };
}

/**
 * The editor sees the same layers through oxlint: one override per layer bars the folders above it
 * (and Electron). A folder of the same layer is the one thing a per-layer rule cannot bar; the
 * import test above does.
 */
test('.oxlintrc.json mirrors the layers: each layer bars the folders above it', () => {
  const config = JSON.parse(fs.readFileSync(path.resolve(SRC, '../.oxlintrc.json'), 'utf8')) as { overrides: OxlintOverride[] };
  const missing = CORE_LAYERS.slice(0, -1).flatMap((folders, index) => {
    const files = JSON.stringify(folders.map((folder) => `src/main/${folder}/**`));
    const override = config.overrides.find((candidate) => JSON.stringify(candidate.files) === files);
    const barred = new Set(override?.rules?.['no-restricted-imports']?.[1].patterns.flatMap((pattern) => pattern.group) ?? []);
    const expected = [...CORE_LAYERS.slice(index + 1).flatMap((above) => above.map((folder) => `**/${folder}/**`)), 'electron'];
    return expected.filter((group) => !barred.has(group)).map((group) => `layer ${index + 1} (${folders.join(', ')}) does not bar ${group}`);
  });
  assert.deepEqual(missing, []);
});

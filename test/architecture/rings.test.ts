import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/**
 * The architecture's rings, checked from the real imports of every source file. `npm run lint`
 * enforces the same rules as the files are edited; this test also sees folder cycles, which a
 * per-file rule cannot.
 */
const SRC = path.resolve(import.meta.dirname, '../../src');

/** The unit a file belongs to: a top-level ring, or a folder of the core. */
function unitOf(file: string): string {
  const [ring, folder] = path.relative(SRC, file).split(path.sep);
  return ring === 'main' && folder !== undefined && !folder.includes('.') ? `main/${folder}` : (ring ?? '');
}

/** What each unit may import besides itself; `main/*` is any folder of the core. */
const ALLOWED: Record<string, readonly string[]> = {
  shared: [],
  lib: ['shared'],
  renderer: ['shared'],
  preload: ['shared'],
  'builtin-runner': ['shared', 'lib'],
};
const CORE_MAY_IMPORT = ['shared', 'lib', 'main/*'];
const HOSTS = new Set(['main/electron', 'main/headless']);

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
  if (from.startsWith('main/')) {
    if (HOSTS.has(to)) return false;
    return CORE_MAY_IMPORT.includes(to) || (to.startsWith('main/') && CORE_MAY_IMPORT.includes('main/*'));
  }
  return (ALLOWED[from] ?? []).includes(to);
}

const where = (edge: Edge) => `${path.relative(SRC, edge.file)} imports ${edge.specifier}`;

test('every import stays inside its ring: the core never imports electron, a host, or the renderer', () => {
  const wrong = edges().filter((edge) => !allowed(edge.from, edge.to) && !(HOSTS.has(edge.from) && edge.to.startsWith('main/')));
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

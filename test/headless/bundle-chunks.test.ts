/**
 * The host bundle's chunks (scripts/build-headless.ts): a host started before a rebuild imports
 * its chunks later (the UI server, the ollama client), so a build never removes a chunk a host
 * may still want: one no build uses any more goes only once it is STALE_CHUNK_MS old.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { STALE_CHUNK_MS, removeStaleChunks } from '../../scripts/build-headless.ts';
import { tempDir } from '../support/headless.ts';

test('a chunk no build uses is kept while a host started from an older build may still import it, then removed', (t) => {
  const dir = tempDir(t);
  const now = Date.now();
  const DAY = 24 * 60 * 60 * 1000;
  const files = {
    'chunk-ui-server-OLD.js': now - STALE_CHUNK_MS - DAY,
    'chunk-ui-server-RECENT.js': now - DAY,
    'chunk-run-CURRENT.js': now - STALE_CHUNK_MS - DAY,
    'cli.js': now - STALE_CHUNK_MS - DAY,
    'runner.js': now - STALE_CHUNK_MS - DAY,
  };
  for (const [name, mtime] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), '');
    fs.utimesSync(path.join(dir, name), mtime / 1000, mtime / 1000);
  }
  removeStaleChunks(dir, new Set(['chunk-run-CURRENT.js']), now);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['chunk-run-CURRENT.js', 'chunk-ui-server-RECENT.js', 'cli.js', 'runner.js']);
});

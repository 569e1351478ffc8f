import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPO_ROOT, runCommand } from '../support/headless.ts';

test('the committed composer tables (tables.as.ts, from credential-shapes.ts and hidden-chars.ts) and WebAssembly (compose-wasm.ts) are what the sources generate and compile to', async () => {
  const result = await runCommand(process.execPath, ['scripts/build-wasm.ts', '--check'], { env: process.env, cwd: REPO_ROOT, timeoutMs: 120_000 });
  assert.equal(result.code, 0, result.stderr);
});

/**
 * One source of credential shapes (issue 20, item 4): every shape the redactor knows
 * (src/lib/credential-shapes.ts) is sent through the real log pipeline's fast path, where the
 * composer (WebAssembly) decides from its generated tables which lines the full rules see. A
 * shape the composer did not know would reach the file and the ring unmasked.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CREDENTIAL_SHAPES } from '../../src/lib/credential-shapes.ts';
import { Redactor } from '../../src/lib/redactor.ts';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { tempDir } from '../support/headless.ts';

const EXAMPLES = CREDENTIAL_SHAPES.flatMap((shape) => shape.examples.map((example) => ({ shape: shape.name, ...example })));

test('each shape has examples the redactor masks, one per marker at least', () => {
  const redactor = new Redactor();
  for (const shape of CREDENTIAL_SHAPES) {
    for (const marker of shape.markers)
      assert.ok(
        shape.examples.some(({ line }) => line.toLowerCase().includes(marker.toLowerCase())),
        `${shape.name}: no example of ${marker}`,
      );
  }
  for (const { shape, line, secret } of EXAMPLES) {
    assert.ok(line.includes(secret), `${shape}: the example holds its secret`);
    assert.ok(!redactor.redact(line).includes(secret), `${shape}: ${line}`);
  }
});

test("every credential shape the redactor knows is masked on the real pipeline's fast path, in the file and in the ring", async (t) => {
  const dir = tempDir(t);
  // No known secrets: only the shapes can mask these.
  const pipeline = new LogPipeline({ logsDir: dir });
  const sink = pipeline.input('runner', 'stdout');
  // One chunk of whole lines: the splitter hands it to the composer as one region, as in a flood.
  sink.end(EXAMPLES.map(({ line }, index) => `plain line ${index} before\n${line}\n`).join(''));
  await new Promise((resolve) => sink.on('finish', resolve));
  await pipeline.close();
  const fileLines = fs.readFileSync(path.join(dir, 'runner.log'), 'utf8').split('\n').slice(0, -1);
  const entries = pipeline.recent();
  assert.equal(fileLines.length, 2 * EXAMPLES.length);
  assert.equal(entries.length, 2 * EXAMPLES.length);
  const shown = (index: number) => [fileLines[2 * index + 1]!, `${entries[2 * index + 1]!.msg} ${JSON.stringify(entries[2 * index + 1]!.fields ?? {})}`];
  const unmasked = EXAMPLES.filter(({ secret }, index) => shown(index).some((text) => text.includes(secret)));
  assert.deepEqual(
    unmasked.map(({ shape, line }) => `${shape}: ${line}`),
    [],
    'shapes that came out unmasked',
  );
  // Plain lines are untouched.
  assert.ok(fileLines[0]!.endsWith(' plain line 0 before'));
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogPipeline } from '../src/main/logs/pipeline.ts';
import { OutputTail } from '../src/main/runner/output-tail.ts';
import { floodChunks } from './lib/flood.ts';
const N = 500000;
const chunks = [...floodChunks(N)];
const what = process.argv[2] ?? 'pipeline';
for (let run = 0; run < 3; run++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-'));
  const t0 = performance.now();
  if (what === 'tail') {
    const tail = new OutputTail({ maxLines: 20, redact: (t) => t });
    for (const c of chunks) tail.write('stdout', c);
  } else {
    const logs = new LogPipeline({ logsDir: dir, fileCount: 20 });
    const input = logs.input('runner', 'stdout');
    for (const c of chunks) if (!input.write(c)) await new Promise((r) => input.once('drain', r));
    input.end();
    await logs.close();
  }
  console.log(what, (performance.now() - t0).toFixed(0), 'ms');
  fs.rmSync(dir, { recursive: true, force: true });
}

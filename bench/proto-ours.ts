import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { LogPipeline } from '../src/main/logs/pipeline.ts';
import { RunnerSupervisor } from '../src/main/runner/supervisor.ts';

const N = Number(process.argv[2] ?? 500000);
const mode = process.argv[3] ?? 'ours';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proto-'));
const script = path.resolve(import.meta.dirname, 'fixtures/flood-runner.ts');
let startedAt = 0;
const t0 = performance.now();
if (mode === 'ours') {
  const logs = new LogPipeline({ logsDir: dir, fileCount: 20 });
  const out = { stdout: logs.input('runner', 'stdout'), stderr: logs.input('runner', 'stderr') };
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  let tail = '';
  const sup = new RunnerSupervisor({
    command: { argv: [process.execPath, script, String(N)], source: 'flag:--runner-command', builtIn: false },
    env: { PATH: process.env.PATH! },
    pidFile: path.join(dir, 'run', 'runner.pid'),
    onOutput: (stream, chunk) => {
      if (stream === 'stderr') { startedAt = JSON.parse(chunk.toString()).floodStartedAt; }
      else { tail = (tail + chunk.toString('latin1')).slice(-20); if (tail.endsWith('flood done\n')) done(); }
      out[stream].write(chunk);
    },
  });
  await sup.start();
  await finished;
  await logs.flush();
  const end = performance.timeOrigin + performance.now();
  console.log(mode, 'ms', (end - startedAt).toFixed(0), 'lines/s', (N / ((end - startedAt) / 1000)).toFixed(0));
  await sup.stop();
  await logs.close();
} else {
  const child = spawn(process.execPath, [script, String(N), '--exit'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.on('data', (c) => (startedAt = JSON.parse(c.toString()).floodStartedAt));
  const ws = fs.createWriteStream(path.join(dir, 'base.log'), { flags: 'a' });
  child.stdout.pipe(ws);
  await new Promise((r) => ws.on('finish', r));
  const end = performance.timeOrigin + performance.now();
  console.log(mode, 'ms', (end - startedAt).toFixed(0), 'lines/s', (N / ((end - startedAt) / 1000)).toFixed(0));
}
fs.rmSync(dir, { recursive: true, force: true });

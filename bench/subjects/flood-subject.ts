// One throughput measurement in a fresh process, so no run inherits another's heap or JIT state.
// Usage: flood-subject.ts baseline|ours LINES LOGS_DIR. Prints one JSON object:
// { startedAt, endedAt } in epoch milliseconds (the runner's first write, the last byte on disk).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import { Redactor } from '../../src/lib/redactor.ts';
import { RunnerSupervisor } from '../../src/main/runner/supervisor.ts';
import { FLOOD_DONE } from '../lib/flood.ts';
import { epochMs } from '../lib/stats.ts';

const [mode, linesText, logsDir] = process.argv.slice(2);
if ((mode !== 'baseline' && mode !== 'ours') || !linesText || !logsDir) throw new Error('usage: flood-subject.ts baseline|ours LINES LOGS_DIR');
const FLOOD_RUNNER = path.resolve(import.meta.dirname, '../fixtures/flood-runner.ts');
/** A cloud key, as the app always has one to redact when a cloud provider is configured. */
const BENCH_SECRET = 'sk-ant-api03-bench0secret0value0that0never0appears-0000';

const startedAtOf = (chunk: Buffer): number | undefined => {
  const match = /"floodStartedAt":([\d.]+)/.exec(chunk.toString('utf8'));
  return match ? Number(match[1]) : undefined;
};

async function baseline(): Promise<{ startedAt: number; endedAt: number }> {
  const child = spawn(process.execPath, [FLOOD_RUNNER, linesText!, '--exit'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let startedAt = Number.NaN;
  child.stderr.on('data', (chunk: Buffer) => (startedAt = startedAtOf(chunk) ?? startedAt));
  const file = fs.createWriteStream(path.join(logsDir!, 'baseline.log'), { flags: 'a' });
  child.stdout.pipe(file);
  await once(file, 'finish');
  return { startedAt, endedAt: epochMs() };
}

/** The app's path for runner output: supervisor → pipeline input → rotating file, as AppCore wires it. */
async function ours(): Promise<{ startedAt: number; endedAt: number }> {
  let startedAt = Number.NaN;
  const done = Promise.withResolvers<void>();
  const marker = Buffer.from(`${FLOOD_DONE}\n`);
  const logs = new LogPipeline({
    logsDir: logsDir!,
    redactor: new Redactor([BENCH_SECRET]),
    // Watches the records for the runner's start time (stderr) and its last line, reading bytes only.
    onRecord: (record) => {
      if (record.kind !== 'lines') return;
      if (record.stream === 'stderr') startedAt = startedAtOf(record.bytes) ?? startedAt;
      else if (record.bytes.subarray(-marker.length).equals(marker)) done.resolve();
    },
  });
  const supervisor = new RunnerSupervisor({
    inputs: () => ({
      command: { argv: [process.execPath, FLOOD_RUNNER, linesText!], source: 'flag:--runner-command', builtIn: false },
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    }),
    pidFile: path.join(logsDir!, '..', 'run', 'runner.pid'),
    output: logs.processOutput('runner'),
  });
  await supervisor.start();
  await done.promise;
  await logs.flush();
  const endedAt = epochMs();
  await supervisor.stop();
  await logs.close();
  return { startedAt, endedAt };
}

const result = mode === 'baseline' ? await baseline() : await ours();
process.stdout.write(`${JSON.stringify(result)}\n`);

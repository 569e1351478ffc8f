import path from 'node:path';
import { Writable } from 'node:stream';
import type { LogSource } from '../../src/shared/logs.ts';
import { LogPipeline } from '../../src/main/logs/pipeline.ts';
import type { ProcessOutput } from '../../src/main/process/process-output.ts';
import { tempDir } from './headless.ts';

export interface RecordedOutput {
  /** What to hand a supervisor or manager as its `output`. */
  output: ProcessOutput;
  /** Every chunk the children printed, decoded, in order. */
  chunks: string[];
}

/**
 * The app's output wiring (a real log pipeline's `processOutput`) with every raw chunk also
 * recorded, for tests that read what a child printed; the pipeline is closed when the test ends.
 */
export function recordingOutput(t: { after(fn: () => void | Promise<void>): void }, source: LogSource = 'runner'): RecordedOutput {
  const logs = new LogPipeline({ logsDir: path.join(tempDir(t, 'stigmer-test-logs-'), 'logs') });
  t.after(() => logs.close());
  const pipelineOutput = logs.processOutput(source);
  const chunks: string[] = [];
  const tee = (sink: Writable) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        sink.write(chunk, callback);
      },
      final(callback) {
        sink.end(() => callback());
      },
    });
  return {
    output: {
      open: (options) => {
        const sinks = pipelineOutput.open(options);
        return { stdout: tee(sinks.stdout), stderr: tee(sinks.stderr) };
      },
      lastLines: (max) => pipelineOutput.lastLines(max),
    },
    chunks,
  };
}

import type { Writable } from 'node:stream';

/**
 * Where a supervised child's output goes (implemented by the log pipeline: `LogPipeline.processOutput`; declared here, below it, so the supervisor does not reach up into `logs`).
 * The child's pipes are piped into the sinks, so a sink that stops accepting (the log file
 * falling behind) pauses the pipe and the child waits on its next write: memory stays bounded
 * and no line is dropped.
 */
export interface ProcessOutput {
  /**
   * Fresh sinks for one launched process's stdout and stderr, ended with its streams. With
   * `releaseChunks` (for streams whose chunks are buffers of their own: `LaunchedProcess.ownChunks`)
   * the sinks free each chunk's memory once they have its lines, so anything else that reads
   * the stream must listen before piping it into a sink.
   */
  open(options?: { releaseChunks?: boolean }): { stdout: Writable; stderr: Writable };
  /** The newest non-blank lines (at most `max`) the process of the last `open` printed, as the window shows them. */
  lastLines(max: number): string[];
}

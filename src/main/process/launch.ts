import os from 'node:os';
import { finished } from 'node:stream/promises';
import type { ProcessOutput } from './process-output.ts';
import type { LaunchExit, LaunchSpec, LaunchedProcess, Launcher } from './launcher.ts';
import { removePidFile } from './pid-file.ts';
import { formatDuration } from './restart-policy.ts';

/** One launch of a supervised child, from spawn to release. */
export interface Launch {
  handle: LaunchedProcess;
  /** When it started (or, for a child that serves, answered), on the supervisor's clock. */
  startedAt: number;
  /** Whether it came up: spawned, or for a child that serves, answering. Only a child that came up is restarted after a crash. */
  ready: boolean;
  /** Set once it exited. */
  exit: LaunchExit | undefined;
  /** Set before the supervisor ends the process itself, so that exit is not taken for a crash. */
  expectedExit: boolean;
  /** Whether its output went to sinks whose last lines can be read. */
  sinksOpen: boolean;
  /** The end of its stderr (`stderrTailChars` of it), for the message when it exits before it is ready. */
  stderrTail: () => string;
  /** Resolves once its output sinks have taken every byte. */
  outputDone: Promise<unknown>;
  /** Its messages are no longer heard: from the moment the supervisor ends it, what it says is moot. */
  stopListening: () => void;
  /** Ends this launch's output sinks and lets go of it for good (`LaunchedProcess.release`). */
  release: () => void;
}

/** How long output may keep draining after the process tree is gone. */
const OUTPUT_DRAIN_MS = 1_000;

/**
 * How long ending a tree may take beyond the grace period: SIGKILL is waited for 10 s
 * (`terminateTree`), and this bounds the rest, so that `stopping` always has an outcome.
 */
const STOP_TIMEOUT_MS = 15_000;

/** Spawns `spec`, pipes its output to `output`'s sinks (or discards it) and forwards its control messages. */
export function openLaunch(
  launcher: Launcher,
  spec: LaunchSpec,
  output: ProcessOutput | undefined,
  onMessage: (message: unknown) => void,
  stderrTailChars = 0,
): Launch {
  const handle = launcher.launch(spec);
  // What it starts from then on inherits the priority (on Linux, threads it already has keep theirs).
  const { niceness } = spec;
  if (niceness !== undefined)
    void handle.started.then(
      (pid) => setPriorityIfAlive(pid, niceness),
      () => undefined,
    );
  let tail = '';
  // Only the end of a chunk can be in the tail: decoding all of a flood would cost for nothing.
  // Listening before the pipe below: the log sink frees each chunk's memory once it has its lines.
  if (stderrTailChars > 0) {
    handle.stderr.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8', Math.max(0, chunk.length - stderrTailChars))).slice(-stderrTailChars);
    });
  }
  // Piped, so that when the log file falls behind, the pipe pauses and the child waits.
  const sinks = output?.open({ releaseChunks: handle.ownChunks });
  const outputDone = Promise.all(
    (['stdout', 'stderr'] as const).map((stream) => {
      if (!sinks) {
        handle[stream].resume();
        return Promise.resolve();
      }
      handle[stream].pipe(sinks[stream]);
      return finished(sinks[stream]).catch(() => undefined);
    }),
  );
  // This launch's messages only: unsubscribed when it ends, and the launcher closes the channel at its exit.
  const stopListening = handle.onMessage(onMessage);
  const release = () => {
    handle.release();
    // A descendant that escaped may hold the pipes open: their sinks end here rather than never.
    if (sinks) for (const sink of [sinks.stdout, sinks.stderr]) if (!sink.writableEnded) sink.end();
  };
  return {
    handle,
    startedAt: 0,
    ready: false,
    exit: undefined,
    expectedExit: false,
    sinksOpen: sinks !== undefined,
    stderrTail: () => tail,
    outputDone,
    stopListening,
    release,
  };
}

function setPriorityIfAlive(pid: number, niceness: number): void {
  try {
    os.setPriority(pid, Math.min(19, os.getPriority() + niceness));
  } catch {
    // It exited already: its exit is handled where it is awaited.
  }
}

/**
 * Ends whatever is left of a launch's process tree, within `killGraceMs` + `STOP_TIMEOUT_MS`
 * whatever happens, lets its last output drain, then lets go of it. The pid file stays when the
 * tree could not be ended, so that the next start ends what is left.
 */
export async function endLaunch(launch: Launch, killGraceMs: number, pidFile: string): Promise<{ ok: true } | { ok: false; cause: string }> {
  launch.stopListening();
  const limitMs = killGraceMs + STOP_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    launch.handle.terminate(killGraceMs).then(
      () => ({ ok: true }) as const,
      (error: unknown) => ({ ok: false, cause: error instanceof Error ? error.message : String(error) }) as const,
    ),
    new Promise<{ ok: false; cause: string }>(
      (resolve) => (timer = setTimeout(() => resolve({ ok: false, cause: `it had not ended ${formatDuration(limitMs)} after SIGTERM` }), limitMs)),
    ),
  ]);
  clearTimeout(timer);
  let drainTimer: NodeJS.Timeout | undefined;
  const drained = Promise.all([launch.handle.closed, launch.outputDone]);
  await Promise.race([drained, new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, OUTPUT_DRAIN_MS)))]);
  clearTimeout(drainTimer);
  launch.release();
  if (outcome.ok) await removePidFile(pidFile);
  return outcome;
}

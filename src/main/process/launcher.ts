import { spawn, type ChildProcess } from 'node:child_process';
import { Readable, type Duplex } from 'node:stream';
import { RUNNER_CONTROL_FD } from '../../shared/runner-protocol.ts';
import { jsonLinesChannel, type JsonLinesChannel } from './json-lines-channel.ts';
import { LAUNCH_MARKER_VARIABLE, newLaunchMarker } from './launch-marker.ts';
import { terminateTree } from './process-tree.ts';

export interface LaunchSpec {
  /** The executable's resolved path, then its arguments. */
  argv: [string, ...string[]];
  /** The complete environment; nothing is inherited on top of it. */
  env: Record<string, string>;
  cwd?: string;
  /**
   * Open a message channel beside stdout/stderr, which stay pure logs: `true` is Node's IPC (the
   * built-in runner, a Node process); `'json-lines'` a socket on fd `RUNNER_CONTROL_FD` that a
   * program in any language can read (a custom runner that asked for it).
   */
  controlChannel: boolean | 'json-lines';
  /** How much lower than the app's its CPU priority is: added to the app's nice value (at most 19) as soon as it runs. */
  niceness?: number;
}

export interface LaunchExit {
  code: number | null;
  signal: string | null;
}

/** A launched child (the runner, or `ollama serve`), whatever started it. */
export interface LaunchedProcess {
  /** Resolves with the pid once the process runs; rejects if it could not be spawned. */
  readonly started: Promise<number>;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /**
   * Whether every chunk `stdout` and `stderr` emit is a buffer of its own, as Node allocates one
   * per pipe read, so that the log sink may free it once it has the lines (ProcessOutput).
   */
  readonly ownChunks: boolean;
  /** Resolves when the process itself has exited (its output may still be draining). */
  readonly exited: Promise<LaunchExit>;
  /** Resolves when the output streams have closed, too. */
  readonly closed: Promise<void>;
  /**
   * The value of `LAUNCH_MARKER_VARIABLE` this launch and its descendants carry, when the
   * launcher gives one (see launch-marker.ts).
   */
  readonly marker?: string;
  /**
   * Ends the process and all its descendants, those that moved to another session or outlived
   * it included (by the marker, where the OS tells); resolves once none is left, and rejects
   * when some could not be ended or confirmed gone.
   */
  terminate(graceMs: number): Promise<void>;
  /** False when there is no control channel or it is closed (it closes when the process exits). */
  send(message: unknown): boolean;
  onMessage(listener: (message: unknown) => void): () => void;
  /**
   * Lets go of the process for good: its output streams and control channel are destroyed and
   * nothing of it holds the event loop, even if a descendant that escaped still holds the other
   * ends. Output not read by then is lost.
   */
  release(): void;
}

/** Starts child processes. The Electron host can supply one based on `utilityProcess` for the built-in runner. */
export interface Launcher {
  launch(spec: LaunchSpec): LaunchedProcess;
}

/**
 * The default launcher, on `node:child_process`, for the runner and `ollama serve` alike. Each
 * child leads its own process group (`detached` on Unix), so its whole tree can be signalled at
 * once, as execa's `killDescendants` does; stdin is closed, since a runner takes its work over
 * the control channel.
 */
export const childProcessLauncher: Launcher = {
  launch(spec) {
    const [file, ...args] = spec.argv;
    const marker = newLaunchMarker();
    let child: ChildProcess;
    try {
      child = spawn(file, args, {
        env: { ...spec.env, [LAUNCH_MARKER_VARIABLE]: marker },
        ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
        stdio: stdioFor(spec.controlChannel),
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (error) {
      // Most failures are reported as an 'error' event; a few (E2BIG, a bad argument) are thrown.
      return unstartable(error);
    }
    const started = new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
      // Also the listener for later errors (a failed send), which would otherwise be thrown.
      child.on('error', reject);
    });
    const exited = new Promise<LaunchExit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      // A spawn failure emits no 'exit'.
      started.catch(() => resolve({ code: null, signal: null }));
    });
    const closed = new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      started.catch(() => resolve());
    });
    let hasExited = false;
    const socket = spec.controlChannel === 'json-lines' ? (child.stdio[RUNNER_CONTROL_FD] as Duplex | null | undefined) : undefined;
    const lines: JsonLinesChannel | undefined = socket ? jsonLinesChannel(socket) : undefined;
    const ipcListeners = new Set<(message: unknown) => void>();
    const closeChannel = () => {
      lines?.close();
      for (const listener of ipcListeners) child.off('message', listener);
      ipcListeners.clear();
      if (child.connected) child.disconnect();
    };
    // The channel is this launch's: once it exited, what still arrives on it comes from a
    // descendant that inherited it (a daemon), and is not the runner speaking.
    void exited.then(() => {
      hasExited = true;
      closeChannel();
    });

    return {
      started,
      // Out of file descriptors (EMFILE, ENFILE), Node reports the failure on 'error' and never
      // creates the pipes; the caller still gets streams, which end at once.
      stdout: child.stdout ?? Readable.from([]),
      stderr: child.stderr ?? Readable.from([]),
      ownChunks: true,
      exited,
      closed,
      marker,
      async terminate(graceMs) {
        const pid = await started.catch(() => undefined);
        if (pid === undefined) return;
        await terminateTree(pid, { graceMs, followDescendants: !hasExited, marker, exited });
        await exited;
      },
      send(message) {
        if (hasExited) return false;
        if (lines) return lines.send(message);
        if (!child.connected || !child.send) return false;
        return child.send(message as object);
      },
      onMessage(listener) {
        if (hasExited) return () => undefined;
        if (lines) return lines.onMessage(listener);
        ipcListeners.add(listener);
        child.on('message', listener);
        return () => {
          ipcListeners.delete(listener);
          child.off('message', listener);
        };
      },
      release() {
        closeChannel();
        // Not created at all when the spawn failed for want of descriptors.
        child.stdout?.destroy();
        child.stderr?.destroy();
        child.unref();
      },
    };
  },
};

/** stdin closed, stdout and stderr piped, and the control channel (if any) at fd 3. */
function stdioFor(channel: LaunchSpec['controlChannel']): ('ignore' | 'pipe' | 'ipc')[] {
  if (channel === 'json-lines') return ['ignore', 'pipe', 'pipe', 'pipe'];
  return channel ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
}

/** A process that could not even be spawned: `started` rejects with why, everything else is already over. */
function unstartable(error: unknown): LaunchedProcess {
  const started = Promise.reject(error);
  started.catch(() => undefined);
  return {
    started,
    stdout: Readable.from([]),
    stderr: Readable.from([]),
    ownChunks: true,
    exited: Promise.resolve({ code: null, signal: null }),
    closed: Promise.resolve(),
    terminate: () => Promise.resolve(),
    send: () => false,
    onMessage: () => () => undefined,
    release: () => undefined,
  };
}

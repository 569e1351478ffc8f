import { utilityProcess } from 'electron';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { Launcher, LaunchExit } from '../process/launcher.ts';
import { LAUNCH_MARKER_VARIABLE, newLaunchMarker } from '../process/launch-marker.ts';
import { terminateTree } from '../process/process-tree.ts';

/**
 * Starts the built-in runner (`argv[1]`, the bundled `runner.js`) in an Electron utility
 * process. Unlike spawning the Electron binary as Node, this works with the `runAsNode` fuse
 * off, and the control channel is Electron's `parentPort` instead of Node's IPC.
 */
export const utilityProcessLauncher: Launcher = {
  launch(spec) {
    const [, modulePath, ...args] = spec.argv;
    if (!modulePath) throw new Error('The built-in runner needs its module path as the second argument.');
    const marker = newLaunchMarker();
    const child = utilityProcess.fork(modulePath, args, {
      env: { ...spec.env, [LAUNCH_MARKER_VARIABLE]: marker },
      stdio: 'pipe',
      serviceName: 'Stigmer runner',
      ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
    });
    const started = new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid ?? 0));
      child.once('error', (type) => reject(new Error(`The runner's utility process failed: ${type}`)));
    });
    const exited = new Promise<LaunchExit>((resolve) => child.once('exit', (code) => resolve({ code, signal: null })));
    let hasExited = false;
    void exited.then(() => (hasExited = true));
    // Electron types these as the old NodeJS.ReadableStream; at run time they are stream.Readable.
    const stdout = child.stdout as Readable;
    const stderr = child.stderr as Readable;
    const closed = Promise.all([once(stdout, 'close'), once(stderr, 'close')]).then(() => undefined);
    return {
      started,
      stdout,
      stderr,
      // How Electron allocates these streams' chunks is not documented: the log sink leaves them to the collector.
      ownChunks: false,
      exited,
      closed,
      marker,
      async terminate(graceMs) {
        const pid = child.pid;
        if (pid === undefined) return;
        // The same tree stop as `ollama serve`'s. A utility process leads no process group, so
        // its descendants are found by their parent links, while its pid is known to be its own.
        await terminateTree(pid, { graceMs, followDescendants: !hasExited, marker, exited });
        await exited;
      },
      send(message) {
        if (child.pid === undefined) return false;
        child.postMessage(message);
        return true;
      },
      onMessage(listener) {
        if (hasExited) return () => undefined;
        child.on('message', listener);
        return () => {
          child.off('message', listener);
        };
      },
      release() {
        child.removeAllListeners('message');
        stdout.destroy();
        stderr.destroy();
      },
    };
  },
};

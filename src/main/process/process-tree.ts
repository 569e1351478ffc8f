import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parseProcStat, pidExists, type ProcessEntry } from '../../lib/process-identity.ts';
import { processesWithMarker } from './launch-marker.ts';

const execFileAsync = promisify(execFile);

/** Out of descriptors or memory: a read that failed for this reason says nothing about the process. */
const RESOURCE_ERRORS = new Set(['EMFILE', 'ENFILE', 'ENOMEM']);

/**
 * Throws when a read failed for want of descriptors: a table missing the processes it could not
 * read would make a tree look gone that still runs (issue 20 item 12: a restart near descriptor
 * exhaustion signalled nothing and then waited for an exit that never came).
 */
async function listFromProc(): Promise<ProcessEntry[]> {
  const names = await fs.readdir('/proc');
  const entries = await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map((name) =>
        fs.readFile(path.join('/proc', name, 'stat'), 'utf8').then(parseProcStat, (error: NodeJS.ErrnoException) => {
          // Gone meanwhile (ENOENT, ESRCH) is an answer; out of descriptors is not.
          if (RESOURCE_ERRORS.has(error.code ?? '')) throw error;
          return undefined;
        }),
      ),
  );
  return entries.filter((entry) => entry !== undefined);
}

async function listFromPs(): Promise<ProcessEntry[]> {
  const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat=']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 4)
    .map(([pid, ppid, pgid, stat]) => ({ pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), zombie: stat!.startsWith('Z') }));
}

/** Every process on this machine (Unix): `/proc` where there is one, else `ps`. */
export async function listProcesses(): Promise<ProcessEntry[]> {
  try {
    return await listFromProc();
  } catch {
    return listFromPs();
  }
}

/** Whether a process exists and has not exited (a zombie has). */
export async function isProcessAlive(pid: number): Promise<boolean> {
  if (!pidExists(pid)) return false;
  if (process.platform === 'win32') return true;
  const entry = (await listProcesses()).find((candidate) => candidate.pid === pid);
  return entry !== undefined && !entry.zombie;
}

export interface TreeOptions {
  /**
   * The launch's `LAUNCH_MARKER_VARIABLE` value: every live process carrying it belongs to the
   * tree, whatever session it moved to and whether or not the root still runs (Linux only).
   */
  marker?: string;
  /**
   * Also follow parent links down from the root, catching descendants that left its process
   * group. Only while the root is known to be the same process: once it has exited, its pid may
   * belong to someone else, while its process group id stays reserved until the group is empty.
   */
  followDescendants: boolean;
}

/** The live (non-zombie) members of a tree: the root's process group, plus its descendants if asked. */
export function treeMembers(table: readonly ProcessEntry[], rootPid: number, options: TreeOptions): number[] {
  const members = new Set<number>();
  for (const entry of table) if (entry.pgid === rootPid && !entry.zombie) members.add(entry.pid);
  if (options.followDescendants) {
    const children = new Map<number, ProcessEntry[]>();
    for (const entry of table) children.set(entry.ppid, [...(children.get(entry.ppid) ?? []), entry]);
    const pending = table.filter((entry) => entry.pid === rootPid);
    for (let entry = pending.pop(); entry !== undefined; entry = pending.pop()) {
      if (!entry.zombie) members.add(entry.pid);
      pending.push(...(children.get(entry.pid) ?? []));
    }
  }
  return [...members];
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone, which is the goal.
  }
}

export interface TerminateOptions extends TreeOptions {
  /** How long the tree has to exit after SIGTERM before it is SIGKILLed. */
  graceMs: number;
  /** How often the process table is checked while waiting. */
  pollMs?: number;
  /** How long to wait for SIGKILL to take effect before giving up with an error. */
  killTimeoutMs?: number;
  /**
   * Resolves once the root has exited and been reaped (its `exit` event): the wait for the root
   * wakes on it instead of polling, and one look at the table afterwards says whether anything
   * of the tree is left. Without it, the root's end is polled for.
   */
  exited?: Promise<unknown>;
}

/**
 * Ends a process tree and resolves once nothing of it is left: SIGTERM to the root's process
 * group (and to descendants that left it), then SIGKILL to all of them after `graceMs`.
 * The root must lead its own process group (spawned `detached`). On Windows, which has no
 * process groups or SIGTERM, `taskkill /T /F` ends the tree at once.
 */
export async function terminateTree(rootPid: number, options: TerminateOptions): Promise<void> {
  if (process.platform === 'win32') return terminateTreeWindows(rootPid, options);
  return terminate(rootPid, options);
}

/**
 * Ends what is left of a launch whose root is gone or is no longer the process it was (a pid file
 * left by an app that was killed): only the processes carrying its marker, since the root's pid and
 * group may now be someone else's. Nothing on systems without `/proc/<pid>/environ`.
 */
export function terminateMarked(marker: string, options: Pick<TerminateOptions, 'graceMs' | 'pollMs' | 'killTimeoutMs'>): Promise<void> {
  return terminate(undefined, { ...options, marker, followDescendants: false });
}

/** How often a stopping tree is looked at with signal 0, which reads no file. */
const QUICK_POLL_MS = 5;
/**
 * How often the whole process table is read anyway while waiting: a member that is a zombie
 * not yet reaped still answers signal 0, and only the table says it is gone.
 */
const FULL_LOOK_MS = 250;

/**
 * SIGTERM, then SIGKILL after the grace period, to the root's tree (if given) and the marked processes.
 *
 * Reading the process table (and, for the marker, every process's environment) costs hundreds of
 * file reads, 100–300 ms on a busy machine, so it is kept off the path of a restart (issue 25): where
 * the marker finds every descendant whatever happens to the root (Linux), the root (its group, or
 * itself while it is known to be ours) is sent SIGTERM before the table is read. Given the root's
 * `exited`, the wait wakes on it, and one look afterwards ends the stop when nothing of the tree is
 * left; only members still alive then are polled for: signal 0 every few ms, and the table again to
 * confirm (and to find any member not known yet).
 */
async function terminate(rootPid: number | undefined, options: TerminateOptions): Promise<void> {
  const group = rootPid === undefined ? [] : [-rootPid];
  const pollMs = options.pollMs ?? QUICK_POLL_MS;
  const tracked = new Set<number>();
  /** Who was sent which signal: a runner that handles SIGTERM gets it once. */
  const signalled = new Map<number, NodeJS.Signals>();
  /** Why the process table could not be read the last time, if it could not. */
  let blind: string | undefined;
  const alive = async (): Promise<number[]> => {
    let table: ProcessEntry[];
    let marked: number[];
    try {
      // Both read /proc: side by side, a look costs the slower of the two rather than their sum.
      [table, marked] = await Promise.all([listProcesses(), options.marker === undefined ? [] : processesWithMarker(options.marker)]);
      blind = undefined;
    } catch (error) {
      // Out of file descriptors (a busy machine; /proc and ps both need some): signal 0 needs none.
      // It tells whether the group (-rootPid) and the members seen before are still there.
      blind = (error as NodeJS.ErrnoException).code ?? String(error);
      return [...group, ...tracked].filter(pidExists);
    }
    const members = rootPid === undefined ? [] : treeMembers(table, rootPid, options);
    for (const pid of [...members, ...marked]) tracked.add(pid);
    const live = new Set(table.filter((entry) => !entry.zombie).map((entry) => entry.pid));
    return [...tracked].filter((pid) => live.has(pid));
  };
  const sendToTree = (members: readonly number[], name: NodeJS.Signals) => {
    for (const pid of [...group, ...members]) {
      if (signalled.get(pid) === name) continue;
      signalled.set(pid, name);
      signal(pid, name);
    }
  };
  /** Signal 0 to what is known of the tree: true while any of it (a zombie included) is still there. */
  const seemsAlive = () => [...group, ...tracked].some(pidExists);
  const waitUntilGone = async (deadline: number, name: NodeJS.Signals, members: number[]): Promise<number[]> => {
    let lookedAt = Date.now();
    while (members.length > 0 && Date.now() < deadline) {
      await delay(pollMs);
      if (seemsAlive() && Date.now() - lookedAt < FULL_LOOK_MS) continue;
      members = await alive();
      lookedAt = Date.now();
      // One found only now (a descendant that escaped, seen by its marker) gets the signal the others got.
      sendToTree(members, name);
    }
    return members;
  };

  // Where the marker finds what escapes the group whatever becomes of the root, the root need not wait for the table.
  if (rootPid !== undefined && options.marker !== undefined && process.platform === 'linux') {
    if (pidExists(-rootPid)) sendToTree([], 'SIGTERM');
    // Not a group leader (an Electron utility process), but still the process it was: it can be told at once.
    else if (options.followDescendants) sendToTree([rootPid], 'SIGTERM');
  }
  let members = await alive();
  if (members.length === 0) return;
  sendToTree(members, 'SIGTERM');
  const graceEnds = Date.now() + options.graceMs;
  // A look that found the root alive cannot say what is left once it exits: wait for that, then look once more.
  if (options.exited !== undefined && members.includes(rootPid!)) {
    await settledBy(options.exited, graceEnds);
    members = await alive();
    sendToTree(members, 'SIGTERM');
  }
  const survivors = await waitUntilGone(graceEnds, 'SIGTERM', members);
  if (survivors.length === 0) return;
  sendToTree(survivors, 'SIGKILL');
  const unkillable = await waitUntilGone(Date.now() + (options.killTimeoutMs ?? 10_000), 'SIGKILL', survivors);
  if (unkillable.length === 0) return;
  const named = unkillable.map((pid) => (pid < 0 ? `process group ${-pid}` : `process ${pid}`)).join(', ');
  throw new Error(
    blind === undefined
      ? `${named} survived SIGKILL`
      : `${named} could not be confirmed gone: the process table cannot be read (${blind}), so only signal 0 could look, and it counts zombies not yet reaped`,
  );
}

/** Resolves when `promise` settles or at `deadline`, whichever comes first, leaving no timer behind. */
async function settledBy(promise: Promise<unknown>, deadline: number): Promise<void> {
  const timer = new AbortController();
  const timeout = delay(Math.max(0, deadline - Date.now()), undefined, { signal: timer.signal }).catch(() => undefined);
  await Promise.race([promise.catch(() => undefined), timeout]);
  timer.abort();
}

async function terminateTreeWindows(rootPid: number, options: TerminateOptions): Promise<void> {
  const taskkill = path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'taskkill.exe');
  await execFileAsync(taskkill, ['/pid', String(rootPid), '/T', '/F']).catch(() => signal(rootPid, 'SIGKILL'));
  const deadline = Date.now() + (options.killTimeoutMs ?? 10_000);
  while ((await isProcessAlive(rootPid)) && Date.now() < deadline) await delay(options.pollMs ?? QUICK_POLL_MS);
}

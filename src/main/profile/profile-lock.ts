/**
 * One app per profile: an exclusive lock on the user-data folder, taken by both hosts before they
 * read settings or touch pid files. Two hosts on one folder would otherwise each take the other's
 * Ollama and runner for leftovers of a crash, stop them, and run two runners at once.
 *
 * The lock is a file naming its holder by pid and process start time. It is created with
 * `link()`, which either creates it with its whole content or fails, so a reader never sees half
 * a record. A lock whose holder is gone, or whose pid now belongs to another program (a different
 * start time), is stale and taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { pidExists, processStartTime } from '../../lib/process-identity.ts';

const LockRecordSchema = z.object({
  pid: z.number().int().positive(),
  /** `processStartTime(pid)` when it was taken; absent where the system cannot tell. */
  startTime: z.string().optional(),
  /** Which host holds it, for the message a second instance prints. */
  host: z.string(),
  since: z.string(),
});
export type LockHolder = z.infer<typeof LockRecordSchema>;

export type ProfileLock =
  | { kind: 'acquired'; file: string; release: () => void }
  | { kind: 'held'; file: string; holder: LockHolder }
  /** The folder cannot hold a lock (not writable, a path below a file): the host runs unlocked. */
  | { kind: 'unavailable'; file: string; reason: string };

export const profileLockPath = (userDataDir: string): string => path.join(userDataDir, 'run', 'app.lock');

/** How many times a contested lock is retried before it counts as held (each try is quick). */
const ATTEMPTS = 20;
const RETRY_MS = 25;

/**
 * Takes the lock on `userDataDir` for this process, `host` naming it ("headless host", "desktop
 * app"). Synchronous: a host takes it before anything else and cannot do anything without it.
 */
export function acquireProfileLock(userDataDir: string, host: string): ProfileLock {
  const file = profileLockPath(userDataDir);
  const record: LockHolder = { pid: process.pid, host, since: new Date().toISOString() };
  const startTime = processStartTime(process.pid);
  if (startTime !== undefined) record.startTime = startTime;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      if (createExclusive(file, record)) {
        return { kind: 'acquired', file, release: () => releaseIfOurs(file, record) };
      }
      const text = readText(file);
      if (text === undefined) continue; // Released in between: try again.
      const holder = parseRecord(text);
      if (holder && isAlive(holder)) return { kind: 'held', file, holder };
      // Stale (or unreadable garbage, which no live host writes): replace it, unless someone else is doing so.
      if (!removeStale(file, text, record)) sleep(RETRY_MS);
    }
  } catch (error) {
    return { kind: 'unavailable', file, reason: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
  const holder = parseRecord(readText(file) ?? '');
  return holder ? { kind: 'held', file, holder } : { kind: 'unavailable', file, reason: 'the lock file keeps changing' };
}

/** The sentence a second instance prints before it exits 1. */
export function describeHeldLock(userDataDir: string, holder: LockHolder): string {
  return (
    `Stigmer Desktop is already running on ${userDataDir}: the ${holder.host} with pid ${holder.pid} (since ${holder.since}). ` +
    'Use that one, stop it first, or pass --user-data-dir with another folder to run a second app.'
  );
}

/** Whether the recorded process still runs: same pid and, where known, the same start time. */
function isAlive(holder: LockHolder): boolean {
  const startTime = processStartTime(holder.pid);
  if (startTime === undefined) return process.platform === 'win32' && pidExists(holder.pid);
  return holder.startTime === undefined || holder.startTime === startTime;
}

/** Creates `file` holding `record` if it does not exist; false if it does. */
function createExclusive(file: string, record: LockHolder): boolean {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Removes a stale lock whose content is `staleText`, under a short-lived guard file so that two
 * hosts that both found it stale cannot remove the lock the faster one has just taken. False if
 * another host holds the guard. A guard left by a host that died in these few lines is stale too.
 */
function removeStale(file: string, staleText: string, record: LockHolder): boolean {
  const guard = `${file}.takeover`;
  if (!createExclusive(guard, record)) {
    const holder = parseRecord(readText(guard) ?? '');
    if (!holder || !isAlive(holder)) fs.rmSync(guard, { force: true });
    return false;
  }
  try {
    if (readText(file) === staleText) fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

/** Idempotent; never throws (a host that is exiting has nothing better to do about it). */
function releaseIfOurs(file: string, record: LockHolder): void {
  try {
    const holder = parseRecord(readText(file) ?? '');
    if (holder?.pid === record.pid && holder.startTime === record.startTime) fs.rmSync(file, { force: true });
  } catch {
    // A lock that cannot be removed names a dead process once this one exits: the next host takes it over.
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseRecord(text: string): LockHolder | undefined {
  try {
    const parsed = LockRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A synchronous pause: the lock is taken before the host has an event loop worth keeping free. */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

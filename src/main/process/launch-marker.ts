import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Every launch (the runner, `ollama serve`) gets this variable with a value of its own, and its
 * descendants inherit it: whatever session or process group they move to, and after their parent
 * exited, `/proc/<pid>/environ` still names the launch they came from. A process that replaces
 * its environment (`env -i`, `execve` with a fresh one) is not found this way; nor is one run by
 * another user, whose environ this app cannot read.
 */
export const LAUNCH_MARKER_VARIABLE = 'STIGMER_LAUNCH_ID';

/** A fresh marker value: random, so that no other launch, past or present, shares it. */
export const newLaunchMarker = (): string => randomUUID();

/** Whether an environ block (`NAME=value` entries separated by NUL) carries the marker. Pure. */
export function environHasMarker(environ: string, marker: string): boolean {
  return environ.split('\0').includes(`${LAUNCH_MARKER_VARIABLE}=${marker}`);
}

const SCAN_BATCH = 16;

/** Out of descriptors (or memory): the scan is incomplete, which must not pass for "none left". */
const SCAN_FAILURES = new Set(['EMFILE', 'ENFILE', 'ENOMEM']);

/**
 * The live processes whose environment carries the marker, this one excepted. Linux only (other
 * systems have no `/proc/<pid>/environ`; see docs/RELIABILITY.md): elsewhere, an empty list.
 * Throws when descriptors ran out mid-scan, so that a caller never takes a partial scan as complete.
 */
export async function processesWithMarker(marker: string): Promise<number[]> {
  if (process.platform !== 'linux') return [];
  const names = (await fs.readdir('/proc')).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  const found: number[] = [];
  // A few at a time: a scan that opened hundreds of files at once could itself run out of descriptors.
  for (let start = 0; start < names.length; start += SCAN_BATCH) {
    const batch = names.slice(start, start + SCAN_BATCH);
    const environs = await Promise.all(
      batch.map((name) =>
        fs.readFile(path.join('/proc', name, 'environ'), 'latin1').catch((error: NodeJS.ErrnoException) => {
          // Gone meanwhile (ENOENT, ESRCH) or another user's (EACCES): not ours to find.
          if (SCAN_FAILURES.has(error.code ?? '')) throw error;
          return '';
        }),
      ),
    );
    environs.forEach((environ, index) => {
      if (environHasMarker(environ, marker)) found.push(Number(batch[index]));
    });
  }
  return found;
}

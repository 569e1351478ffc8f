import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const HEADLESS_ENTRY = path.join(REPO_ROOT, 'src/main/headless/cli.ts');
/** The host `npm run headless` runs: the bundle its pre-script builds from HEADLESS_ENTRY. */
export { HEADLESS_BUNDLE, ensureHeadlessBuilt } from '../../scripts/build-headless.ts';

/** A fresh, empty user-data folder, removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'stigmer-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An environment with nothing of the developer's own: no inherited LLM variables or keys,
 * so each test states exactly what it sets.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir(), ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the headless host exactly as `npm run -s headless -- …` does, on the same Node. */
export function runHeadlessCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CliResult> {
  return runCommand(process.execPath, [HEADLESS_ENTRY, ...args], { env, cwd: REPO_ROOT, timeoutMs });
}

/**
 * Runs a command to its end with its output collected. It gets its own process group, so that a
 * timeout also ends what it started (npm → sh → node → …), and the error shows what it printed.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  { env, cwd, timeoutMs = 30_000 }: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
      reject(new Error(`${path.basename(command)} ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

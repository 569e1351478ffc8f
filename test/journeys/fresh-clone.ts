/**
 * A fresh clone of this repository as a new user gets it, for the journeys that start at
 * `npm install`: a git clone with the working tree's uncommitted changes laid over it (so the
 * test checks the tree under test, not the last commit), installed from the npm cache.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, cleanEnv, runCommand } from '../support/headless.ts';

/** Why there can be no clone here (not a git checkout, no git), or undefined. */
export function cloneUnavailable(): string | undefined {
  try {
    execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', '--is-inside-work-tree'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `SKIPPED: ${REPO_ROOT} is not a git checkout (or git is missing), so there is nothing to clone`;
  }
}

/** What lets the user's npm reach the registry through this machine's TLS set-up (a CA of its own). */
const TRUST_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;

/**
 * The user's environment for commands in the clone: PATH without this repository's
 * node_modules/.bin (which `npm test` puts first), HOME, the npm cache `npm test` runs with, and
 * the machine's certificate settings, without which an `npm ci` that needs the registry fails.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const pathEntries = (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter).filter((entry) => !entry.startsWith(REPO_ROOT));
  const inherited = Object.fromEntries(
    (['npm_config_cache', ...TRUST_VARIABLES] as const).flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  return cleanEnv({ PATH: pathEntries.join(path.delimiter), ...inherited, ...extra });
}

/** Clones the repository into `dir`/repo and overlays the working tree's changes: no node_modules, nothing built. */
export function cloneWorkingTree(dir: string): string {
  const clone = path.join(dir, 'repo');
  execFileSync('git', ['clone', '--quiet', REPO_ROOT, clone], { stdio: 'ignore' });
  const listed = execFileSync('git', ['-C', REPO_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' });
  // A worktree's node_modules may be a symlink, which `node_modules/` in .gitignore does not match: dependencies, not the tree under test.
  for (const file of listed.split('\0').filter((name) => name !== '' && name !== 'node_modules')) {
    const source = path.join(REPO_ROOT, file);
    const target = path.join(clone, file);
    if (fs.existsSync(source)) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.cpSync(source, target, { verbatimSymlinks: true });
    } else {
      fs.rmSync(target, { force: true }); // deleted in the working tree, not yet committed
    }
  }
  return clone;
}

/** A clone of the working tree (`cloneWorkingTree`) with its dependencies installed by `npm ci`. */
export async function freshClone(dir: string): Promise<string> {
  const clone = cloneWorkingTree(dir);
  const install = await runCommand('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, env: userEnv(), timeoutMs: 120_000 });
  if (install.code !== 0) throw new Error(`npm ci in the fresh clone failed (${install.code}):\n${install.stdout}\n${install.stderr}`);
  return clone;
}

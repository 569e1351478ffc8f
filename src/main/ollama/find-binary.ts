/**
 * Finding the `ollama` binary and reading its version. An app started from the Dock or Finder
 * gets a minimal PATH, so the per-OS install locations are searched after PATH.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { OllamaBinary } from '../../shared/ollama.ts';

export interface FindOllamaOptions {
  /** `--ollama-path`; wins over everything, and is not second-guessed when wrong. */
  flagPath?: string | undefined;
  /** The saved setting `ollama.path`. */
  settingPath?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
  /** The Ollama this app installed in its data folder: used only when no other is found. */
  managedPath?: string | undefined;
}

export type FindOllamaResult =
  { found: true; path: string; source: OllamaBinary['source'] } | { found: false; reason: string; fix: string; searched: string[] };

/** Where the official installers put `ollama`, per OS. */
export function installLocations(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): string[] {
  if (platform === 'darwin') return ['/Applications/Ollama.app/Contents/Resources/ollama', '/usr/local/bin/ollama', '/opt/homebrew/bin/ollama'];
  if (platform === 'win32') {
    return env.LOCALAPPDATA ? [path.win32.join(env.LOCALAPPDATA, 'Programs', 'Ollama', 'ollama.exe')] : [];
  }
  return ['/usr/local/bin/ollama', '/usr/bin/ollama', '/bin/ollama'];
}

/** Every place on PATH a command of this name could be, in PATH order. */
export function pathCandidates(command: string, platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): string[] {
  const win = platform === 'win32';
  const pathValue = (win ? (env.Path ?? env.PATH) : env.PATH) ?? '';
  const paths = win ? path.win32 : path.posix;
  const extensions = win && !/\.[a-z0-9]+$/i.test(command) ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean) : [''];
  return pathValue
    .split(win ? ';' : ':')
    .filter((dir) => dir.trim() !== '')
    .flatMap((dir) => extensions.map((extension) => paths.join(dir, command + extension.toLowerCase())));
}

/** A regular file this user may execute (on Windows: a regular file). */
export function isExecutableFile(file: string, platform: NodeJS.Platform = process.platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOllamaBinary(options: FindOllamaOptions = {}): FindOllamaResult {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const explicit = options.flagPath?.trim()
    ? { file: options.flagPath.trim(), source: 'flag' as const, name: '--ollama-path' }
    : options.settingPath?.trim()
      ? { file: options.settingPath.trim(), source: 'settings' as const, name: 'the saved Ollama path' }
      : undefined;
  if (explicit) {
    if (isExecutableFile(explicit.file, platform)) return { found: true, path: explicit.file, source: explicit.source };
    const problem = fs.existsSync(explicit.file) ? 'is not an executable file' : 'does not exist';
    return {
      found: false,
      reason: `${explicit.name} ${JSON.stringify(explicit.file)} ${problem}`,
      fix: `point ${explicit.name} at the ollama binary, or remove it to search PATH and the install locations`,
      searched: [explicit.file],
    };
  }

  const onPath = pathCandidates(platform === 'win32' ? 'ollama.exe' : 'ollama', platform, env);
  const inPath = onPath.find((candidate) => isExecutableFile(candidate, platform));
  if (inPath) return { found: true, path: inPath, source: 'path' };
  const known = installLocations(platform, env);
  const installed = known.find((candidate) => isExecutableFile(candidate, platform));
  if (installed) return { found: true, path: installed, source: 'install-location' };
  if (options.managedPath && isExecutableFile(options.managedPath, platform)) return { found: true, path: options.managedPath, source: 'app-installed' };
  return {
    found: false,
    reason: 'Ollama is not installed: no ollama binary on PATH or in the usual install locations',
    fix: 'use Install Ollama (or stigmer ollama install), install it from https://ollama.com/download, or pass --ollama-path /path/to/ollama',
    searched: [...onPath, ...known],
  };
}

/**
 * The client's version from `ollama --version`. With no server running it prints
 * `Warning: client version is X`; with one it prints `ollama version is Y` (the server's) and,
 * when they differ, the client's as a warning. The client's own version wins.
 */
export function parseOllamaVersionOutput(output: string): string | undefined {
  const client = /client version is\s+(\S+)/i.exec(output);
  if (client) return client[1];
  return /ollama version is\s+(\S+)/i.exec(output)?.[1];
}

export function readOllamaVersion(binaryPath: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      binaryPath,
      ['--version'],
      { timeout: options.timeoutMs ?? 5000, env: options.env ?? process.env, windowsHide: true, maxBuffer: 64 * 1024 },
      (_error, stdout, stderr) => resolve(parseOllamaVersionOutput(`${stdout}\n${stderr}`)),
    );
  });
}

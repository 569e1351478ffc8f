/**
 * The `stigmer` command of the packaged desktop app (issue 23 §1), as VS Code's "Install 'code'
 * command in PATH" and the Ollama app's CLI link do it. The RunAsNode fuse is off, so the command
 * cannot run the app's Node: it is a small script that starts the app's own executable with
 * `--cli`, and the Electron host then runs the `stigmer` client without a window.
 *
 * Linux and macOS: a POSIX shell script in `~/.local/bin` (the XDG user executable folder; no
 * root needed, nothing outside the home folder written). Windows would write `stigmer.cmd` into
 * `%LOCALAPPDATA%\Programs\Stigmer Desktop\bin` and add that folder to the user's Path, as VS
 * Code's installer does; it is not offered there yet.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The flag the launcher passes first; the Electron host runs the `stigmer` client when it sees it. */
export const CLI_MODE_FLAG = '--cli';

/** Every launcher this app writes carries this line: only such a file is ever replaced. */
const MARK = '# Installed by Stigmer Desktop';

export interface LauncherInputs {
  platform: NodeJS.Platform;
  /** The app's executable: `app.getPath('exe')`, or `$APPIMAGE` when running from an AppImage (the exe is inside its mount). */
  executable: string;
  home: string;
  /** `$PATH`, to tell the user whether `stigmer` will be found as it is. */
  pathVariable: string | undefined;
}

export type LauncherPlan =
  { kind: 'script'; file: string; content: string; onPath: boolean; binDir: string } | { kind: 'unsupported'; message: string; fix: string };

/** Single-quoted for sh: every `'` closes the quote, is escaped, and reopens it. */
const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** Decides where the launcher goes and what it holds; touches nothing. */
export function launcherPlan({ platform, executable, home, pathVariable }: LauncherInputs): LauncherPlan {
  if (platform === 'win32') {
    return {
      kind: 'unsupported',
      message: 'Installing the stigmer command is not offered on Windows yet.',
      fix: 'Use the stigmer command from a clone (npm install -g .) until then.',
    };
  }
  const binDir = path.join(home, '.local', 'bin');
  const onPath = (pathVariable ?? '').split(path.delimiter).some((entry) => entry !== '' && path.resolve(entry) === binDir);
  const content = [
    '#!/bin/sh',
    `${MARK}: the stigmer command runs the desktop app in its command mode, without a window.`,
    '# Remove this file to uninstall it; reinstall from Settings after moving the app.',
    `exec ${shellQuote(executable)} ${CLI_MODE_FLAG} "$@"`,
    '',
  ].join('\n');
  return { kind: 'script', file: path.join(binDir, 'stigmer'), content, onPath, binDir };
}

/** What the user is told once the launcher is written. */
export function installedMessage(plan: Extract<LauncherPlan, { kind: 'script' }>): string {
  const installed = `Installed the stigmer command at ${plan.file}.`;
  if (plan.onPath) return `${installed} Open a new terminal and run stigmer status.`;
  return (
    `${installed} ${plan.binDir} is not on your PATH, so a terminal will not find stigmer yet: ` +
    `add export PATH="$HOME/.local/bin:$PATH" to your shell's profile (~/.profile, ~/.bashrc or ~/.zshrc), ` +
    `or run ${plan.file} status by its full path.`
  );
}

/** Thrown when a `stigmer` that this app did not write is in the way. */
export class ForeignCommand extends Error {
  readonly fix: string;
  constructor(file: string) {
    super(`${file} already exists and was not installed by Stigmer Desktop (an npm link, or another program), so it is left as it is.`);
    this.fix = `Remove ${file} yourself if you want the desktop app's command there, then install it again.`;
  }
}

/**
 * Writes the launcher (owner-writable, executable by all, as a program in a bin folder is),
 * replacing one this app wrote before (the app may have moved) but never anything else.
 */
export function writeLauncher(plan: Extract<LauncherPlan, { kind: 'script' }>): void {
  fs.mkdirSync(plan.binDir, { recursive: true });
  const existing = fs.lstatSync(plan.file, { throwIfNoEntry: false });
  if (existing && !(existing.isFile() && fs.readFileSync(plan.file, 'utf8').includes(MARK))) throw new ForeignCommand(plan.file);
  const temporary = `${plan.file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, plan.content, { mode: 0o755 });
  fs.renameSync(temporary, plan.file);
}

/**
 * The desktop app's command mode: the installed `stigmer` launcher starts the app's executable
 * with `--cli` first (src/main/install/command-launcher.ts), since the RunAsNode fuse is off. It
 * opens no window or tray and takes no lock: it runs the `stigmer` client against the app already
 * running for the folder (over its control socket), or `config` / `doctor` through the core's
 * diagnostics service, prints, and exits with the command's code.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app } from 'electron';
import { parseCommandLine } from '../config/cli-options.ts';
import { configReport, doctorReport } from '../diagnostics/diagnostics.ts';
import { CLI_EXIT } from '../cli/context.ts';
import { runCli } from '../cli/main.ts';
import { CLI_MODE_FLAG } from '../install/command-launcher.ts';
import { appPaths, defaultUserDataDir } from '../profile/paths.ts';
import { SettingsStore } from '../settings/settings-store.ts';
import { openSecretStore } from './safe-storage-secret-store.ts';

/** The `stigmer` arguments when this process was started in command mode, else undefined. */
export function cliModeArguments(appArguments: readonly string[]): string[] | undefined {
  return appArguments[0] === CLI_MODE_FLAG ? appArguments.slice(1) : undefined;
}

/** The one-shot reports, as the headless host gives them, read from the profile without writing to it. */
async function report(kind: 'config' | 'doctor', args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine([kind === 'config' ? '--print-config' : '--doctor', ...args]);
  if (!parsed.ok) {
    process.stderr.write(`stigmer: ${parsed.error}\n`);
    return CLI_EXIT.usage;
  }
  const { commandLine } = parsed;
  const userDataDir = commandLine.userDataDir ?? defaultUserDataDir();
  const settings = SettingsStore.open({ userDataDir, readOnly: true });
  for (const warning of settings.warnings) process.stderr.write(`stigmer: warning: ${warning}\n`);
  // The keychain (safeStorage) answers once the app is ready.
  await app.whenReady();
  const inputs = { commandLine, env: process.env, settings: settings.get(), secrets: await openSecretStore(settings), runDir: appPaths(userDataDir).runDir };
  const result = kind === 'config' ? await configReport(inputs) : await doctorReport(inputs, commandLine.json);
  process.stdout.write(result.text);
  return result.exitCode;
}

async function run(args: readonly string[]): Promise<number> {
  const [name, second] = args;
  if (name === 'local' && second === 'start') {
    process.stderr.write(
      'stigmer: the desktop app is the host here: open Stigmer Desktop to start it. stigmer local start runs the headless host, which comes with a clone (npm install -g .).\n',
    );
    return CLI_EXIT.usage;
  }
  if (name === 'config' || name === 'doctor') return report(name, args.slice(1));
  return runCli(args);
}

/** Waits until what was written has left the process: `app.exit` does not wait for a pipe. */
const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));

/**
 * Runs one `stigmer` command line and exits with its code. Chromium gets a scratch folder of its
 * own: the profile it would open by default is the running app's, which the command reaches only
 * through the control socket.
 */
export async function runCliMode(args: readonly string[]): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-cli-'));
  app.setPath('userData', scratch);
  let code: number;
  try {
    code = await run(args);
  } catch (error) {
    process.stderr.write(`stigmer: ${error instanceof Error ? error.message : String(error)}\n`);
    code = CLI_EXIT.failed;
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  app.exit(code);
}

import { parseCommandLine, formatHelp, type CommandLine } from '../config/cli-options.ts';
import { appPaths, defaultUserDataDir } from '../profile/paths.ts';
import { acquireProfileLock, describeHeldLock } from '../profile/profile-lock.ts';
import { openHeadlessSecrets } from '../secrets/headless-secrets.ts';
import { SettingsStore } from '../settings/settings-store.ts';

/** Exit codes of the headless host. */
export const EXIT = { ok: 0, usage: 2, failure: 1 } as const;

/**
 * The headless host's command line, as `npm run headless` and `stigmer local start` (bin/stigmer.js,
 * which imports this bundle) take it; `command` is how its `--help` names it.
 */
export async function runHeadless(argv: readonly string[], env: NodeJS.ProcessEnv, command = 'npm run headless --'): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (!parsed.ok) {
    process.stderr.write(`stigmer: ${parsed.error}\n`);
    return EXIT.usage;
  }
  const commandLine = parsed.commandLine;
  if (commandLine.help) {
    process.stdout.write(`${formatHelp(command)}\n`);
    return EXIT.ok;
  }

  const userDataDir = commandLine.userDataDir ?? defaultUserDataDir();
  if (!commandLine.printConfig && !commandLine.doctor) return runLocked(commandLine, env, userDataDir);
  // The one-shot commands only read: a bad file is repaired in memory and left as it is.
  const settingsStore = SettingsStore.open({ userDataDir, readOnly: true });
  const { store: secrets, messages } = await openHeadlessSecrets({
    userDataDir,
    env,
    settings: settingsStore,
    keysFileFlag: commandLine.keysFile,
    readOnly: true,
  });

  // The one-shot commands keep stdout for their report; problems with the settings go to stderr.
  for (const warning of [...settingsStore.warnings, ...messages]) process.stderr.write(`stigmer: warning: ${warning}\n`);
  const inputs = { commandLine, env, settings: settingsStore.get(), secrets, runDir: appPaths(userDataDir).runDir };
  // Imported here, as run mode is below: each command's bundle chunk is read only by that command.
  const { configReport, doctorReport } = await import('../diagnostics/diagnostics.ts');
  const report = commandLine.printConfig ? await configReport(inputs) : await doctorReport(inputs, commandLine.json);
  process.stdout.write(report.text);
  return report.exitCode;
}

/**
 * Run mode holds the profile lock from before it reads anything until it exits, so a second host
 * on the same folder touches nothing of the first's. `--print-config` and `--doctor` only read,
 * and run beside a running app without it.
 */
async function runLocked(commandLine: CommandLine, env: NodeJS.ProcessEnv, userDataDir: string): Promise<number> {
  const lock = acquireProfileLock(userDataDir, 'headless host');
  if (lock.kind === 'held') {
    process.stderr.write(`stigmer: ${describeHeldLock(userDataDir, lock.holder)}\n`);
    return EXIT.failure;
  }
  if (lock.kind === 'unavailable') {
    process.stderr.write(`stigmer: warning: cannot lock ${userDataDir} (${lock.reason}), so another app on this folder would not be noticed\n`);
  }
  // The exit hook covers process.exit (the shutdown deadline), which skips `finally`; a lock left by
  // a host that was killed names a dead process, and the next host takes it over.
  const release = lock.kind === 'acquired' ? lock.release : () => undefined;
  process.once('exit', release);
  try {
    const settings = SettingsStore.open({ userDataDir });
    const keys = await openHeadlessSecrets({ userDataDir, env, settings, keysFileFlag: commandLine.keysFile, readOnly: false });
    const { runApp } = await import('./run.ts');
    return await runApp({ commandLine, env, userDataDir, settings, secrets: keys.store, keyStorage: keys });
  } finally {
    release();
  }
}

if (import.meta.main) process.exitCode = await runHeadless(process.argv.slice(2), process.env);

import { parseCommandLine, formatHelp } from '../config/cli-options.ts';
import { resolveCurrentConfig } from '../config/current-config.ts';
import { appPaths, defaultUserDataDir } from '../paths.ts';
import { SessionSecretStore } from '../secrets/session-secret-store.ts';
import { SettingsStore } from '../settings/settings-store.ts';
import { formatPrintConfig } from './print-config.ts';
import { doctorCommand } from './doctor.ts';

/** Exit codes of the headless host. */
export const EXIT = { ok: 0, invalidConfig: 2, usage: 2, failure: 1 } as const;

const HEADLESS_KEYS_NOTICE =
  'Headless mode has no OS keychain: keys come from flags or the environment, or are held for this session only.';

export async function runHeadless(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (!parsed.ok) {
    process.stderr.write(`stigmer: ${parsed.error}\n`);
    return EXIT.usage;
  }
  const commandLine = parsed.commandLine;
  if (commandLine.help) {
    process.stdout.write(`${formatHelp('npm run headless --')}\n`);
    return EXIT.ok;
  }

  const userDataDir = commandLine.userDataDir ?? defaultUserDataDir();
  const settingsStore = SettingsStore.open({ userDataDir });
  for (const warning of settingsStore.warnings) process.stderr.write(`stigmer: warning: ${warning}\n`);
  const secrets = new SessionSecretStore(HEADLESS_KEYS_NOTICE);
  const config = await resolveCurrentConfig({ flags: commandLine.config, env, settings: settingsStore.get(), secrets });

  if (commandLine.printConfig) {
    process.stdout.write(`${formatPrintConfig(config)}\n`);
    return config.errors.length > 0 ? EXIT.invalidConfig : EXIT.ok;
  }
  if (commandLine.doctor) {
    const inputs = { commandLine, env, settings: settingsStore.get(), secrets, runDir: appPaths(userDataDir).runDir };
    return doctorCommand(inputs, { json: commandLine.json, write: (text) => process.stdout.write(text) });
  }
  process.stderr.write(`stigmer: nothing to do yet; ${formatHelp('npm run headless --')}\n`);
  return EXIT.usage;
}

process.exitCode = await runHeadless(process.argv.slice(2), process.env);

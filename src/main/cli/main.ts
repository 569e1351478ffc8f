/**
 * The `stigmer` command's client half: every subcommand that steers the app already running for a
 * user-data folder, over its control socket. bin/stigmer.js runs `local start`, `config` and
 * `doctor` itself, in the headless host's bundle, and everything else here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { CommandFailed, ControlClient, NoAppRunning } from '../control-socket/client.ts';
import { controlSocketPath } from '../control-socket/socket-path.ts';
import { APP_ROOT } from '../install/layout.ts';
import { defaultUserDataDir } from '../profile/paths.ts';
import { CLI_EXIT, UsageError, print, type CliContext } from './context.ts';
import { endpoints } from './endpoints.ts';
import { logs } from './logs.ts';
import { models } from './models.ts';
import { ollama } from './ollama.ts';
import { keys, status, use } from './steer.ts';

interface Subcommand {
  usage: string;
  summary: string;
  options: ParseArgsOptionsConfig;
  run: (context: CliContext) => Promise<number>;
}

const USER_DATA_DIR = { 'user-data-dir': { type: 'string' } } as const satisfies ParseArgsOptionsConfig;

/** The subcommands that talk to a running app; `help` lists these and the three bin/stigmer.js runs. */
const SUBCOMMANDS: Record<string, Subcommand> = {
  status: {
    usage: 'status [--json]',
    summary: "the running app's provider, model, base URL (each with its source), Ollama and the runner",
    options: { json: { type: 'boolean' } },
    run: status,
  },
  use: { usage: 'use PROVIDER [--model MODEL]', summary: 'switch provider (and model); the runner restarts', options: { model: { type: 'string' } }, run: use },
  logs: {
    usage: 'logs [-n N] [-f] [--source app|runner|ollama] [--level LEVEL]',
    summary: 'recent log lines, then follow with -f',
    options: {
      lines: { type: 'string', short: 'n' },
      follow: { type: 'boolean', short: 'f' },
      source: { type: 'string', multiple: true },
      level: { type: 'string' },
    },
    run: logs,
  },
  keys: {
    usage: 'keys set|rm PROVIDER',
    summary: 'save an API key (read from stdin or a hidden prompt, never the command line) or remove it',
    options: {},
    run: keys,
  },
  endpoints: {
    usage: 'endpoints list | add ID --base-url URL --models A,B [--name NAME] [--key] | check ID | rm ID',
    summary:
      'OpenAI-compatible endpoints (OpenRouter, Groq, LM Studio, vLLM…); --key reads the key from stdin or a hidden prompt; check asks the server for its models',
    options: { 'base-url': { type: 'string' }, models: { type: 'string' }, name: { type: 'string' }, key: { type: 'boolean' } },
    run: endpoints,
  },
  models: {
    usage: 'models [list | pull NAME | rm NAME | move DIR | delete-old DIR]',
    summary: "list the provider's models, pull or delete an Ollama model, or move the managed Ollama's models folder (then delete the old copy)",
    options: {},
    run: models,
  },
  ollama: {
    usage: 'ollama install | update | check',
    summary: "install Ollama for this user, update the app's own, or say which Ollama is used and whether a newer one exists",
    options: {},
    run: ollama,
  },
};

/** Run by bin/stigmer.js in the headless host; listed here for `help`. */
const HOST_COMMANDS: [string, string][] = [
  ['local start [flags]', 'run the app in this terminal until Ctrl-C (flags: stigmer local start --help)'],
  ['config', 'print the resolved configuration as JSON (no app needed)'],
  ['doctor [--json]', 'check configuration, Ollama and the runner (no app needed)'],
];

function formatCliHelp(): string {
  const rows: [string, string][] = [
    ...HOST_COMMANDS,
    ...Object.values(SUBCOMMANDS).map((command): [string, string] => [command.usage, command.summary]),
    ['--version', 'print the version'],
    ['help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([usage]) => usage.length));
  return [
    'Usage: stigmer COMMAND [--user-data-dir DIR]',
    '',
    'Commands:',
    ...rows.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`),
    '',
    'Every command but local start, config and doctor steers the app already running for the folder',
    '(--user-data-dir, or the default profile): desktop or headless.',
    'Exit codes: 0 done, 1 the app refused or the command failed, 2 a usage mistake, 3 no app running.',
  ].join('\n');
}

const version = (): string => (JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Only a follow listens for Ctrl-C; every other command keeps the default (it ends the command at once). */
const interruption = (): Promise<void> => new Promise((resolve) => process.once('SIGINT', () => resolve()));

/** Runs one `stigmer` command line (without `local start`, `config` and `doctor`); resolves with its exit code. */
export async function runCli(argv: readonly string[], io: Pick<CliContext, 'stdin' | 'stdout' | 'stderr'> = process): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    print(name === undefined ? io.stderr : io.stdout, formatCliHelp());
    return name === undefined ? CLI_EXIT.usage : CLI_EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    print(io.stdout, `stigmer ${version()}`);
    return CLI_EXIT.ok;
  }
  const subcommand = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!subcommand) {
    print(io.stderr, `stigmer: unknown command ${JSON.stringify(name)}; run stigmer help to list the commands`);
    return CLI_EXIT.usage;
  }
  let userDataDir = defaultUserDataDir();
  const connections: ControlClient[] = [];
  const connect = async (socketPath: string) => {
    const client = await ControlClient.connect(socketPath);
    connections.push(client);
    return client;
  };
  try {
    const parsed = parseArgs({ args: rest, options: { ...USER_DATA_DIR, ...subcommand.options }, allowPositionals: true, strict: true });
    userDataDir = parsed.values['user-data-dir'] ?? userDataDir;
    const socketPath = controlSocketPath(userDataDir);
    return await subcommand.run({ ...io, args: parsed.positionals, options: parsed.values, app: () => connect(socketPath), interrupted: interruption });
  } catch (error) {
    if (error instanceof NoAppRunning) {
      print(
        io.stderr,
        `stigmer: no Stigmer app is running for ${userDataDir}. Start one with \`stigmer local start${userDataDir === defaultUserDataDir() ? '' : ` --user-data-dir ${userDataDir}`}\`, or open Stigmer Desktop.`,
      );
      return CLI_EXIT.noApp;
    }
    if (error instanceof CommandFailed) {
      print(io.stderr, `stigmer: ${error.message}${error.fix ? ` ${error.fix}` : ''}`);
      return CLI_EXIT.failed;
    }
    if (error instanceof UsageError || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      print(io.stderr, `stigmer ${name}: ${error.message}; usage: stigmer ${subcommand.usage}`);
      return CLI_EXIT.usage;
    }
    throw error;
  } finally {
    // The connection is all that keeps a finished command alive.
    for (const client of connections) client.close();
  }
}

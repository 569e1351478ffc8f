import { parseArgs } from 'node:util';
import { CLOUD_PROVIDERS, PROVIDERS, PROVIDER_SPECS, keySpec, perCloudProvider, type CloudProvider } from '../../shared/providers.ts';
import type { ConfigFlags } from './resolve.ts';

interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder for the value in `--help`. */
  value?: string;
  help: string;
  /** Accepted values, checked after parsing. */
  choices?: readonly string[];
}

/** `--anthropic-key` and the like, one per cloud provider of the table. */
const keyOption = (provider: CloudProvider) => keySpec(provider).flag.slice(2) as `${string}-key`;
const KEY_OPTIONS = Object.fromEntries(
  CLOUD_PROVIDERS.map((provider) => [
    keyOption(provider),
    { type: 'string', value: 'KEY', help: `${PROVIDER_SPECS[provider].label} API key (visible to other local users; prefer ${keySpec(provider).env})` },
  ]),
) as Record<`${string}-key`, OptionSpec>;

/** Every command-line option of both hosts; `--help` is generated from this table. */
export const CLI_OPTIONS = {
  'llm-provider': { type: 'string', value: 'NAME', help: `LLM provider: ${PROVIDERS.join(', ')}, or the id of an endpoint (stigmer endpoints list)` },
  'llm-model': { type: 'string', value: 'MODEL', help: 'model name, e.g. claude-sonnet-5-5 or llama3.2:3b' },
  'llm-base-url': { type: 'string', value: 'URL', help: 'base URL of the chosen provider (Ollama: http://host:port, with or without /v1)' },
  ...KEY_OPTIONS,
  'user-data-dir': { type: 'string', value: 'DIR', help: 'folder for settings, logs and pid files' },
  'runner-command': { type: 'string', value: '"CMD ARGS"', help: 'runner to supervise instead of the built-in one' },
  'runner-control-channel': { type: 'boolean', help: 'give that runner the control channel on fd 3 (JSON lines), so it takes tasks' },
  'ollama-path': { type: 'string', value: 'PATH', help: 'the ollama binary to launch' },
  'keys-file': { type: 'boolean', help: 'headless, no OS keychain: keep saved keys in an UNENCRYPTED owner-only file (remembered)' },
  'no-keys-file': { type: 'boolean', help: 'headless, no OS keychain: keep saved keys for the session only, removing the file (remembered)' },
  'print-config': { type: 'boolean', help: 'print the resolved configuration as JSON and exit (2 if invalid)' },
  doctor: { type: 'boolean', help: 'check configuration, Ollama and the runner, then exit' },
  json: { type: 'boolean', help: 'with --doctor: print the report as JSON' },
  'log-format': { type: 'string', value: 'FORMAT', choices: ['text', 'json'], help: 'stdout log format: text or json (one object per line)' },
  ui: { type: 'boolean', help: 'serve the window on 127.0.0.1 behind a random token' },
  'ui-port': { type: 'string', value: 'PORT', help: 'port for --ui (default: a free one)' },
  help: { type: 'boolean', help: 'show this help and exit' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof CLI_OPTIONS | keyof typeof KEY_OPTIONS;

export interface CommandLine {
  config: ConfigFlags;
  userDataDir?: string;
  runnerCommand?: string;
  /** `--runner-control-channel`. */
  runnerControlChannel: boolean;
  ollamaPath?: string;
  /** `--keys-file` (true) or `--no-keys-file` (false): where the headless host keeps keys without a keychain. */
  keysFile?: boolean;
  printConfig: boolean;
  doctor: boolean;
  json: boolean;
  logFormat: 'text' | 'json';
  ui: boolean;
  uiPort?: number;
  help: boolean;
}

/** No flags at all. */
export const DEFAULT_COMMAND_LINE: Readonly<CommandLine> = {
  config: {},
  runnerControlChannel: false,
  printConfig: false,
  doctor: false,
  json: false,
  logFormat: 'text',
  ui: false,
  help: false,
};

export type CommandLineResult = { ok: true; commandLine: CommandLine } | { ok: false; error: string };

const HELP_HINT = 'run with --help to list the options';

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}; ${HELP_HINT}`;
  const missing = /Option '(--[a-z-]+)[^']*' argument missing/.exec(message);
  if (missing) return `option ${missing[1]} needs a value, e.g. ${missing[1]}=VALUE`;
  const ambiguous = /Option '(--[a-z-]+)[^']*' argument is ambiguous/.exec(message);
  if (ambiguous) return `option ${ambiguous[1]} needs a value; to pass a value starting with "-", write ${ambiguous[1]}=VALUE`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument ${JSON.stringify(positional[1])}; options start with --, ${HELP_HINT}`;
  const wrongType = /Option '(--[a-z-]+)[^']*' does not take an argument/.exec(message);
  if (wrongType) return `option ${wrongType[1]} is a switch and takes no value`;
  return `${message}; ${HELP_HINT}`;
}

/**
 * Parses the hosts' command line. `strict` rejects unknown options and positionals (headless);
 * the Electron host passes `strict: false` because Chromium and the OS add switches of their own.
 */
export function parseCommandLine(args: readonly string[], { strict = true }: { strict?: boolean } = {}): CommandLineResult {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof CLI_OPTIONS; strict: boolean; tokens: true; allowPositionals: boolean }>>;
  try {
    parsed = parseArgs({ args: [...args], options: CLI_OPTIONS, strict, tokens: true, allowPositionals: !strict });
  } catch (error) {
    return { ok: false, error: describeParseError(error) };
  }

  const seen = new Map<string, number>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || !(token.name in CLI_OPTIONS)) continue;
    seen.set(token.name, (seen.get(token.name) ?? 0) + 1);
  }
  for (const [name, count] of seen) {
    if (count > 1) return { ok: false, error: `option --${name} is given ${count} times; give it once` };
  }

  const values = parsed.values as Partial<Record<OptionName, string | boolean>>;
  const text = (name: OptionName): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  for (const [name, spec] of Object.entries(CLI_OPTIONS) as [OptionName, OptionSpec][]) {
    const value = text(name);
    if (spec.choices && value !== undefined && !spec.choices.includes(value.trim().toLowerCase())) {
      return { ok: false, error: `--${name}=${JSON.stringify(value)} is not one of ${spec.choices.join(', ')}` };
    }
  }

  if (values['keys-file'] === true && values['no-keys-file'] === true) return { ok: false, error: 'give --keys-file or --no-keys-file, not both' };

  let uiPort: number | undefined;
  const uiPortText = text('ui-port');
  if (uiPortText !== undefined) {
    uiPort = /^\d{1,5}$/.test(uiPortText.trim()) ? Number(uiPortText.trim()) : Number.NaN;
    if (!(uiPort >= 0 && uiPort <= 65535)) return { ok: false, error: `--ui-port=${JSON.stringify(uiPortText)} is not a port number (0-65535)` };
  }

  const optional = <K extends string>(key: K, value: string | undefined) =>
    (value !== undefined && value.trim() !== '' ? { [key]: value.trim() } : {}) as Partial<Record<K, string>>;

  return {
    ok: true,
    commandLine: {
      config: {
        llmProvider: text('llm-provider'),
        llmModel: text('llm-model'),
        llmBaseUrl: text('llm-base-url'),
        keys: perCloudProvider((provider) => text(keyOption(provider))),
      },
      ...optional('userDataDir', text('user-data-dir')),
      ...optional('runnerCommand', text('runner-command')),
      runnerControlChannel: values['runner-control-channel'] === true,
      ...optional('ollamaPath', text('ollama-path')),
      ...(values['keys-file'] === true ? { keysFile: true } : values['no-keys-file'] === true ? { keysFile: false } : {}),
      printConfig: values['print-config'] === true,
      doctor: values.doctor === true,
      json: values.json === true,
      logFormat: text('log-format')?.trim().toLowerCase() === 'json' ? 'json' : 'text',
      ui: values.ui === true,
      ...(uiPort !== undefined ? { uiPort } : {}),
      help: values.help === true,
    },
  };
}

/** `--help`: one line per option. */
export function formatHelp(command: string): string {
  const rows = (Object.entries(CLI_OPTIONS) as [OptionName, OptionSpec][]).map(([name, spec]) => [`--${name}${spec.value ? ` ${spec.value}` : ''}`, spec.help]);
  const width = Math.max(...rows.map(([left]) => left!.length));
  return [
    `Usage: ${command} [options]`,
    '',
    'Options:',
    ...rows.map(([left, help]) => `  ${left!.padEnd(width)}  ${help}`),
    '',
    'Precedence for each LLM setting: flag > environment > saved setting > smart default.',
    'Empty or whitespace-only values count as unset. See README.md for every variable.',
  ].join('\n');
}

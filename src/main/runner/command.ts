import fs from 'node:fs';
import path from 'node:path';
import { parseCommandString } from 'execa';
import { BUILT_IN_RUNNER_ENTRY } from '../install/layout.ts';
import type { RunnerError } from '../../shared/runner-status.ts';
import type { Settings } from '../../shared/settings.ts';

export { BUILT_IN_RUNNER_ENTRY };

export type RunnerCommandSource = 'flag:--runner-command' | 'env:STIGMER_RUNNER_COMMAND' | 'settings' | 'default';

export interface RunnerCommand {
  /** The executable, then its arguments. Never holds a secret: those travel in the environment. */
  argv: [string, ...string[]];
  source: RunnerCommandSource;
  /** The built-in runner, which talks to the app over a control channel besides its logs. */
  builtIn: boolean;
  /** A custom runner the user gave the JSON-lines control channel (`--runner-control-channel`); the built-in runner always has its own. */
  controlChannel?: boolean;
}

export type ControlChannelSource = 'flag:--runner-control-channel' | 'env:STIGMER_RUNNER_CONTROL_CHANNEL' | 'settings' | 'default';

/** Whether a custom runner gets the control channel, and which layer said so. */
export interface ControlChannelSwitch {
  enabled: boolean;
  source: ControlChannelSource;
}

export interface RunnerCommandInputs {
  /** `--runner-command`. */
  flag?: string | undefined;
  /** `--runner-control-channel`. */
  controlChannelFlag?: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
  settings: Pick<Settings, 'runner'>;
  /**
   * How to start the built-in runner. Default: this Node running `src/builtin-runner/index.ts`; the
   * Electron host substitutes its own launcher.
   */
  builtIn?: [string, ...string[]];
}

export type RunnerCommandResult = { ok: true; command: RunnerCommand } | { ok: false; error: RunnerError };

/** How each source is named to the user, and where they change it. */
const SOURCE_NAMES: Record<RunnerCommandSource, string> = {
  'flag:--runner-command': '--runner-command',
  'env:STIGMER_RUNNER_COMMAND': 'STIGMER_RUNNER_COMMAND',
  settings: 'the runner command in Settings',
  default: 'the built-in runner',
};

/**
 * The runner to supervise: `--runner-command`, then `STIGMER_RUNNER_COMMAND`, then the saved
 * setting, then the built-in runner. A blank value counts as unset, as everywhere in the
 * cascade. The string is split by execa's parser, never a shell: arguments are separated by
 * spaces, and a space inside an argument is written `\ `.
 */
export function resolveRunnerCommand(inputs: RunnerCommandInputs): RunnerCommandResult {
  return resolveRunner(inputs).command;
}

export type ControlChannelResult = { ok: true; value: ControlChannelSwitch } | { ok: false; error: RunnerError };

/** The runner command and whether a custom one gets the control channel, from one reading of the flag, the environment and the settings. Pure. */
export function resolveRunner(inputs: RunnerCommandInputs): { command: RunnerCommandResult; channel: ControlChannelResult } {
  const channel = resolveControlChannel(inputs);
  return { command: commandFrom(inputs, channel), channel };
}

function commandFrom(inputs: RunnerCommandInputs, channel: ControlChannelResult): RunnerCommandResult {
  const candidates: [RunnerCommandSource, string | undefined][] = [
    ['flag:--runner-command', inputs.flag],
    ['env:STIGMER_RUNNER_COMMAND', inputs.env.STIGMER_RUNNER_COMMAND],
    ['settings', inputs.settings.runner.command],
  ];
  for (const [source, raw] of candidates) {
    if (raw === undefined || raw.trim() === '') continue;
    const [file, ...args] = parseCommandString(raw.trim());
    if (file === undefined) continue;
    if (!channel.ok) return channel;
    return { ok: true, command: { argv: [file, ...args], source, builtIn: false, ...(channel.value.enabled ? { controlChannel: true } : {}) } };
  }
  return {
    ok: true,
    command: { argv: inputs.builtIn ?? [process.execPath, BUILT_IN_RUNNER_ENTRY], source: 'default', builtIn: true },
  };
}

const SWITCH_VALUES: Record<string, boolean> = { '1': true, true: true, yes: true, on: true, '0': false, false: false, no: false, off: false };

/**
 * Whether a custom runner gets the JSON-lines control channel, each layer in the cascade's order:
 * `--runner-control-channel`, then `STIGMER_RUNNER_CONTROL_CHANNEL` (1/true/yes/on or
 * 0/false/no/off; blank is unset), then the saved setting (Settings → Runner command, for a
 * desktop user who cannot set a variable for a tray app), else off, so a runner that never asked
 * for it is started exactly as before (no extra descriptor). Pure.
 */
export function resolveControlChannel(inputs: Pick<RunnerCommandInputs, 'controlChannelFlag' | 'env' | 'settings'>): ControlChannelResult {
  if (inputs.controlChannelFlag === true) return { ok: true, value: { enabled: true, source: 'flag:--runner-control-channel' } };
  const raw = inputs.env.STIGMER_RUNNER_CONTROL_CHANNEL?.trim().toLowerCase() ?? '';
  if (raw !== '') {
    const enabled = SWITCH_VALUES[raw];
    if (enabled !== undefined) return { ok: true, value: { enabled, source: 'env:STIGMER_RUNNER_CONTROL_CHANNEL' } };
    return {
      ok: false,
      error: {
        message: `STIGMER_RUNNER_CONTROL_CHANNEL=${JSON.stringify(inputs.env.STIGMER_RUNNER_CONTROL_CHANNEL)} is not one of 1, true, yes, on, 0, false, no, off`,
        fix: 'set it to 1 to give the runner the control channel, or unset it',
      },
    };
  }
  const saved = inputs.settings.runner.controlChannel;
  if (saved !== undefined) return { ok: true, value: { enabled: saved, source: 'settings' } };
  return { ok: true, value: { enabled: false, source: 'default' } };
}

/** The command as the user would write it for `--runner-command` (execa's syntax). */
export function formatRunnerCommand(argv: readonly string[]): string {
  return argv.map((arg) => arg.replaceAll(' ', '\\ ')).join(' ');
}

export interface LocateOptions {
  /** Where a relative path is resolved from. */
  cwd: string;
  /** The runner's environment: its `PATH` (and `PATHEXT` on Windows) is searched. */
  env: Readonly<Record<string, string | undefined>>;
  platform?: NodeJS.Platform;
}

export type LocateResult = { ok: true; path: string } | { ok: false; error: RunnerError };

function executableProblem(candidate: string, platform: NodeJS.Platform): 'missing' | 'directory' | 'not-executable' | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(candidate);
  } catch {
    return 'missing';
  }
  if (stat.isDirectory()) return 'directory';
  if (platform === 'win32') return undefined;
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
    return undefined;
  } catch {
    return 'not-executable';
  }
}

/** Windows finds `tool` as `tool.exe`, `tool.cmd`…; elsewhere the name is used as is. */
function spellings(file: string, env: LocateOptions['env'], platform: NodeJS.Platform): string[] {
  if (platform !== 'win32' || path.win32.extname(file) !== '') return [file];
  const extensions = (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  return [file, ...extensions.map((extension) => file + extension.toLowerCase())];
}

/**
 * Finds the runner's executable before anything is spawned, so a typo is one clear error that
 * names the command and the fix rather than a restart loop of spawn failures.
 */
export function locateRunnerExecutable(command: RunnerCommand, options: LocateOptions): LocateResult {
  const platform = options.platform ?? process.platform;
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const file = command.argv[0];
  const where = SOURCE_NAMES[command.source];
  const change = command.source === 'default' ? 'reinstall the app, or set --runner-command to a runner of your own' : `change ${where}`;
  const hasDirectory = file.includes('/') || (platform === 'win32' && file.includes('\\'));

  if (hasDirectory) {
    const absolute = pathApi.resolve(options.cwd, file);
    let firstProblem: ReturnType<typeof executableProblem> = 'missing';
    for (const candidate of spellings(absolute, options.env, platform)) {
      const problem = executableProblem(candidate, platform);
      if (problem === undefined) return { ok: true, path: candidate };
      if (firstProblem === 'missing') firstProblem = problem;
    }
    const shown = JSON.stringify(file);
    if (firstProblem === 'directory') {
      return {
        ok: false,
        error: { message: `runner command ${shown} (from ${where}) is a folder, not a program`, fix: `point it at the program itself; ${change}` },
      };
    }
    if (firstProblem === 'not-executable') {
      return {
        ok: false,
        error: { message: `runner command ${shown} (from ${where}) is not executable`, fix: `make it executable (chmod +x ${absolute}), or ${change}` },
      };
    }
    return {
      ok: false,
      error: { message: `runner command ${shown} (from ${where}) does not exist (looked for ${absolute})`, fix: `check the path, or ${change}` },
    };
  }

  const directories = (options.env.PATH ?? options.env.Path ?? '').split(pathApi.delimiter).filter(Boolean);
  let notExecutable: string | undefined;
  for (const directory of directories) {
    for (const candidate of spellings(pathApi.join(directory, file), options.env, platform)) {
      const problem = executableProblem(candidate, platform);
      if (problem === undefined) return { ok: true, path: candidate };
      if (problem === 'not-executable') notExecutable ??= candidate;
    }
  }
  if (notExecutable !== undefined) {
    return {
      ok: false,
      error: {
        message: `runner command ${JSON.stringify(file)} (from ${where}) was found at ${notExecutable} but is not executable`,
        fix: `make it executable (chmod +x ${notExecutable}), or ${change}`,
      },
    };
  }
  return {
    ok: false,
    error: {
      message: `runner command ${JSON.stringify(file)} (from ${where}) was not found on PATH`,
      fix: `install it, or give its full path: ${change}`,
    },
  };
}

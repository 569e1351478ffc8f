/**
 * The doctor (`--doctor`, `stigmer doctor`): checks the configuration, Ollama (binary, server,
 * models) and the runner without starting anything, and says for each finding what to do.
 */
import fs from 'node:fs';
import type { CommandLine } from '../config/cli-options.ts';
import { resolveCurrentConfig } from '../config/current-config.ts';
import { isOllamaModelInstalled } from '../../lib/model-names.ts';
import { describeModel, toPublicConfig } from '../config/public-config.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { ProbeResult } from '../ollama/detect.ts';
import { findOllamaBinary, readOllamaVersion } from '../ollama/find-binary.ts';
import { isLocalOllamaHost, parseOllamaHost } from '../../lib/ollama-host.ts';
import { decideStart } from '../ollama/decisions.ts';
import { describeProbe, ollamaUrlOf, readOllama, resolveWithOllama } from './ollama-facts.ts';
import { detectHardware } from '../hardware/detect.ts';
import { fitCheck, hardwareCheck } from '../hardware/doctor-checks.ts';
import { ModelInfoCache } from '../ollama/model-info.ts';
import { checkKey } from '../providers/provider-api.ts';
import { isRecordedProcess, pidFilePath, readPidFile } from '../process/pid-file.ts';
import {
  BUILT_IN_RUNNER_ENTRY,
  formatRunnerCommand,
  locateRunnerExecutable,
  resolveRunner,
  type ControlChannelSwitch,
  type RunnerCommand,
} from '../runner/command.ts';
import { CONTROL_CHANNEL_PLACE } from '../../shared/runner-channel.ts';
import { Redactor } from '../../lib/redactor.ts';
import { CLOUD_PROVIDERS, PROVIDER_SPECS, isCloudProvider } from '../../shared/providers.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { DoctorCheck, DoctorReport, DoctorStatus } from '../../shared/doctor.ts';
import type { OllamaBinary, OllamaOwner } from '../../shared/ollama.ts';
import type { Settings } from '../../shared/settings.ts';

/** What the one-shot reports read: a profile opened read-only, and the command line and environment. */
export interface DiagnosticsInputs {
  commandLine: CommandLine;
  env: Readonly<Record<string, string | undefined>>;
  settings: Settings;
  secrets: SecretStore;
  /** Where the pid file of a server this app launched lives (to tell managed from external). */
  runDir: string;
  cwd?: string;
}

const check = (name: string, status: DoctorStatus, detail: string, fix: string | null = null): DoctorCheck => ({ name, status, detail, fix });

function configCheck(config: ResolvedConfig): DoctorCheck {
  const summary = `${config.provider.value} (${config.provider.source}), model ${describeModel(config.model)}, ${config.baseUrl.value} (${config.baseUrl.source})`;
  if (config.errors.length > 0) {
    return check(
      'configuration',
      'error',
      config.errors.map((issue) => issue.message).join('; '),
      'fix the inputs named above; run with --print-config to see every value and its source',
    );
  }
  if (config.warnings.length > 0)
    return check('configuration', 'warn', `${summary}; ${config.warnings.map((issue) => issue.message).join('; ')}`, 'see the warnings above');
  return check('configuration', 'ok', summary);
}

/**
 * The cloud provider in use: its endpoint answers and accepts the key, with the same call the app
 * checks keys with. Offline is a warning (the runner retries, the key may be fine); a rejected
 * key is an error. Null without a key: the configuration check says so already.
 */
async function cloudCheck(config: ResolvedConfig): Promise<DoctorCheck | null> {
  const provider = config.provider.value;
  const key = config.apiKey;
  if (!isCloudProvider(provider) || key.value === null) return null;
  const label = PROVIDER_SPECS[provider].label;
  const baseUrl = config.baseUrl.value;
  const result = await checkKey({ provider, key: key.value, baseUrl });
  const name = `${provider}-key`;
  const fix = result.fix ?? null;
  switch (result.outcome) {
    case 'valid':
      return check(name, 'ok', `${label} at ${baseUrl} accepted the key ${result.masked} (${key.source})`);
    case 'rejected':
      return check(name, 'error', `${result.message} (key ${result.masked} from ${key.source}, endpoint ${baseUrl})`, fix ?? `replace the ${label} key`);
    case 'unreachable':
      return check(
        name,
        'warn',
        `${result.message}: the key ${result.masked} (${key.source}) is not verified`,
        fix ?? `check the network or the ${label} base URL; the runner tries again when it starts`,
      );
    default:
      return check(name, 'warn', `${result.message} (key ${result.masked} not verified)`, fix);
  }
}

/** Where a key saved now is kept; a plaintext key file is worth a warning even when the user chose it. */
function keyStorageCheck(secrets: Pick<SecretStore, 'persistence' | 'notice'>): DoctorCheck {
  const detail = secrets.notice ?? secrets.persistence;
  if (secrets.persistence !== 'weak') return check('key-storage', 'ok', detail);
  return check(
    'key-storage',
    'warn',
    detail,
    'start a Secret Service (gnome-keyring, KWallet) for encrypted keys, or --no-keys-file to keep them for the session only',
  );
}

/** Who runs a reachable local server: this app (its pid file names a live process it launched) or someone else. */
async function ownerOfLocalServer(runDir: string): Promise<OllamaOwner> {
  const record = await readPidFile(pidFilePath(runDir, 'ollama'));
  return record && (await isRecordedProcess(record)) ? 'managed' : 'external';
}

export async function runDoctor(inputs: DiagnosticsInputs): Promise<DoctorReport> {
  const sources = { flags: inputs.commandLine.config, env: inputs.env, settings: inputs.settings, secrets: inputs.secrets };
  // The same endpoint the app core hands the Ollama manager and the runner.
  const url = ollamaUrlOf(await resolveCurrentConfig(sources));
  const host = parseOllamaHost(url);
  const local = isLocalOllamaHost(host);
  const [snapshot, hardware] = await Promise.all([readOllama(url), detectHardware({ env: { ...inputs.env } })]);
  // The model the runner gets: with Ollama, resolved with its installed models.
  const { config } = await resolveWithOllama(sources, snapshot, hardware);
  const usesOllama = config.provider.value === 'ollama';

  const found =
    local && usesOllama ? findOllamaBinary({ flagPath: inputs.commandLine.ollamaPath, settingPath: inputs.settings.ollama.path, env: inputs.env }) : undefined;
  let binary: OllamaBinary | null = null;
  if (found?.found) {
    const version = await readOllamaVersion(found.path, { env: { ...inputs.env, OLLAMA_HOST: url } });
    binary = { path: found.path, source: found.source, version: version ?? null };
  }

  const { probe, modelsProblem } = snapshot;
  const reachable = probe.kind === 'running';
  const owner: OllamaOwner | null = reachable ? (local ? await ownerOfLocalServer(inputs.runDir) : 'remote') : null;
  const models = snapshot.models?.map((model) => model.name) ?? [];
  const configuredModel = usesOllama ? config.model.value : null;
  const configuredModelPresent = configuredModel !== null && reachable && !modelsProblem ? isOllamaModelInstalled(configuredModel, models) : null;

  const checks: DoctorCheck[] = [configCheck(config), keyStorageCheck(inputs.secrets)];
  // Ollama's lines only when Ollama is used; a cloud provider's endpoint and key otherwise.
  checks.push(hardwareCheck(hardware));
  if (usesOllama) {
    checks.push(...ollamaChecks({ url, local, found, binary, probe, owner, models, modelsProblem, configuredModel, configuredModelPresent }));
    const installed = configuredModelPresent ? snapshot.models?.find((model) => isOllamaModelInstalled(configuredModel!, [model.name])) : undefined;
    if (installed) {
      const architecture = (await new ModelInfoCache().architectures(url, [installed]))[installed.name] ?? null;
      checks.push(fitCheck({ name: installed.name, sizeBytes: installed.sizeBytes, architecture }, hardware, inputs.env, inputs.settings));
    }
  } else {
    const cloud = await cloudCheck(config);
    if (cloud) checks.push(cloud);
  }
  // A key written into the runner command is masked like everywhere the app prints a command.
  const redactor = new Redactor(CLOUD_PROVIDERS.flatMap((provider) => config.keys[provider]?.value ?? []));
  const redact = (text: string): string => redactor.redact(text);
  const { command: resolved, channel } = resolveRunner({
    flag: inputs.commandLine.runnerCommand,
    controlChannelFlag: inputs.commandLine.runnerControlChannel,
    env: inputs.env,
    settings: inputs.settings,
  });
  const controlChannel = channel.ok ? channel.value : null;
  let runner: DoctorReport['runner'] = { command: [], source: 'default', executable: null, controlChannel };
  if (resolved.ok) {
    const { command } = resolved;
    runner = { command: command.argv.map(redact), source: command.source, executable: null, controlChannel };
    const located = locateRunnerExecutable(command, { cwd: inputs.cwd ?? process.cwd(), env: inputs.env });
    if (!located.ok) checks.push(check('runner', 'error', redact(located.error.message), redact(located.error.fix)));
    else if (command.builtIn && !isFile(BUILT_IN_RUNNER_ENTRY)) {
      checks.push(
        check(
          'runner',
          'error',
          `the built-in runner is missing (${BUILT_IN_RUNNER_ENTRY})`,
          'reinstall the app, or set --runner-command to a runner of your own',
        ),
      );
    } else {
      runner.executable = redact(located.path);
      checks.push(
        check(
          'runner',
          'ok',
          `${command.builtIn ? 'built-in runner' : redact(formatRunnerCommand(command.argv))} (${command.source}) → ${redact(located.path)}`,
        ),
      );
    }
  } else {
    checks.push(check('runner', 'error', redact(resolved.error.message), redact(resolved.error.fix)));
  }
  // An invalid STIGMER_RUNNER_CONTROL_CHANNEL is the runner check's error already.
  if (controlChannel) checks.push(controlChannelCheck(resolved.ok ? resolved.command : undefined, controlChannel));

  return {
    ok: checks.every((item) => item.status !== 'error'),
    config: toPublicConfig(config),
    ollama: {
      url,
      local,
      binary,
      server: { reachable, version: probe.kind === 'running' ? probe.version : null, owner, problem: probe.kind === 'running' ? null : describeProbe(probe) },
      models,
      configuredModel,
      configuredModelPresent,
    },
    hardware,
    runner,
    checks,
  };
}

/** Whether the runner gets the control channel, and which layer said so (the cascade's source names). */
function controlChannelCheck(command: RunnerCommand | undefined, { enabled, source }: ControlChannelSwitch): DoctorCheck {
  const state = `${enabled ? 'on' : 'off'} (${source})`;
  if (command?.builtIn)
    return check('runner-control-channel', 'ok', `${state}; the built-in runner always has its own channel, this applies to a runner of your own`);
  if (enabled)
    return check(
      'runner-control-channel',
      'ok',
      `${state}: the runner gets a JSON-lines socket on fd 3 (STIGMER_CONTROL_FD) and is sent tasks once it says ready`,
    );
  return check(
    'runner-control-channel',
    'ok',
    `${state}: the runner takes no tasks (Playground, provider check); turn it on in ${CONTROL_CHANNEL_PLACE} or with --runner-control-channel if it reads the channel`,
  );
}

interface OllamaFindings {
  url: string;
  local: boolean;
  found: ReturnType<typeof findOllamaBinary> | undefined;
  binary: OllamaBinary | null;
  probe: ProbeResult;
  owner: OllamaOwner | null;
  models: string[];
  modelsProblem: string | undefined;
  configuredModel: string | null;
  configuredModelPresent: boolean | null;
}

/** Binary, server and models, for a configuration that uses Ollama: what is wrong is an error. */
function ollamaChecks({
  url,
  local,
  found,
  binary,
  probe,
  owner,
  models,
  modelsProblem,
  configuredModel,
  configuredModelPresent,
}: OllamaFindings): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const reachable = probe.kind === 'running';
  if (!local) checks.push(check('ollama-binary', 'ok', `not needed: Ollama runs on another machine (${url})`));
  else if (binary) {
    checks.push(
      binary.version
        ? check('ollama-binary', 'ok', `${binary.path} (version ${binary.version}, found via ${binary.source})`)
        : check('ollama-binary', 'warn', `${binary.path} did not report a version with --version`, 'check that it is the ollama binary, or reinstall Ollama'),
    );
  } else if (found && !found.found) {
    checks.push(check('ollama-binary', reachable ? 'warn' : 'error', found.reason, found.fix));
  }

  if (probe.kind === 'running') {
    checks.push(check('ollama-server', 'ok', `Ollama ${probe.version} answers at ${url} (${owner})`));
  } else {
    const decision = decideStart({ url, local, binary: found ?? { found: false, reason: '', fix: '', searched: [] }, probe });
    if (decision.action === 'launch') {
      checks.push(
        check(
          'ollama-server',
          'warn',
          `no Ollama server at ${url} (${describeProbe(probe)}); Stigmer starts ${decision.binaryPath} serve when it runs`,
          `or start it yourself: ${decision.binaryPath} serve`,
        ),
      );
    } else if (decision.action === 'report' && decision.phase.phase === 'failed') {
      checks.push(check('ollama-server', 'error', decision.phase.reason, decision.phase.fix));
    } else {
      checks.push(
        check(
          'ollama-server',
          'error',
          `no Ollama server at ${url} (${describeProbe(probe)}) and none can be started`,
          'install Ollama (see ollama-binary), or point OLLAMA_HOST at a running server',
        ),
      );
    }
  }

  if (modelsProblem) {
    checks.push(check('ollama-models', 'error', modelsProblem, 'check the Ollama log'));
  } else if (!reachable) {
    checks.push(check('ollama-models', 'warn', 'cannot list models while the server is not reachable', 'see ollama-server'));
  } else if (configuredModel === null) {
    checks.push(
      check('ollama-models', 'ok', models.length > 0 ? `installed: ${models.join(', ')}` : 'no models installed (Ollama is not the configured provider)'),
    );
  } else if (configuredModelPresent) {
    checks.push(check('ollama-models', 'ok', `${configuredModel} is installed (all: ${models.join(', ')})`));
  } else {
    checks.push(
      check(
        'ollama-models',
        'error',
        `the configured model ${configuredModel} is not installed${models.length > 0 ? ` (installed: ${models.join(', ')})` : ' (no models installed)'}`,
        `pull it: ollama pull ${configuredModel} (or from the Stigmer window), or choose an installed model with --llm-model`,
      ),
    );
  }

  return checks;
}

const isFile = (file: string): boolean => fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;

const MARK: Record<DoctorStatus, string> = { ok: 'ok   ', warn: 'warn ', error: 'error' };

/** The readable report printed without `--json`. */
export function formatDoctorText(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((item) => item.name.length));
  const lines = ['Stigmer doctor', ''];
  for (const item of report.checks) {
    lines.push(`  [${MARK[item.status]}] ${item.name.padEnd(width)}  ${item.detail}`);
    if (item.fix && item.status !== 'ok') lines.push(`  ${' '.repeat(9 + width)}  fix: ${item.fix}`);
  }
  const errors = report.checks.filter((item) => item.status === 'error').length;
  const warnings = report.checks.filter((item) => item.status === 'warn').length;
  lines.push(
    '',
    errors > 0
      ? `${errors} error(s), ${warnings} warning(s): fix the errors above.`
      : warnings > 0
        ? `No errors, ${warnings} warning(s).`
        : 'All checks passed.',
  );
  return lines.join('\n');
}

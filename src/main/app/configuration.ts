import type { FitFacts, InstalledSize } from '../config/model-aliases.ts';
import os from 'node:os';
import { sourceName } from '../../shared/config.ts';
import type { LogEntry } from '../../shared/logs.ts';
import type { OllamaModel } from '../../shared/ollama.ts';
import { CLOUD_PROVIDERS, PROVIDERS, PROVIDER_SPECS, type Provider } from '../../shared/providers.ts';
import { normaliseBaseUrl } from '../../lib/base-url.ts';
import type { CommandLine } from '../config/cli-options.ts';
import { resolveCurrentConfig } from '../config/current-config.ts';
import { describeModel, toPublicConfig } from '../config/public-config.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { Redactor } from '../../lib/redactor.ts';
import { resolveRunner, type ControlChannelSwitch, type RunnerCommandResult } from '../runner/command.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { SettingsError, type SettingsStore } from '../settings/settings-store.ts';
import { CommandError } from './command-error.ts';
import { OperationQueue } from '../process/operation-queue.ts';

export type SettingsChange = Parameters<SettingsStore['update']>[0];

export interface ConfigurationDeps {
  commandLine: CommandLine;
  env: NodeJS.ProcessEnv;
  settings: SettingsStore;
  secrets: SecretStore;
  redactor: Redactor;
  /** The built-in runner's argv, when the host has one. */
  builtInRunner?: [string, ...string[]] | undefined;
  log: (level: LogEntry['level'], msg: string) => void;
}

/**
 * The services that follow the configuration, given to it once they all exist (`Configuration.follow`,
 * the second phase of the app's wiring): the one place a resolution or a change reaches them.
 */
export interface ConfigurationFollowers {
  /** What Ollama has installed while its server runs (undefined otherwise): the smart default picks from it. */
  installedOllamaModels(): readonly OllamaModel[] | undefined;
  /** The installed models as the alias resolver judges them (GPU, context, architecture), as the Models screen does. */
  fitFacts(installed: readonly OllamaModel[]): { sizes: InstalledSize[]; fit: FitFacts };
  /** Every resolution, so the services that follow the configuration see it at once. */
  resolved(config: ResolvedConfig): void;
  /** One configuration change: `before` is what `after` replaced. It asks for a restart, and resolves once that is under way. */
  changed(before: ResolvedConfig, after: ResolvedConfig, reason: string): Promise<void>;
  /** Resolves once what `changed` set going (a runner restart) is done; awaited outside the queue, so the next change can join it. */
  settled(): Promise<void>;
}

/** The saved-settings change for a provider's base URL, or the error that names the input and the fix. */
export function baseUrlSetting(provider: Provider, raw: string | null): string | null {
  if (raw === null) return null;
  const result = normaliseBaseUrl(provider, raw);
  if (!result.ok) {
    throw new CommandError(
      `The ${PROVIDER_SPECS[provider].label} base URL ${JSON.stringify(raw)} ${result.reason}.`,
      `Use http(s)://host[:port][/path], e.g. ${PROVIDER_SPECS[provider].baseUrl.default}.`,
    );
  }
  return result.url;
}

/**
 * The configuration: the only place that resolves and re-resolves the cascade (flags,
 * environment, saved settings, keys, detected facts) and the runner command, saves settings,
 * and answers "the endpoint of provider P" (the endpoint resolver's answer, src/main/config/endpoint.ts).
 */
export class Configuration {
  readonly #deps: ConfigurationDeps;
  #secrets: SecretStore;
  #config!: ResolvedConfig;
  #runnerCommand: RunnerCommandResult | undefined;
  /** Whether a custom runner gets the control channel; undefined while STIGMER_RUNNER_CONTROL_CHANNEL is invalid (the runner command's error says so). */
  #controlChannel: ControlChannelSwitch | undefined;
  /** A runner command saved with "restart later": applied at the runner's next restart. */
  #pendingRunnerCommand: string | null = null;
  /** Lines `describe` logged already. */
  readonly #described = new Set<string>();
  readonly #reconfigurations = new OperationQueue();
  #followers: ConfigurationFollowers | undefined;

  constructor(deps: ConfigurationDeps) {
    this.#deps = deps;
    this.#secrets = deps.secrets;
  }

  /** The second phase of wiring: the services exist, and from now on each resolution and change reaches them. */
  follow(followers: ConfigurationFollowers): void {
    this.#followers = followers;
  }

  /** The resolved configuration (after the first `resolve`). */
  get current(): ResolvedConfig {
    return this.#config;
  }

  get runnerCommand(): RunnerCommandResult | undefined {
    return this.#runnerCommand;
  }

  get controlChannel(): ControlChannelSwitch | undefined {
    return this.#controlChannel;
  }

  get pendingRunnerCommand(): string | null {
    return this.#pendingRunnerCommand;
  }

  get secrets(): SecretStore {
    return this.#secrets;
  }

  /**
   * Where a provider lives, active or not (the key check and the Ollama manager need it for
   * inactive providers too): the one endpoint resolver's answer, so that a key only goes to a
   * URL given for its provider.
   */
  endpointOf(provider: Provider): string {
    return this.#config.endpoints[provider].value;
  }

  async resolve(): Promise<void> {
    const { commandLine, env, settings, redactor, builtInRunner } = this.#deps;
    const installed = this.#followers?.installedOllamaModels();
    const judged = installed && this.#followers?.fitFacts(installed);
    this.#config = await resolveCurrentConfig({
      flags: commandLine.config,
      env,
      settings: settings.get(),
      secrets: this.#secrets,
      facts: {
        ollamaModels: installed?.map((model) => model.name),
        ollamaModelSizes: judged ? judged.sizes : installed?.map(({ name, sizeBytes }) => ({ name, sizeBytes })),
        totalMemoryBytes: os.totalmem(),
        fit: judged?.fit,
      },
    });
    redactor.setSecrets([
      ...CLOUD_PROVIDERS.flatMap((provider) => this.#config.keys[provider]?.value ?? []),
      ...this.#config.customEndpoints.flatMap((endpoint) => endpoint.key?.value ?? []),
    ]);
    const { command, channel } = resolveRunner({
      flag: commandLine.runnerCommand,
      controlChannelFlag: commandLine.runnerControlChannel,
      env,
      settings: settings.get(),
      ...(builtInRunner ? { builtIn: builtInRunner } : {}),
    });
    this.#runnerCommand = command;
    this.#controlChannel = channel.ok ? channel.value : undefined;
    this.#followers?.resolved(this.#config);
  }

  /** Re-resolves after a change and applies it (`apply`); changes queue up in order. */
  async reconfigure(reason: string): Promise<void> {
    await this.#reconfigurations.run(async () => {
      const before = this.#config;
      this.#pendingRunnerCommand = null;
      await this.resolve();
      await this.#followers?.changed(before, this.#config, reason);
    });
    await this.#followers?.settled();
  }

  save(change: SettingsChange): void {
    try {
      this.#deps.settings.update(change);
    } catch (error) {
      if (error instanceof SettingsError) throw new CommandError(error.message, 'Check that the user-data folder is writable and the disk is not full.');
      throw error;
    }
  }

  /** A built-in provider's id or an endpoint's; `alongside` changes more in the same save (an endpoint's model). */
  async setProvider(provider: string, alongside?: SettingsChange): Promise<void> {
    const pinned = this.#config.provider;
    const current = this.#config.endpoint?.id ?? pinned.value;
    if (pinned.pinned && current !== provider) {
      throw new CommandError(
        `The provider is pinned to ${current} by ${sourceName(pinned.source)}.`,
        `Unset ${sourceName(pinned.source)} (or remove the flag) and restart to choose the provider here.`,
      );
    }
    const endpoint = this.#config.customEndpoints.find((known) => known.id === provider);
    const label = endpoint?.name ?? ((PROVIDERS as readonly string[]).includes(provider) ? PROVIDER_SPECS[provider as Provider].label : undefined);
    if (label === undefined) throw new CommandError(`There is no provider or endpoint "${provider}".`, 'List the endpoints with stigmer endpoints list.');
    this.save((draft) => {
      draft.provider = provider;
      alongside?.(draft);
    });
    await this.reconfigure(`provider switched to ${label}`);
  }

  async setModel(provider: Provider, model: string): Promise<void> {
    this.save((draft) => void (draft.providers[provider].model = model));
    await this.reconfigure(`model for ${PROVIDER_SPECS[provider].label} set to ${model}`);
  }

  /** Saves a provider's base URL; `beforeReconfigure` runs in between (a new Ollama URL needs a new manager). */
  async setBaseUrl(provider: Provider, raw: string | null, beforeReconfigure: () => Promise<void>): Promise<void> {
    const url = baseUrlSetting(provider, raw);
    this.save((draft) => {
      if (url === null) delete draft.providers[provider].baseUrl;
      else draft.providers[provider].baseUrl = url;
    });
    await beforeReconfigure();
    await this.reconfigure(`${PROVIDER_SPECS[provider].label} base URL ${url === null ? 'reset to the default' : `set to ${url}`}`);
  }

  /**
   * Saves the runner command and, when given, whether it uses the control channel (one save, so
   * changing both restarts the runner once). With `later` it applies at the runner's next restart
   * (the state shows it as pending); otherwise at once.
   */
  async setRunnerCommand(command: string | null, later: boolean, controlChannel?: boolean): Promise<void> {
    const saved = this.#deps.settings.get().runner;
    const channelChanged = controlChannel !== undefined && controlChannel !== (saved.controlChannel === true);
    this.save((draft) => {
      if (command === null) delete draft.runner.command;
      else draft.runner.command = command;
      if (controlChannel !== undefined) draft.runner.controlChannel = controlChannel;
    });
    if (later) {
      const channel = controlChannel ?? saved.controlChannel === true;
      // A custom runner's pending description says whether it gets the channel; the built-in runner always has its own.
      this.#pendingRunnerCommand =
        command === null ? 'the built-in runner' : `${command}${channel ? ' with the control channel' : channelChanged ? ' without the control channel' : ''}`;
      this.#deps.log('info', `Runner command saved; it applies at the runner's next restart: ${this.#pendingRunnerCommand}`);
    } else {
      await this.reconfigure(channelChanged ? `runner control channel turned ${controlChannel ? 'on' : 'off'}` : 'runner command changed');
    }
  }

  /** Switches to another key store, taking the keys of the previous one along. */
  async replaceSecrets(next: SecretStore): Promise<void> {
    const previous = this.#secrets;
    this.#secrets = next;
    for (const provider of CLOUD_PROVIDERS) {
      const key = await previous.get(provider);
      if (key) await next.set(provider, key);
    }
    await this.reconfigure('key storage changed');
  }

  /**
   * The configuration as log lines: without a window, the log is where the user reads it. Called
   * again once Ollama's models are known (they decide the default model and the aliases): only
   * the lines that changed are logged then, so the last line names the model the runner gets.
   */
  describe(): void {
    const { provider, model, baseUrl, apiKey } = toPublicConfig(this.#config);
    const lines: Array<['info' | 'warn' | 'error', string]> = [
      [
        'info',
        `Configuration: provider ${provider.value} (${provider.source}), model ${describeModel(model)}, base URL ${baseUrl.value} (${baseUrl.source})${apiKey.value ? `, key ${apiKey.value} (${apiKey.source})` : ''}`,
      ],
      ...this.#config.warnings.map((warning): ['warn', string] => ['warn', warning.message]),
      ...this.#config.errors.map((error): ['error', string] => ['error', `${error.message} — the runner will not start until this is fixed`]),
    ];
    for (const [level, line] of lines) {
      if (this.#described.has(line)) continue;
      this.#described.add(line);
      this.#deps.log(level, line);
    }
  }
}

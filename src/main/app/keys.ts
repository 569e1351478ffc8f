import type { CommandResponse } from '../../shared/ipc.ts';
import type { AppState } from '../../shared/state-schema.ts';
import type { LogEntry } from '../../shared/logs.ts';
import { keySpec, perCloudProvider, PROVIDER_SPECS, type CloudProvider } from '../../shared/providers.ts';
import type { RunnerErrorCode } from '../../shared/runner-protocol.ts';
import { checkKey } from '../providers/provider-api.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import { CommandError } from './command-error.ts';
import type { Configuration } from './configuration.ts';
import { KeyVerifier } from './key-verification.ts';

export interface KeysDeps {
  configuration: Configuration;
  settings: SettingsStore;
  /** Linux without a keyring: switches to weaker persistent storage once the user accepts it. */
  acceptWeakStorage?: (() => Promise<SecretStore>) | undefined;
  /** How often a key saved while its provider was unreachable is checked again. */
  recheckMs: number;
  onChange: () => void;
  log: (level: LogEntry['level'], msg: string) => void;
}

/**
 * The cloud keys: saved after a live check (only a definite rejection refuses one), removed,
 * checked on demand, and what is known of each. Each key is only ever sent to its provider's
 * endpoint as the configuration resolves it.
 */
export class Keys {
  readonly #deps: KeysDeps;
  readonly #verifier: KeyVerifier;

  constructor(deps: KeysDeps) {
    this.#deps = deps;
    this.#verifier = new KeyVerifier({
      settings: deps.settings,
      check: async (provider) => {
        const key = deps.configuration.current?.keys[provider];
        return key ? this.#check(provider, key.value) : null;
      },
      recheckMs: deps.recheckMs,
      onChange: deps.onChange,
      log: deps.log,
    });
  }

  /** What is known of each key the app holds; nothing for a provider without one. */
  verifications(config: AppState['config']): AppState['keyChecks'] {
    const known = this.#verifier.get();
    return perCloudProvider((provider) => (config.keys[provider] ? known[provider] : null));
  }

  /**
   * Only a definite rejection (401/403) refuses a key: offline, behind a proxy or during an
   * outage it is saved as not verified yet and checked again when the provider can be reached.
   */
  async set(provider: CloudProvider, key: string): Promise<CommandResponse<'keys:set'>> {
    const { configuration, log } = this.#deps;
    const check = await this.#check(provider, key);
    if (check.outcome === 'rejected') return { saved: false, check };
    await configuration.secrets.set(provider, key);
    this.#verifier.forget(provider);
    this.#verifier.record(provider, check);
    if (check.outcome !== 'valid') log('warn', `${PROVIDER_SPECS[provider].label} key saved without a check: ${check.message}`);
    await configuration.reconfigure(`${PROVIDER_SPECS[provider].label} key saved`);
    return { saved: true, check };
  }

  async remove(provider: CloudProvider): Promise<void> {
    await this.#deps.configuration.secrets.delete(provider);
    this.#verifier.forget(provider);
    await this.#deps.configuration.reconfigure(`${PROVIDER_SPECS[provider].label} key removed`);
  }

  async validate(provider: CloudProvider): Promise<CommandResponse<'keys:validate'>> {
    const key = this.#deps.configuration.current.keys[provider];
    if (!key) {
      throw new CommandError(`There is no ${PROVIDER_SPECS[provider].label} key to check.`, `Add one in Settings, or set ${keySpec(provider).env}.`);
    }
    const check = await this.#check(provider, key.value);
    this.#verifier.record(provider, check);
    return check;
  }

  async acceptWeakStorage(): Promise<void> {
    const { acceptWeakStorage, configuration } = this.#deps;
    if (!acceptWeakStorage) {
      throw new CommandError('This host has no persistent key storage to accept.', 'Pass keys through the environment, or use the desktop app.');
    }
    configuration.save((draft) => void (draft.secrets.acceptWeakStorage = true));
    await configuration.replaceSecrets(await acceptWeakStorage());
  }

  /** The runner's answer to the app's provider check is a live call with the key in use: it verifies (or rejects) it too. */
  recordRunnerCheck(provider: CloudProvider, masked: string, failedCode: RunnerErrorCode | undefined): void {
    this.#verifier.recordRunnerCheck(provider, masked, failedCode);
  }

  /** Checks the keys saved offline (last time or now) again. */
  recheck(): Promise<void> {
    return this.#verifier.recheck();
  }

  stop(): void {
    this.#verifier.stop();
  }

  #check(provider: CloudProvider, key: string) {
    return checkKey({ provider, key, baseUrl: this.#deps.configuration.endpointOf(provider) });
  }
}

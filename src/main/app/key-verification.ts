import type { KeyCheck } from '../../shared/ipc.ts';
import type { KeyVerification } from '../../shared/state-schema.ts';
import { CLOUD_PROVIDERS, PROVIDER_SPECS, perCloudProvider, type CloudProvider } from '../../shared/providers.ts';
import type { RunnerErrorCode } from '../../shared/runner-protocol.ts';
import type { SettingsStore } from '../settings/settings-store.ts';

export type KeyVerifications = Record<CloudProvider, KeyVerification | null>;

export interface KeyVerifierOptions {
  settings: SettingsStore;
  /** Checks the key the app holds for a provider live; null when it holds none. */
  check: (provider: CloudProvider) => Promise<KeyCheck | null>;
  /** How often keys that are not verified yet are checked again. */
  recheckMs: number;
  onChange: () => void;
  log: (level: 'info' | 'warn', message: string) => void;
  now?: () => number;
}

const notVerified = (provider: CloudProvider, check: KeyCheck | null, checkedAt: number | null): KeyVerification => ({
  state: 'unverified',
  message: `${PROVIDER_SPECS[provider].label} could not be reached to check this key${check ? ` (${check.message.replace(/\.$/, '')})` : ''}; it is saved and will be checked when ${PROVIDER_SPECS[provider].label} can be reached.`,
  fix: 'Check the network, then press Test, or wait for the next automatic check.',
  checkedAt,
});

/**
 * Whether each cloud key was verified: a key saved offline is `unverified` (remembered in the
 * settings across restarts) and is checked again at start, every `recheckMs` while any is
 * unverified, on the user's Test, and when the runner's own provider check passes.
 */
export class KeyVerifier {
  readonly #options: KeyVerifierOptions;
  #states: KeyVerifications = perCloudProvider(() => null);
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(options: KeyVerifierOptions) {
    this.#options = options;
    for (const provider of options.settings.get().secrets.unverified ?? []) this.#states[provider] = notVerified(provider, null, null);
  }

  get(): KeyVerifications {
    return { ...this.#states };
  }

  /** Records the outcome of a live check of the key in use. */
  record(provider: CloudProvider, check: KeyCheck): void {
    const now = (this.#options.now ?? Date.now)();
    const previous = this.#states[provider];
    let next: KeyVerification;
    if (check.outcome === 'valid') next = { state: 'verified', message: check.message, checkedAt: now };
    else if (check.outcome === 'rejected') next = { state: 'rejected', message: check.message, ...(check.fix ? { fix: check.fix } : {}), checkedAt: now };
    // Not reaching the provider says nothing about the key: a verified one stays verified.
    else if (previous?.state === 'verified' || previous?.state === 'rejected') next = previous;
    else next = notVerified(provider, check, now);
    this.#set(provider, next);
  }

  /**
   * The runner's answer to the app's check of its provider is a live call with the key in use: it
   * verifies (or, failed with `auth`, rejects) it too. Only the outcome is taken: the words are
   * the app's, since the runner's are its own (quoted in its log).
   */
  recordRunnerCheck(provider: CloudProvider, masked: string, failedCode: RunnerErrorCode | undefined): void {
    const label = PROVIDER_SPECS[provider].label;
    if (failedCode === undefined) this.record(provider, { provider, outcome: 'valid', message: `${label} accepted this key.`, masked });
    else if (failedCode === 'auth')
      this.record(provider, {
        provider,
        outcome: 'rejected',
        message: `${label} rejected this key when the runner checked it.`,
        fix: `Enter a valid ${label} API key in Settings; the runner's log quotes ${label}'s answer.`,
        masked,
      });
  }

  /** A new key, or none: what was known about the previous one no longer applies. */
  forget(provider: CloudProvider): void {
    this.#set(provider, null);
  }

  /** Checks every key that is not verified yet; providers without a key are forgotten. */
  async recheck(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      for (const provider of CLOUD_PROVIDERS) {
        if (this.#states[provider]?.state !== 'unverified') continue;
        const check = await this.#options.check(provider);
        if (check === null) this.forget(provider);
        else this.record(provider, check);
      }
    } finally {
      this.#checking = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #set(provider: CloudProvider, next: KeyVerification | null): void {
    const previous = this.#states[provider];
    this.#states[provider] = next;
    if (previous?.state === 'unverified' && (next?.state === 'verified' || next?.state === 'rejected')) {
      this.#options.log(
        next.state === 'verified' ? 'info' : 'warn',
        `${PROVIDER_SPECS[provider].label} key checked now that ${PROVIDER_SPECS[provider].label} can be reached: ${next.message}`,
      );
    }
    this.#persist();
    this.#schedule();
    if (JSON.stringify(previous) !== JSON.stringify(next)) this.#options.onChange();
  }

  /** Only the fact "not verified yet" outlives the run: everything else is learnt again by a check. */
  #persist(): void {
    const unverified = CLOUD_PROVIDERS.filter((provider) => this.#states[provider]?.state === 'unverified');
    const saved = this.#options.settings.get().secrets.unverified ?? [];
    if (JSON.stringify(saved) === JSON.stringify(unverified)) return;
    try {
      this.#options.settings.update((draft) => {
        if (unverified.length > 0) draft.secrets.unverified = unverified;
        else delete draft.secrets.unverified;
      });
    } catch (error) {
      this.#options.log('warn', `Could not remember which keys are not verified yet: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #schedule(): void {
    const waiting = CLOUD_PROVIDERS.some((provider) => this.#states[provider]?.state === 'unverified');
    if (!waiting) return this.stop();
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.recheck(), this.#options.recheckMs);
    // A pending re-check never keeps a process alive on its own.
    this.#timer.unref();
  }
}

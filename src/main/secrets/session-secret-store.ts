import type { SecretName, SecretStore } from './secret-store.ts';

/** Keys held in memory for this run only. */
export class SessionSecretStore implements SecretStore {
  readonly persistence = 'session' as const;
  readonly notice: string;
  #keys = new Map<SecretName, string>();

  constructor(notice: string) {
    this.notice = notice;
  }

  async get(provider: SecretName): Promise<string | undefined> {
    return this.#keys.get(provider);
  }

  async set(provider: SecretName, key: string): Promise<void> {
    this.#keys.set(provider, key);
  }

  async delete(provider: SecretName): Promise<void> {
    this.#keys.delete(provider);
  }
}

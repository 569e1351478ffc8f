import type { CloudProvider } from '../../shared/providers.ts';
import type { SecretStore } from './secret-store.ts';

/** Keys held in memory for this run only. */
export class SessionSecretStore implements SecretStore {
  readonly persistence = 'session' as const;
  readonly notice: string;
  #keys = new Map<CloudProvider, string>();

  constructor(notice: string) {
    this.notice = notice;
  }

  async get(provider: CloudProvider): Promise<string | undefined> {
    return this.#keys.get(provider);
  }

  async set(provider: CloudProvider, key: string): Promise<void> {
    this.#keys.set(provider, key);
  }

  async delete(provider: CloudProvider): Promise<void> {
    this.#keys.delete(provider);
  }
}

import { sourceName } from './config.ts';
import type { AppState } from './ipc.ts';
import { PROVIDER_INFO, PROVIDERS, type Provider } from './providers.ts';

export interface ProviderChoice {
  provider: Provider;
  label: string;
  selected: boolean;
  /** Why it cannot be chosen right now ("no API key", "Ollama not installed", "pinned by LLM_PROVIDER"); null when it can. */
  disabledReason: string | null;
}

/**
 * The provider options the tray and the window offer, with why an option is unusable.
 * A pinned provider locks every choice: the flag or variable wins until it is unset.
 */
export function providerChoices(state: Pick<AppState, 'config' | 'ollama'>): ProviderChoice[] {
  const { provider } = state.config;
  const pinnedReason = provider.pinned ? `pinned by ${sourceName(provider.source)}` : null;
  return PROVIDERS.map((candidate) => {
    const selected = candidate === provider.value;
    let disabledReason: string | null = selected ? null : pinnedReason;
    if (disabledReason === null && !selected) {
      if (candidate === 'ollama' && state.ollama.server.phase === 'not-installed') disabledReason = 'Ollama not installed';
      if (candidate !== 'ollama' && state.config.keys[candidate] === null) disabledReason = 'no API key';
    }
    return { provider: candidate, label: PROVIDER_INFO[candidate].label, selected, disabledReason };
  });
}

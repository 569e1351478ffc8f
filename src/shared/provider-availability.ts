import { sourceName } from './config.ts';
import type { AppState } from './state-schema.ts';
import { PROVIDER_SPECS, PROVIDERS, type Provider } from './providers.ts';

export interface ProviderChoice {
  provider: Provider;
  label: string;
  selected: boolean;
  /** Why it cannot be chosen right now ("no API key", "Ollama not installed", "pinned by LLM_PROVIDER"); null when it can. */
  disabledReason: string | null;
  /** The reason is a pin (a flag or the environment chose), not something wrong: shown as information. */
  pinned: boolean;
}

/** Why a provider cannot be used right now, or null when it can. */
function unusableReason(provider: Provider, state: Pick<AppState, 'config' | 'ollama'>): string | null {
  if (provider === 'ollama') return state.ollama.server.phase === 'not-installed' ? 'Ollama not installed' : null;
  return state.config.keys[provider] === null ? 'no API key' : null;
}

/**
 * The provider options the tray and the window offer, with why an option is unusable. The
 * selected option says so too (it stays checked). A pinned provider locks every choice: the
 * flag or variable wins until it is unset.
 */
export function providerChoices(state: Pick<AppState, 'config' | 'ollama'>): ProviderChoice[] {
  const { provider } = state.config;
  const pinnedReason = provider.pinned ? `pinned by ${sourceName(provider.source)}` : null;
  return PROVIDERS.map((candidate) => ({
    provider: candidate,
    label: PROVIDER_SPECS[candidate].label,
    selected: candidate === provider.value && state.config.endpoint === null,
    disabledReason: pinnedReason ?? unusableReason(candidate, state),
    pinned: pinnedReason !== null,
  }));
}

/** The name of what answers: the endpoint's when one is in use, else the provider's label. */
export const activeProviderLabel = (config: Pick<AppState['config'], 'provider' | 'endpoint'>): string =>
  config.endpoint?.name ?? PROVIDER_SPECS[config.provider.value].label;

export interface EndpointChoice {
  id: string;
  label: string;
  selected: boolean;
  /** The provider is pinned by a flag or the environment; null when the endpoint can be chosen. */
  disabledReason: string | null;
}

/** The user's OpenAI-compatible endpoints as choices beside the providers (tray, Settings). */
export function endpointChoices(state: Pick<AppState, 'config'>): EndpointChoice[] {
  const { provider, endpoint, endpoints } = state.config;
  return endpoints.map((known) => ({
    id: known.id,
    label: known.name,
    selected: endpoint?.id === known.id,
    disabledReason: provider.pinned ? `pinned by ${sourceName(provider.source)}` : null,
  }));
}

import type { AppState } from './state-schema.ts';

/** What "Expose to network" means, shown where it is set, in the tray and in the window. */
export interface NetworkExposure {
  /** One tray line. */
  short: string;
  message: string;
  fix: string;
}

export const EXPOSURE_EXPLAINED =
  'Ollama has no password: with this on, anyone who can reach this machine over the network can use your models, pull new ones and delete them.';

/**
 * The notice while "Expose to network" is on (it is off by default), or null. It says whether the
 * server this app started is open right now, or will be when the app next starts one.
 */
export function networkExposure(state: AppState): NetworkExposure | null {
  if (!state.ollamaOptions.exposeToNetwork) return null;
  const openNow = state.ollama.pid !== null && state.ollama.server.phase === 'running';
  return {
    short: openNow ? '⚠ Ollama is open to the network (0.0.0.0), no password' : '⚠ Expose to network is on: no password',
    message: openNow
      ? 'Ollama is open to the network (listening on 0.0.0.0): anyone who can reach this machine can use your models, pull new ones and delete them, without a password.'
      : `"Expose to network" is on: the next Ollama this app starts listens on 0.0.0.0. ${EXPOSURE_EXPLAINED}`,
    fix: 'Turn off "Expose Ollama to the network" in Settings → Ollama server unless other machines need it.',
  };
}

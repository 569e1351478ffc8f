/** The app's phase, which many of Electron's rules depend on. Kept apart so every module can check it. */
import { violation } from './rules.ts';

/** `readyAt`: when `ready` fired, in epoch ms (the harness times a launch from it). */
export const phase: { ready: boolean; readyAt?: number } = { ready: false };

/** Electron refuses these before `ready` (docs: app `ready` event; each module's "can only be used after ready"). */
export function requireReady(what: string): void {
  if (!phase.ready) violation(`${what} may only be used after the app's 'ready' event`);
}

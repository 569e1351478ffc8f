/** The app's phase, which many of Electron's rules depend on. Kept apart so every module can check it. */
import { violation } from './rules.ts';

/** A moment of the app's life as a harness times it: epoch ms, and main's CPU time so far, ms (a busy machine stretches the first, not the second). */
export interface Moment {
  at: number;
  cpuMs: number;
}

export function moment(): Moment {
  const { user, system } = process.cpuUsage();
  return { at: performance.timeOrigin + performance.now(), cpuMs: (user + system) / 1000 };
}

/** `readyAt`: when `ready` fired (a harness times a launch from it). */
export const phase: { ready: boolean; readyAt?: Moment } = { ready: false };

/** Electron refuses these before `ready` (docs: app `ready` event; each module's "can only be used after ready"). */
export function requireReady(what: string): void {
  if (!phase.ready) violation(`${what} may only be used after the app's 'ready' event`);
}

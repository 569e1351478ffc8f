import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { sourceName, type ConfigSource } from '../../shared/config.ts';
import { sentence } from '../../shared/sentence.ts';
import { CommandError } from '../bridge.ts';
import { describeSource } from '../format.ts';
import type { Tone } from '../status.ts';

export type { Tone };

/** A status with its word: colour is never the only signal. */
export function StatusPill({ tone, children, label }: { tone: Tone; children: ComponentChildren; label?: string }) {
  return (
    <span class={`pill pill--${tone}`} aria-label={label}>
      <span class="pill__dot" aria-hidden="true" />
      {children}
    </span>
  );
}

export function SourceBadge({ source }: { source: ConfigSource }) {
  return (
    <span class="badge" title={`Source: ${source}`}>
      {describeSource(source)}
    </span>
  );
}

export function PinnedBadge({ source }: { source: ConfigSource }) {
  return (
    <span class="badge badge--pinned" title="Set by a flag or an environment variable; the saved setting underneath is kept.">
      <LockIcon /> pinned by {sourceName(source)}
    </span>
  );
}

export function Card({ title, actions, children, wide }: { title: string; actions?: ComponentChildren; children: ComponentChildren; wide?: boolean }) {
  const id = `card-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section class={wide ? 'card card--wide' : 'card'} aria-labelledby={id}>
      <header class="card__header">
        <h2 id={id} class="card__title">
          {title}
        </h2>
        {actions ? <div class="card__actions">{actions}</div> : null}
      </header>
      <div class="card__body">{children}</div>
    </section>
  );
}

/** A step or list has one primary button: the one thing to do next. */
export const buttonClass = (primary: boolean): string => (primary ? 'button button--primary' : 'button');

/** A problem and how to fix it. */
export function Problem({ message, fix, tone = 'error' }: { message: string; fix?: string | undefined; tone?: 'error' | 'warning' | 'info' }) {
  return (
    <div class={`notice notice--${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {/* Messages come from main and from providers in many shapes; each reads as a sentence. */}
      <p class="notice__message">{sentence(message)}</p>
      {fix ? <p class="notice__fix">{sentence(fix)}</p> : null}
    </div>
  );
}

export interface ActionState {
  busy: boolean;
  error: { message: string; fix?: string | undefined } | null;
}

/** Runs a command from a button, tracking whether it is busy and what went wrong. */
export function useAction(): [(work: () => Promise<unknown>) => Promise<boolean>, ActionState] {
  const [state, setState] = useState<ActionState>({ busy: false, error: null });
  const run = async (work: () => Promise<unknown>) => {
    setState({ busy: true, error: null });
    try {
      await work();
      setState({ busy: false, error: null });
      return true;
    } catch (error) {
      const fix = error instanceof CommandError ? error.fix : undefined;
      setState({ busy: false, error: { message: error instanceof Error ? error.message : String(error), fix } });
      return false;
    }
  };
  return [run, state];
}

export function ActionError({ state }: { state: ActionState }) {
  return state.error ? <Problem message={state.error.message} fix={state.error.fix} /> : null;
}

/** A label/value row of a definition list. */
export function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="row">
      <dt class="row__label">{label}</dt>
      <dd class="row__value">{children}</dd>
    </div>
  );
}

export function LockIcon() {
  return (
    <svg class="icon icon--small" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M5 7V5a3 3 0 0 1 6 0v2h.5A1.5 1.5 0 0 1 13 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 3 13.5v-5A1.5 1.5 0 0 1 4.5 7H5Zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2Z" />
    </svg>
  );
}

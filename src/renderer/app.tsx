import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { DownloadsButton, DownloadsPanel, type DownloadsOpen } from './components/downloads-panel.tsx';
import { StatusPill } from './components/ui.tsx';
import { UpdateBanner } from './components/updates.tsx';
import { LogsScreen } from './screens/logs.tsx';
import { ModelsScreen } from './screens/models.tsx';
import { OverviewScreen } from './screens/overview.tsx';
import { PlaygroundScreen } from './screens/playground.tsx';
import { SettingsScreen } from './screens/settings.tsx';
import { Wizard } from './screens/wizard.tsx';
import { ollamaStatus, runnerStatus } from './status.ts';
import { useStore, useTopic } from './store.ts';

const ROUTES = ['overview', 'models', 'logs', 'settings', 'playground', 'setup'] as const;
type Route = (typeof ROUTES)[number];

const TITLES: Record<Route, string> = { overview: 'Overview', models: 'Models', logs: 'Logs', settings: 'Settings', playground: 'Playground', setup: 'Setup' };

const ICONS: Record<Route, string> = {
  overview: 'M3 3h6v6H3V3Zm8 0h6v6h-6V3ZM3 11h6v6H3v-6Zm8 0h6v6h-6v-6Z',
  models: 'M10 2 3 5.5v9L10 18l7-3.5v-9L10 2Zm0 2.2 4.6 2.3L10 8.8 5.4 6.5 10 4.2ZM5 8.1l4 2v5.3l-4-2V8.1Zm6 7.3v-5.3l4-2v5.3l-4 2Z',
  logs: 'M3 4h14v2H3V4Zm0 5h14v2H3V9Zm0 5h9v2H3v-2Z',
  settings:
    'M10 6.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7ZM8.6 2h2.8l.4 2.1 1.5.9 2-.8 1.4 2.4-1.6 1.4v1.8l1.6 1.4-1.4 2.4-2-.8-1.5.9-.4 2.1H8.6l-.4-2.1-1.5-.9-2 .8-1.4-2.4L4.9 11V9.2L3.3 7.8l1.4-2.4 2 .8 1.5-.9L8.6 2Z',
  playground: 'M4 3l12 7-12 7V3Z',
  setup: 'M10 2l2.2 5.2L18 8l-4.4 3.8L15 18l-5-3-5 3 1.4-6.2L2 8l5.8-.8L10 2Z',
};

function readRoute(): Route {
  const name = window.location.hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'overview';
}

function useRoute(): Route {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const update = () => setRoute(readRoute());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

function NavLink({ route, current }: { route: Route; current: Route }) {
  return (
    <a class="nav__link" href={`#/${route}`} aria-current={route === current ? 'page' : undefined}>
      <svg class="icon" viewBox="0 0 20 20" aria-hidden="true">
        <path d={ICONS[route]} />
      </svg>
      {TITLES[route]}
    </a>
  );
}

function Sidebar({ current, downloadsOpen, onToggleDownloads }: { current: Route; downloadsOpen: boolean; onToggleDownloads: () => void }) {
  const store = useStore();
  const state = store.state;
  // While the connection is lost, the last state may no longer be true: the pills say so.
  const unknown = store.connection === 'reconnecting' ? ({ tone: 'neutral', text: 'Unknown' } as const) : null;
  const runner = state ? (unknown ?? runnerStatus(state.runner, Date.now())) : null;
  const ollama = state ? (unknown ?? ollamaStatus(state.ollama, state.config.provider.value)) : null;
  return (
    <aside class="sidebar">
      <div class="brand">
        <svg class="brand__mark" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="6" cy="7" r="3" />
          <circle cx="18" cy="7" r="3" />
          <circle cx="12" cy="18" r="3" />
        </svg>
        <span class="brand__name">Stigmer</span>
      </div>
      <nav class="nav" aria-label="Main">
        {ROUTES.map((route) => (
          <NavLink key={route} route={route} current={current} />
        ))}
        {state ? <DownloadsButton open={downloadsOpen} onToggle={onToggleDownloads} /> : null}
      </nav>
      <div class="sidebar__status">
        {runner ? (
          <div class="sidebar__status-row">
            <span class="muted">Runner</span>
            <StatusPill tone={runner.tone}>{runner.text}</StatusPill>
          </div>
        ) : null}
        {ollama ? (
          <div class="sidebar__status-row">
            <span class="muted">Ollama</span>
            <StatusPill tone={ollama.tone}>{ollama.text}</StatusPill>
          </div>
        ) : null}
      </div>
    </aside>
  );
}

/** A performance mark once the window first shows the app's state: the desktop bench times the start by it (DevTools shows it too). */
const FIRST_STATE_MARK = 'stigmer:first-state';

function Centered({ children }: { children: ComponentChildren }) {
  return <div class="centered">{children}</div>;
}

export function App() {
  const store = useStore();
  useTopic('state');
  const route = useRoute();
  const [wizardDismissed, setWizardDismissed] = useState(false);
  const [downloadsOpen, setDownloadsOpen] = useState<DownloadsOpen>('closed');
  // Once shown, the wizard stays until the user closes it: the step that makes the configuration
  // usable (a key saved, a model pulled) must not whisk it away before the review and start steps.
  const [wizardOpen, setWizardOpen] = useState(false);
  const state = store.state;
  // After the DOM shows it, before the paint; once, on the first state.
  const shown = state !== null;
  useLayoutEffect(() => {
    if (shown && performance.getEntriesByName(FIRST_STATE_MARK).length === 0) performance.mark(FIRST_STATE_MARK);
  }, [shown]);
  // "Set up later" is remembered by main, so a reload does not bring the wizard back by itself.
  const setupNeeded = state !== null && (state.firstRun || state.needsSetup) && !wizardDismissed && !state.setupDeferred;
  useEffect(() => {
    if (setupNeeded) setWizardOpen(true);
  }, [setupNeeded]);

  const showWizard = state !== null && (route === 'setup' || setupNeeded || wizardOpen);
  const shownRoute: Route = showWizard ? 'setup' : route;
  useEffect(() => {
    document.title = `${TITLES[shownRoute]} · Stigmer`;
    // Each screen starts at its top: the main area's scroll position is not carried over.
    document.getElementById('main')?.scrollTo(0, 0);
  }, [shownRoute]);
  const offline = store.connection === 'reconnecting';
  let content: ComponentChildren;
  if (!state) {
    content = (
      <Centered>{store.loadError ? <p role="alert">Could not load the app state: {store.loadError}</p> : <p class="muted">Connecting to Stigmer…</p>}</Centered>
    );
  } else if (showWizard) {
    const close = (later: boolean, to: Route = 'overview') => {
      setWizardDismissed(true);
      setWizardOpen(false);
      if (later) void store.bridge.invoke('wizard:defer', { deferred: true }).catch(() => undefined);
      window.location.hash = `#/${to}`;
    };
    content = <Wizard onClose={close} />;
  } else {
    content = (
      <>
        <header class="page-header">
          <h1 class="page-header__title">{TITLES[route]}</h1>
        </header>
        {state.setupDeferred && (state.firstRun || state.needsSetup) ? (
          <div class="banner banner--setup" role="status">
            <span>Setup is not finished: you chose to set it up later.</span>
            <a
              class="button button--primary"
              href="#/setup"
              onClick={() => void store.bridge.invoke('wizard:defer', { deferred: false }).catch(() => undefined)}
            >
              Resume setup
            </a>
          </div>
        ) : null}
        <UpdateBanner />
        {route === 'overview' ? <OverviewScreen /> : null}
        {route === 'models' ? <ModelsScreen /> : null}
        {route === 'logs' ? <LogsScreen /> : null}
        {route === 'settings' ? <SettingsScreen /> : null}
        {route === 'playground' ? <PlaygroundScreen /> : null}
      </>
    );
  }

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar
        current={shownRoute}
        downloadsOpen={downloadsOpen !== 'closed'}
        onToggleDownloads={() => setDownloadsOpen((open) => (open === 'closed' ? 'user' : 'closed'))}
      />
      <main id="main" class="main" tabIndex={-1}>
        {offline ? (
          <div class="connection" role="status">
            Connection to Stigmer lost; reconnecting…
          </div>
        ) : null}
        {/* While the connection is lost, the last state is shown but nothing can be pressed. */}
        <div class={offline ? 'main__content main__content--stale' : 'main__content'} inert={offline}>
          {content}
        </div>
      </main>
      {state ? (
        <div class="downloads-layer" inert={offline}>
          <DownloadsPanel
            open={downloadsOpen}
            autoOpen={!showWizard}
            onOpen={() => setDownloadsOpen((open) => (open === 'closed' ? 'auto' : open))}
            onClose={() => setDownloadsOpen('closed')}
          />
        </div>
      ) : null}
    </div>
  );
}

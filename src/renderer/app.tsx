import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { StatusPill } from './components/ui.tsx';
import { LogsScreen } from './screens/logs.tsx';
import { OverviewScreen } from './screens/overview.tsx';
import { PlaygroundScreen } from './screens/playground.tsx';
import { SettingsScreen } from './screens/settings.tsx';
import { Wizard } from './screens/wizard.tsx';
import { ollamaStatus, runnerStatus } from './status.ts';
import { useStore, useTopic } from './store.ts';

const ROUTES = ['overview', 'logs', 'settings', 'playground', 'setup'] as const;
type Route = (typeof ROUTES)[number];

const TITLES: Record<Route, string> = { overview: 'Overview', logs: 'Logs', settings: 'Settings', playground: 'Playground', setup: 'Setup' };

const ICONS: Record<Route, string> = {
  overview: 'M3 3h6v6H3V3Zm8 0h6v6h-6V3ZM3 11h6v6H3v-6Zm8 0h6v6h-6v-6Z',
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

function Sidebar({ current }: { current: Route }) {
  const store = useStore();
  const state = store.state;
  const runner = state ? runnerStatus(state.runner, Date.now()) : null;
  const ollama = state ? ollamaStatus(state.ollama, state.config.provider.value) : null;
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

function Centered({ children }: { children: ComponentChildren }) {
  return <div class="centered">{children}</div>;
}

export function App() {
  const store = useStore();
  useTopic('state');
  const route = useRoute();
  const [wizardDismissed, setWizardDismissed] = useState(false);
  // Once shown, the wizard stays until the user closes it: the step that makes the configuration
  // usable (a key saved, a model pulled) must not whisk it away before the review and start steps.
  const [wizardOpen, setWizardOpen] = useState(false);
  const state = store.state;
  const setupNeeded = state !== null && (state.firstRun || state.needsSetup) && !wizardDismissed;

  useEffect(() => {
    document.title = `${TITLES[route]} · Stigmer`;
  }, [route]);
  useEffect(() => {
    if (setupNeeded) setWizardOpen(true);
  }, [setupNeeded]);

  const showWizard = state !== null && (route === 'setup' || setupNeeded || wizardOpen);
  let content: ComponentChildren;
  if (!state) {
    content = <Centered>{store.loadError ? <p role="alert">Could not load the app state: {store.loadError}</p> : <p class="muted">Connecting to Stigmer…</p>}</Centered>;
  } else if (showWizard) {
    const close = () => {
      setWizardDismissed(true);
      setWizardOpen(false);
      window.location.hash = '#/overview';
    };
    content = <Wizard onClose={close} />;
  } else {
    content = (
      <>
        <header class="page-header">
          <h1 class="page-header__title">{TITLES[route]}</h1>
        </header>
        {route === 'overview' ? <OverviewScreen /> : null}
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
      <Sidebar current={showWizard ? 'setup' : route} />
      <main id="main" class="main" tabIndex={-1}>
        {store.connection === 'reconnecting' ? (
          <div class="connection" role="status">
            Connection to Stigmer lost; reconnecting…
          </div>
        ) : null}
        {content}
      </main>
    </div>
  );
}

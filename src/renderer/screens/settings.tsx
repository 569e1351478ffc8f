import type { ComponentType } from 'preact';
import type { AppState } from '../../shared/state-schema.ts';
import { Card } from '../components/ui.tsx';
import { UpdatesSection } from '../components/updates.tsx';
import { CustomEndpointsSection } from '../components/endpoints-editor.tsx';
import { CommandInstallSection } from '../components/command-install.tsx';
import { ModelsFolderMoveSection } from '../components/models-folder-move.tsx';
import { useAppState } from '../store.ts';
import { EndpointsSection } from './settings/endpoints.tsx';
import { KeysSection } from './settings/keys.tsx';
import { OllamaBinarySection } from './settings/ollama-binary.tsx';
import { OllamaServerSection } from './settings/ollama-server.tsx';
import { ModelSection, ProviderSection } from './settings/provider.tsx';
import { RunnerCommandSection } from './settings/runner-command.tsx';
import { StartAtLoginSection } from './settings/start-at-login.tsx';

export interface SettingsSection {
  title: string;
  Body: ComponentType;
  /** Across the whole width (a section of several rows). */
  wide?: boolean;
  /** Only where it applies (a host feature); always shown without. */
  shown?: (state: AppState) => boolean;
}

/**
 * Settings, in the order the user meets them. Adding a section is one entry here: its title
 * names the card and its entry in the section list. Every section saves the same way: a choice
 * (radio, switch, "Use this model") applies at once; typed fields are saved with the section's
 * Save, enabled only for a valid change and telling what is wrong before that (see SaveRow).
 */
export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  { title: 'Provider', Body: ProviderSection },
  { title: 'Model', Body: ModelSection },
  { title: 'API keys', Body: KeysSection, wide: true },
  { title: 'Endpoints', Body: EndpointsSection, wide: true },
  { title: 'OpenAI-compatible servers', Body: CustomEndpointsSection, wide: true },
  { title: 'Ollama server', Body: OllamaServerSection },
  { title: 'Models folder', Body: ModelsFolderMoveSection },
  { title: 'Ollama binary', Body: OllamaBinarySection },
  { title: 'Runner command', Body: RunnerCommandSection },
  { title: 'Start at login', Body: StartAtLoginSection, shown: (state) => state.host === 'electron' },
  { title: 'The stigmer command', Body: CommandInstallSection, shown: (state) => state.host === 'electron' },
  { title: 'Updates', Body: UpdatesSection, shown: (state) => state.update !== null },
];

/** The id Card gives a title's heading. */
const headingId = (title: string) => `card-${title.toLowerCase().replace(/\W+/g, '-')}`;

/**
 * Goes to a section: the router owns the URL's hash, so this scrolls and moves focus to the
 * section's heading instead of following an anchor.
 */
function goTo(title: string) {
  const heading = document.getElementById(headingId(title));
  if (!heading) return;
  heading.tabIndex = -1;
  heading.scrollIntoView({ block: 'start' });
  heading.focus({ preventScroll: true });
}

export function SettingsScreen() {
  const state = useAppState();
  const sections = SETTINGS_SECTIONS.filter((section) => section.shown?.(state) ?? true);
  return (
    <div class="screen settings">
      <nav class="settings__nav" aria-label="Settings sections">
        <ul>
          {sections.map((section) => (
            <li key={section.title}>
              <button type="button" class="settings__nav-item" onClick={() => goTo(section.title)}>
                {section.title}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div class="grid settings__sections">
        {sections.map(({ title, Body, wide }) => (
          <Card key={title} title={title} wide={wide ?? false}>
            <Body />
          </Card>
        ))}
      </div>
    </div>
  );
}

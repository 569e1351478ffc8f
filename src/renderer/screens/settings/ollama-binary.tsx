import { LIMITS } from '../../../shared/limits.ts';
import { OllamaUpdateCheck } from '../../components/ollama-update-check.tsx';
import { SaveField, useSaveField } from '../../components/save-row.tsx';
import { ActionError } from '../../components/ui.tsx';
import { requiredCheck, saveOffer } from '../../settings-checks.ts';
import { useAppState, useStore } from '../../store.ts';

/** How the binary in use was found, in words; the flag and the setting keep their names. */
const BINARY_SOURCE_WORDS: Record<string, string> = {
  path: 'found on PATH',
  'install-location': 'found in an install location',
  'app-installed': 'installed by this app',
};

export function OllamaBinarySection() {
  const { bridge } = useStore();
  const { ollama } = useAppState();
  const saved = ollama.binary?.source === 'settings' ? ollama.binary.path : '';
  const { draft, action, clear, field } = useSaveField(
    saved,
    (path) => bridge.invoke('ollama:set-path', { path }),
    'Searching PATH and the install locations.',
  );
  const offer = saveOffer([{ draft, saved, check: requiredCheck('the path to the ollama binary, or use Search PATH') }]);
  return (
    <>
      <p class="hint">
        {ollama.binary ? (
          <>
            Using <span class="mono">{ollama.binary.path}</span> ({BINARY_SOURCE_WORDS[ollama.binary.source] ?? ollama.binary.source}
            {ollama.binary.version ? `, version ${ollama.binary.version}` : ''}).
          </>
        ) : ollama.server.phase === 'running' ? (
          // A server that answers needs no binary here: "not found" would read as a problem.
          <>
            No ollama binary on this machine; none is needed while Ollama answers at <span class="mono">{ollama.url}</span> ({ollama.server.owner}).
          </>
        ) : (
          'No ollama binary found yet.'
        )}
      </p>
      <SaveField
        id="ollama-path"
        label="Path to the ollama binary"
        formLabel="Ollama binary path"
        maxLength={LIMITS.path}
        placeholder="Search PATH, e.g. /usr/local/bin/ollama"
        {...field}
        offer={offer}
      >
        {saved !== '' ? (
          <button type="button" class="button" disabled={action.busy} onClick={clear}>
            Search PATH
          </button>
        ) : null}
      </SaveField>
      <ActionError state={action} />
      <OllamaUpdateCheck />
    </>
  );
}

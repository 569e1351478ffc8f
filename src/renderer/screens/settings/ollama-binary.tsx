import { useEffect, useState } from 'preact/hooks';
import { LIMITS } from '../../../shared/limits.ts';
import { OllamaUpdateCheck } from '../../components/ollama-update-check.tsx';
import { SaveRow } from '../../components/save-row.tsx';
import { ActionError, useAction } from '../../components/ui.tsx';
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
  const [draft, setDraft] = useState(saved);
  // The saved path as main keeps it, once a save lands or another window saves.
  useEffect(() => setDraft(saved), [saved]);
  const [done, setDone] = useState<string | null>(null);
  const [run, action] = useAction();
  const offer = saveOffer([{ draft, saved, check: requiredCheck('the path to the ollama binary, or use Search PATH') }]);
  const save = (path: string | null) =>
    void run(async () => {
      setDone(null);
      await bridge.invoke('ollama:set-path', { path });
      setDone(path === null ? 'Searching PATH and the install locations.' : 'Saved.');
    });
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
      <form
        class="form"
        aria-label="Ollama binary path"
        onSubmit={(event) => {
          event.preventDefault();
          if (offer.enabled) save(draft.trim());
        }}
      >
        <label class="visually-hidden" for="ollama-path">
          Path to the ollama binary
        </label>
        <SaveRow
          offer={offer}
          action={action}
          problemId="ollama-path-problem"
          saved={done}
          field={
            <input
              id="ollama-path"
              type="text"
              class="mono"
              maxLength={LIMITS.path}
              placeholder="Search PATH, e.g. /usr/local/bin/ollama"
              value={draft}
              aria-describedby={offer.problem ? 'ollama-path-problem' : undefined}
              onInput={(event) => {
                setDraft(event.currentTarget.value);
                setDone(null);
              }}
            />
          }
        >
          {saved !== '' ? (
            <button type="button" class="button" disabled={action.busy} onClick={() => save(null)}>
              Search PATH
            </button>
          ) : null}
        </SaveRow>
      </form>
      <ActionError state={action} />
      <OllamaUpdateCheck />
    </>
  );
}

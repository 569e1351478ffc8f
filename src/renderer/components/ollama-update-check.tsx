import { useAppState, useStore } from '../store.ts';
import { ActionError, useAction } from './ui.tsx';

/**
 * "Check for Ollama updates", on demand (the app also checks daily for the Ollama it installed):
 * the answer says which Ollama is used, where, and whether a newer release exists. Updating is the
 * Overview's "Update Ollama", offered only for the app's own Ollama.
 */
export function OllamaUpdateCheck() {
  const { bridge } = useStore();
  const { ollamaInstall } = useAppState();
  const [run, action] = useAction();
  return (
    <>
      {ollamaInstall.update ? <p class="hint">{ollamaInstall.update.message}</p> : null}
      <button type="button" class="button" disabled={action.busy} onClick={() => void run(() => bridge.invoke('ollama:check-update', { force: true }))}>
        Check for Ollama updates
      </button>
      <ActionError state={action} />
    </>
  );
}

import { useState } from 'preact/hooks';
import type { CommandResponse } from '../../shared/ipc.ts';
import { useStore } from '../store.ts';
import { ActionError, Problem, useAction } from './ui.tsx';

/**
 * Settings, desktop app: "Install the stigmer command", as VS Code and the Ollama app offer theirs.
 * After it, says where the command went and, when that folder is not on PATH, how to make a
 * terminal find it.
 */
export function CommandInstallSection() {
  const { bridge } = useStore();
  const [run, action] = useAction();
  const [installed, setInstalled] = useState<CommandResponse<'app:install-command'> | null>(null);
  return (
    <>
      <p class="muted">Steer this app from a terminal: stigmer status, stigmer use, stigmer logs -f, stigmer keys set.</p>
      <button
        type="button"
        class="button"
        disabled={action.busy}
        onClick={() => void run(async () => setInstalled(await bridge.invoke('app:install-command', {})))}
      >
        Install the stigmer command
      </button>
      {installed ? (
        <div data-testid="command-install-result">
          <Problem tone={installed.onPath ? 'info' : 'warning'} message={installed.message} />
        </div>
      ) : null}
      <ActionError state={action} />
    </>
  );
}

import { ActionError, useAction } from '../../components/ui.tsx';
import { useAppState, useStore } from '../../store.ts';

/** A switch applies at once, as a checkbox reads. */
export function StartAtLoginSection() {
  const { bridge } = useStore();
  const { startAtLogin } = useAppState();
  const [run, action] = useAction();
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          checked={startAtLogin}
          disabled={action.busy}
          onChange={(event) => void run(() => bridge.invoke('app:set-start-at-login', { enabled: event.currentTarget.checked }))}
        />
        <span>Start Stigmer Desktop in the tray when I log in</span>
      </label>
      <ActionError state={action} />
    </>
  );
}

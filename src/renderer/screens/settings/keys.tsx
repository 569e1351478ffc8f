import { KeyEditor } from '../../components/key-editor.tsx';
import { ActionError, Problem, useAction } from '../../components/ui.tsx';
import { useAppState, useStore } from '../../store.ts';

export function KeysSection() {
  const { bridge } = useStore();
  const state = useAppState();
  const [run, action] = useAction();
  return (
    <>
      <KeyEditor provider="anthropic" />
      <KeyEditor provider="openai" />
      {state.secrets.notice ? <Problem tone={state.secrets.persistence === 'os-keychain' ? 'info' : 'warning'} message={state.secrets.notice} /> : null}
      {state.secrets.weakStorageOffered ? (
        <button type="button" class="button" disabled={action.busy} onClick={() => void run(() => bridge.invoke('secrets:accept-weak-storage', {}))}>
          Save keys with weaker storage
        </button>
      ) : null}
      <ActionError state={action} />
    </>
  );
}

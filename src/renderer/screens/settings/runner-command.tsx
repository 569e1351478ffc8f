import { useEffect, useState } from 'preact/hooks';
import { LIMITS } from '../../../shared/limits.ts';
import { ControlChannelField } from '../../components/runner-channel.tsx';
import { SaveField } from '../../components/save-row.tsx';
import { ActionError, PinnedBadge, Problem, useAction } from '../../components/ui.tsx';
import { requiredCheck, saveOffer } from '../../settings-checks.ts';
import { useAppState, useStore } from '../../store.ts';

/** The runner command: Save asks first, since the command runs as the user with the key. */
export function RunnerCommandSection() {
  const { bridge } = useStore();
  const { runnerCommand } = useAppState();
  // A command saved for the next restart is what is saved, though another one runs.
  const saved = runnerCommand.pending ?? (runnerCommand.source === 'settings' ? runnerCommand.value : '');
  const [draft, setDraft] = useState(saved);
  useEffect(() => setDraft(saved), [saved]);
  /** The command the confirmation asks about: the draft, or null for the built-in runner. */
  const [confirming, setConfirming] = useState<{ command: string | null } | null>(null);
  const { controlChannel } = runnerCommand;
  const [channelDraft, setChannelDraft] = useState(controlChannel.saved);
  // The built-in runner has its own channel: the switch is for the command typed here (or shown pinned for the one in use).
  const custom = draft.trim() !== '';
  const showChannel = custom || (runnerCommand.pinned && controlChannel.pinned);
  const savesChannel = custom && !controlChannel.pinned;
  const [run, action] = useAction();
  const offer = saveOffer([{ draft, saved, check: requiredCheck('a command, or use "Built-in runner"') }]);
  const save = (restart: boolean) =>
    void run(async () => {
      const command = confirming?.command ?? null;
      await bridge.invoke('runner:set-command', { command, restart, ...(command !== null && savesChannel ? { controlChannel: channelDraft } : {}) });
      setConfirming(null);
    });
  // The runner restarts for the channel as for a new command: the same confirmation, now or later.
  const toggleChannel = (next: boolean) => {
    setChannelDraft(next);
    setConfirming({ command: draft.trim() });
  };
  const cancel = () => {
    setConfirming(null);
    setChannelDraft(controlChannel.saved);
  };
  return (
    <>
      <p class="hint">The process Stigmer supervises. Empty for the built-in runner; it receives the configuration in STIGMER_LLM_* variables.</p>
      {runnerCommand.pinned ? (
        <p class="hint">
          <PinnedBadge source={runnerCommand.source} /> In use: <span class="mono">{runnerCommand.value}</span>
        </p>
      ) : null}
      <SaveField
        id="runner-command"
        label="Runner command"
        maxLength={LIMITS.command}
        placeholder="Built-in runner, e.g. python -m my_worker"
        draft={draft}
        onDraft={setDraft}
        onSave={() => setConfirming({ command: draft.trim() })}
        saveLabel="Save…"
        offer={confirming ? { ...offer, enabled: false } : offer}
        action={action}
        saved={null}
      >
        {saved !== '' ? (
          <button type="button" class="button" disabled={action.busy || confirming !== null} onClick={() => setConfirming({ command: null })}>
            Built-in runner…
          </button>
        ) : null}
      </SaveField>
      {showChannel ? <ControlChannelField channel={controlChannel} checked={channelDraft} disabled={action.busy} onToggle={toggleChannel} /> : null}
      {confirming ? (
        <div class="confirm-box" role="group" aria-label="Confirm the runner command">
          <p>
            {confirming.command === null ? (
              'Go back to the built-in runner?'
            ) : (
              <>
                Run <span class="mono">{confirming.command}</span> as the runner{savesChannel && channelDraft ? ', with the control channel' : ''}? It runs as
                you, and receives the model configuration and API key.
              </>
            )}
          </p>
          <div class="form__actions">
            <button type="button" class="button button--primary" disabled={action.busy} onClick={() => save(true)}>
              Save and restart now
            </button>
            <button type="button" class="button" disabled={action.busy} onClick={() => save(false)}>
              Save, restart later
            </button>
            <button type="button" class="button button--ghost" onClick={cancel}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {runnerCommand.pending ? (
        <Problem
          tone="info"
          message={`Saved: ${runnerCommand.pending} runs from the runner's next restart.`}
          fix="Restart the runner from the Overview or the tray to use it now."
        />
      ) : null}
      <ActionError state={action} />
    </>
  );
}

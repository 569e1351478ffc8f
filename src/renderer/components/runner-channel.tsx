import { sourceName } from '../../shared/config.ts';
import type { AppState } from '../../shared/state-schema.ts';
import { CONTROL_CHANNEL_LABEL, CONTROL_CHANNEL_README } from '../../shared/runner-channel.ts';
import { PinnedBadge } from './ui.tsx';

type ControlChannelView = AppState['runnerCommand']['controlChannel'];

/**
 * "This runner uses the control channel": the saved switch under `--runner-control-channel` and
 * `STIGMER_RUNNER_CONTROL_CHANNEL`, for a desktop user who cannot set a variable for a tray app.
 * Pinned, it shows what is in use and who set it, and cannot be changed here.
 */
export function ControlChannelField({
  channel,
  checked,
  disabled,
  onToggle,
}: {
  channel: ControlChannelView;
  /** The choice about to be saved (the saved one until the user changes it). */
  checked: boolean;
  disabled: boolean;
  onToggle: (next: boolean) => void;
}) {
  const name = sourceName(channel.source);
  return (
    <div class="runner-channel">
      <label class="check">
        <input
          type="checkbox"
          checked={channel.pinned ? channel.value : checked}
          disabled={disabled || channel.pinned}
          onChange={(event) => onToggle(event.currentTarget.checked)}
        />
        <span>{CONTROL_CHANNEL_LABEL}</span>
      </label>
      {channel.pinned ? (
        <p class="hint">
          <PinnedBadge source={channel.source} /> {channel.source.startsWith('flag:') ? `Start the app without ${name}` : `Unset ${name}`} to choose here; your
          saved choice ({channel.saved ? 'on' : 'off'}) is kept.
        </p>
      ) : null}
      <p class="hint">
        Tick it if your runner reads the app's tasks (Playground, provider check) as JSON lines on the descriptor named by STIGMER_CONTROL_FD, as the Python
        example does; see {CONTROL_CHANNEL_README}.
      </p>
    </div>
  );
}

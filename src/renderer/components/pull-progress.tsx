import type { OllamaPullProgress } from '../../shared/ollama.ts';
import { formatBytes, formatDuration } from '../format.ts';

/** A pull's progress bar with its status line, speed and time left. */
export function PullProgress({ progress }: { progress: OllamaPullProgress }) {
  const percent = progress.percent === null ? undefined : Math.round(progress.percent);
  const details = [
    progress.totalBytes > 0 ? `${formatBytes(progress.completedBytes)} of ${formatBytes(progress.totalBytes)}` : null,
    progress.bytesPerSecond !== null ? `${formatBytes(progress.bytesPerSecond)}/s` : null,
    progress.etaSeconds !== null ? `${formatDuration(progress.etaSeconds * 1000)} left` : null,
  ].filter(Boolean);
  return (
    <div class="pull">
      <div class="pull__line">
        <span>
          Pulling <span class="mono">{progress.model}</span>: {progress.status}
        </span>
        <span class="muted">{percent === undefined ? '' : `${percent}%`}</span>
      </div>
      <progress class="pull__bar" max={100} value={percent} aria-label={`Pulling ${progress.model}`} />
      {details.length > 0 ? <p class="hint">{details.join(' · ')}</p> : null}
    </div>
  );
}

import type { Download } from '../../shared/state-schema.ts';
import { formatBytes, formatDuration } from '../format.ts';

/** A download's progress bar with what is happening, bytes, speed and time left (never a layer digest). */
export function PullProgress({ download }: { download: Download }) {
  const percent = download.percent === null ? undefined : Math.round(download.percent);
  const details = [
    download.totalBytes > 0 ? `${formatBytes(download.completedBytes)} of ${formatBytes(download.totalBytes)}` : null,
    download.bytesPerSecond !== null ? `${formatBytes(download.bytesPerSecond)}/s` : null,
    download.etaSeconds !== null ? `${formatDuration(download.etaSeconds * 1000)} left` : null,
  ].filter(Boolean);
  return (
    <div class="pull">
      <div class="pull__line">
        <span>
          <span class="mono">{download.model}</span>: {download.phase}
        </span>
        <span class="muted">{percent === undefined ? '' : `${percent}%`}</span>
      </div>
      <progress class="pull__bar" max={100} value={percent} aria-label={`Pulling ${download.model}`} />
      {details.length > 0 ? <p class="hint">{details.join(' · ')}</p> : null}
    </div>
  );
}

import type { ConfigSource } from '../shared/config.ts';

// Shared with the main process, which words tray items and problems with sizes too.
export { formatBytes } from '../shared/format-bytes.ts';

/** 3725000 → "1h 2m 5s". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h ${minutes}m ${seconds}s`;
  if (minutes > 0) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

/** 1234.5 → "1.23 s", 87 → "87 ms". */
export const formatLatency = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** How a source reads in a badge: "flag --llm-provider", "env LLM_PROVIDER", "settings". */
export function describeSource(source: ConfigSource): string {
  if (source.startsWith('flag:')) return `flag ${source.slice('flag:'.length)}`;
  if (source.startsWith('env:')) return `env ${source.slice('env:'.length)}`;
  return source;
}

/** "14:03:27.120" in local time. */
export function formatClock(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** 24-hour local time of day, "14:03:27", the same clock as the log view. */
export const formatTimeOfDay = (ms: number): string => formatClock(new Date(ms).toISOString()).slice(0, 8);

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { LOG_LEVELS, LOG_SOURCES, type LogLevel, type LogSource } from '../../shared/logs.ts';
import { ActionError, Problem, useAction } from '../components/ui.tsx';
import { VirtualList } from '../components/virtual-list.tsx';
import { formatClock } from '../format.ts';
import { FilteredLogView, formatLogFields, formatLogLine, groupSummary, type LogViewFilter } from '../log-buffer.ts';
import { useAppState, useStore, useTopic } from '../store.ts';

const SOURCE_LABELS: Record<LogSource, string> = { runner: 'Runner', ollama: 'Ollama', app: 'App' };

/** Measures one log row as the stylesheet draws it (it follows the user's font size). */
function useRowHeight(): [number, (element: HTMLDivElement | null) => void] {
  const [height, setHeight] = useState(20);
  const probe = useRef<HTMLDivElement | null>(null);
  useLayoutEffect(() => {
    const measure = () => probe.current && setHeight(probe.current.getBoundingClientRect().height || 20);
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, []);
  return [height, (element) => (probe.current = element)];
}

export function LogsScreen() {
  const store = useStore();
  const state = useAppState();
  useTopic('logs');
  const [sources, setSources] = useState<ReadonlySet<LogSource>>(new Set(LOG_SOURCES));
  const [minLevel, setMinLevel] = useState<LogLevel>('trace');
  const [text, setText] = useState('');
  const [follow, setFollow] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowHeight, probeRef] = useRowHeight();
  const [run, action] = useAction();

  const filter: LogViewFilter = useMemo(() => ({ sources, minLevel, text: text.trim() }), [sources, minLevel, text]);
  const view = useMemo(() => new FilteredLogView(filter), [filter]);
  const matches = view.sync(store.logs);
  /** Heads of the tracebacks the user unfolded. */
  const [unfolded, setUnfolded] = useState<ReadonlySet<number>>(new Set());
  const rows = view.rows(matches, unfolded, store.logs.dropped);

  useEffect(() => setNotice(null), [filter]);

  const toggleFold = (head: number) => {
    const next = new Set(unfolded);
    if (next.has(head)) next.delete(head);
    else next.add(head);
    setUnfolded(next);
  };

  const toggleSource = (source: LogSource) => {
    const next = new Set(sources);
    if (next.has(source)) next.delete(source);
    else next.add(source);
    setSources(next);
  };

  const copy = async () => {
    // A copied traceback is whole, folded or not.
    const every = view.rows(matches, new Set(matches), store.logs.dropped);
    const lines = every.map((index) => store.logs.at(index)).filter((entry) => entry !== undefined).map(formatLogLine);
    await navigator.clipboard.writeText(lines.join('\n'));
    setNotice(`Copied ${lines.length.toLocaleString()} lines.`);
  };

  const reveal = async () => {
    const result = await store.bridge.invoke('logs:reveal-folder', {});
    setNotice(result.opened ? `Opened ${result.path}` : `Logs are in ${result.path}`);
  };

  const skipped = store.logs.skippedByHost + store.logs.dropped;

  return (
    <div class="screen screen--fill">
      <div class="toolbar" role="toolbar" aria-label="Log filters">
        <fieldset class="segmented">
          <legend class="visually-hidden">Sources</legend>
          {LOG_SOURCES.map((source) => (
            <label key={source} class="segmented__item">
              <input type="checkbox" checked={sources.has(source)} onChange={() => toggleSource(source)} />
              <span>{SOURCE_LABELS[source]}</span>
            </label>
          ))}
        </fieldset>
        <label class="toolbar__field">
          <span class="toolbar__label">Level</span>
          <select value={minLevel} onChange={(event) => setMinLevel(event.currentTarget.value as LogLevel)}>
            {LOG_LEVELS.map((level) => (
              <option key={level} value={level}>
                {level === 'trace' ? 'all levels' : `${level} and above`}
              </option>
            ))}
          </select>
        </label>
        <label class="toolbar__field toolbar__field--grow">
          <span class="visually-hidden">Filter text</span>
          <input type="search" placeholder="Filter messages…" value={text} maxLength={1024} onInput={(event) => setText(event.currentTarget.value)} />
        </label>
        <button type="button" class={follow ? 'button button--primary' : 'button'} aria-pressed={follow} onClick={() => setFollow(!follow)}>
          {follow ? 'Following' : 'Paused'}
        </button>
        <button type="button" class="button" onClick={() => run(copy)} disabled={matches.length === 0}>
          Copy
        </button>
        <button type="button" class="button" onClick={() => run(reveal)}>
          Reveal folder
        </button>
      </div>
      <div class="log-status" aria-live="polite">
        <span data-testid="log-count">
          {matches.length.toLocaleString()} of {store.logs.entries.length.toLocaleString()} lines
        </span>
        {skipped > 0 ? (
          <span class="log-status__skipped" data-testid="log-skipped">
            {skipped.toLocaleString()} lines skipped (sampled to keep up)
          </span>
        ) : null}
        {!follow ? <span class="muted">Paused: new lines are kept but the view stays put.</span> : null}
        {notice ? <span class="muted">{notice}</span> : null}
      </div>
      <ActionError state={action} />
      <div class="log-view">
        <div ref={probeRef} class="log-row log-row--probe" aria-hidden="true">
          x
        </div>
        {matches.length === 0 ? (
          <div class="log-empty">
            {store.logs.entries.length === 0 ? (
              <p class="muted">No log lines yet. Lines from the runner, Ollama and the app appear here as they are written.</p>
            ) : (
              <Problem tone="info" message="No lines match the filter." fix="Clear the text, lower the level or enable more sources." />
            )}
            <p class="muted">Log files are kept in {state.logsDir}.</p>
          </div>
        ) : (
          <VirtualList
            label="Log lines"
            count={rows.length}
            rowHeight={rowHeight}
            follow={follow}
            onScrolled={(atBottom) => setFollow(atBottom)}
            renderRow={(position) => {
              const index = rows[position] ?? -1;
              const entry = store.logs.at(index);
              // Stripes follow the line's position, not the DOM order, so they do not flicker while scrolling.
              const stripe = position % 2 === 1 ? ' log-row--odd' : '';
              if (!entry) return <div key={position} class={`log-row${stripe}`} />;
              const grouped = view.lineAt(index);
              if (grouped.kind === 'head') {
                const summary = groupSummary(store.logs, grouped.group) ?? entry;
                const open = unfolded.has(index);
                const count = grouped.group.members.length + 1;
                return (
                  <div key={entry.seq} class={`log-row log-row--error log-row--group${stripe}`} title={summary.msg}>
                    <span class="log-row__time">{formatClock(entry.ts)}</span>
                    <span class={`log-row__source log-row__source--${entry.source}`}>{entry.source}</span>
                    <span class="log-row__level">error</span>
                    <span class="log-row__msg">
                      <button type="button" class="log-row__fold" aria-expanded={open} onClick={() => toggleFold(index)}>
                        {open ? '▾' : '▸'} Traceback, {count} lines
                      </button>{' '}
                      {summary.msg}
                    </span>
                  </div>
                );
              }
              if (grouped.kind === 'member') {
                return (
                  <div key={entry.seq} class={`log-row log-row--member${stripe}`} title={entry.msg}>
                    <span class="log-row__time">{formatClock(entry.ts)}</span>
                    <span class={`log-row__source log-row__source--${entry.source}`}>{entry.source}</span>
                    <span class="log-row__level" />
                    <span class="log-row__msg">{entry.msg}</span>
                  </div>
                );
              }
              // A structured line's fields (a check's result, the runner's configuration) are part of what it says.
              const fields = formatLogFields(entry);
              return (
                <div key={entry.seq} class={`log-row log-row--${entry.level}${stripe}`} title={fields ? `${entry.msg} ${fields}` : entry.msg}>
                  <span class="log-row__time">{formatClock(entry.ts)}</span>
                  <span class={`log-row__source log-row__source--${entry.source}`}>{entry.source}</span>
                  <span class="log-row__level">{entry.level}</span>
                  <span class="log-row__msg">
                    {entry.msg}
                    {fields ? <span class="log-row__fields"> {fields}</span> : null}
                  </span>
                </div>
              );
            }}
          />
        )}
      </div>
    </div>
  );
}

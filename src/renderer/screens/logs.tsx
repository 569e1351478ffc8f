import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { LOG_LEVELS, LOG_SOURCES, type LogLevel, type LogSource } from '../../shared/logs.ts';
import { ActionError, Problem, useAction } from '../components/ui.tsx';
import { VirtualList } from '../components/virtual-list.tsx';
import { formatClock } from '../format.ts';
import { formatLogFields } from '../../shared/log-filter.ts';
import { FilteredLogView, formatLogLine, groupSummary, type LogBuffer, type LogViewFilter } from '../log-buffer.ts';
import { loadOlder, openGap } from '../log-history.ts';
import { useFileSearch } from '../log-search.ts';
import { FileMatches, fileSearchSummary } from './log-file-matches.tsx';
import { useAppState, useStore, useTopic } from '../store.ts';
import { LIMITS } from '../../shared/limits.ts';

const SOURCE_LABELS: Record<LogSource, string> = { runner: 'Runner', ollama: 'Ollama', app: 'App' };

interface RowMetrics {
  height: number;
  /** Characters of the message column that fit on one line (monospace), for wrapped rows. */
  charsPerLine: number;
}

/** Measures one log row as the stylesheet draws it (it follows the user's font size and the window's width). */
function useRowMetrics(): [RowMetrics, (element: HTMLDivElement | null) => void] {
  const [metrics, setMetrics] = useState<RowMetrics>({ height: 20, charsPerLine: 120 });
  const probe = useRef<HTMLDivElement | null>(null);
  useLayoutEffect(() => {
    const measure = () => {
      const row = probe.current;
      if (!row) return;
      const column = row.querySelector('.log-row__msg')?.getBoundingClientRect().width ?? 0;
      const sample = row.querySelector('.log-row__sample')?.getBoundingClientRect().width ?? 0;
      const charsPerLine = sample > 0 ? Math.max(10, Math.floor(column / (sample / 10))) : 120;
      setMetrics({ height: row.getBoundingClientRect().height || 20, charsPerLine });
    };
    measure();
    const observer = new ResizeObserver(measure);
    if (probe.current) observer.observe(probe.current);
    return () => observer.disconnect();
  }, []);
  return [metrics, (element) => (probe.current = element)];
}

/** Where each row starts when long lines wrap: a line takes as many rows as its text needs. */
function wrappedOffsets(buffer: LogBuffer, rows: readonly number[], { height, charsPerLine }: RowMetrics): Float64Array {
  const offsets = new Float64Array(rows.length + 1);
  for (let position = 0; position < rows.length; position++) {
    const entry = buffer.at(rows[position]!);
    const length = entry ? entry.msg.length + (entry.fields ? formatLogFields(entry).length + 1 : 0) : 0;
    offsets[position + 1] = offsets[position]! + height * Math.max(1, Math.ceil(length / charsPerLine));
  }
  return offsets;
}

/** Opens the newest gap marker of the window (the one nearest what a following user reads). */
async function openNewestGap(buffer: LogBuffer, open: (index: number) => Promise<void>): Promise<void> {
  for (let index = buffer.end - 1; index >= buffer.end - buffer.entries.length; index--) {
    if (buffer.at(index)?.gap) return open(index);
  }
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
  const [metrics, probeRef] = useRowMetrics();
  const [wrap, setWrap] = useState(false);
  const [run, action] = useAction();
  const [showFileMatches, setShowFileMatches] = useState(false);

  const filter: LogViewFilter = useMemo(() => ({ sources, minLevel, text: text.trim() }), [sources, minLevel, text]);
  const view = useMemo(() => new FilteredLogView(filter), [filter]);
  const matches = view.sync(store.logs);
  const fileSearch = useFileSearch(store.bridge, filter.text, sources, minLevel);
  /** The `seq` of the heads of the tracebacks the user unfolded. */
  const [unfolded, setUnfolded] = useState<ReadonlySet<number>>(new Set());
  const rows = view.rows(store.logs, matches, unfolded);
  const offsets = wrap ? wrappedOffsets(store.logs, rows, metrics) : undefined;

  // Older lines loaded in front: the list keeps the rows the user reads in place.
  const oldestShown = useRef<{ index: number; key: number } | null>(null);
  let insertedAbove: { key: number; rows: number } | undefined;
  const firstIndex = rows[0];
  if (oldestShown.current && firstIndex !== undefined && firstIndex < oldestShown.current.index) {
    let above = 0;
    while (above < rows.length && rows[above]! < oldestShown.current.index) above++;
    oldestShown.current = { index: firstIndex, key: oldestShown.current.key + 1 };
    insertedAbove = { key: oldestShown.current.key, rows: above };
  } else if (firstIndex !== undefined && oldestShown.current?.index !== firstIndex) {
    oldestShown.current = { index: firstIndex, key: oldestShown.current?.key ?? 0 };
  }

  useEffect(() => setNotice(null), [filter]);

  const toggleFold = (headSeq: number) => {
    const next = new Set(unfolded);
    if (next.has(headSeq)) next.delete(headSeq);
    else next.add(headSeq);
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
    const every = view.rows(store.logs, matches, new Set(matches.map((index) => store.logs.at(index)?.seq ?? Number.NaN)));
    const lines = every
      .map((index) => store.logs.at(index))
      .filter((entry) => entry !== undefined && !entry.gap)
      .map((entry) => formatLogLine(entry!));
    await navigator.clipboard.writeText(lines.join('\n'));
    setNotice(`Copied ${lines.length.toLocaleString()} lines.`);
  };

  const reveal = async () => {
    const result = await store.bridge.invoke('logs:reveal-folder', {});
    setNotice(result.opened ? `Opened ${result.path}` : `Logs are in ${result.path}`);
  };

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
          <input
            type="search"
            placeholder="Filter messages…"
            value={text}
            maxLength={LIMITS.logFilterText}
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </label>
        <button type="button" class={follow ? 'button button--primary' : 'button'} aria-pressed={follow} onClick={() => setFollow(!follow)}>
          {follow ? 'Following' : 'Paused'}
        </button>
        <button type="button" class={wrap ? 'button button--primary' : 'button'} aria-pressed={wrap} onClick={() => setWrap(!wrap)}>
          Wrap lines
        </button>
        <button type="button" class="button" onClick={() => void run(copy)} disabled={matches.length === 0}>
          Copy
        </button>
        <button type="button" class="button" onClick={() => void run(reveal)}>
          Reveal folder
        </button>
      </div>
      <div class="log-status" aria-live="polite">
        <span data-testid="log-count">
          {(matches.length - store.logs.markers).toLocaleString()} of {(store.logs.entries.length - store.logs.markers).toLocaleString()} lines in the window
        </span>
        {fileSearch.status !== 'idle' ? (
          <span data-testid="log-file-search">
            {fileSearchSummary(fileSearch)}
            {fileSearch.matches.length > 0 && matches.length > 0 ? (
              <>
                {' '}
                <button type="button" class="link-button" aria-expanded={showFileMatches} onClick={() => setShowFileMatches(!showFileMatches)}>
                  {showFileMatches ? 'Hide them' : 'Show them'}
                </button>
              </>
            ) : null}
          </span>
        ) : null}
        {store.logs.skippedByHost > 0 ? (
          <span class="log-status__skipped" data-testid="log-skipped">
            {store.logs.skippedByHost.toLocaleString()} lines skipped in transit (sampled to keep up); the files have every line.
            {store.logs.missing > 0 ? (
              <>
                {' '}
                {store.logs.missing.toLocaleString()} of them are not loaded here yet:{' '}
                <button type="button" class="link-button" onClick={() => void run(() => openNewestGap(store.logs, (index) => openGap(store, index)))}>
                  load the newest from the files
                </button>
              </>
            ) : null}
          </span>
        ) : null}
        {store.logs.dropped > 0 ? (
          <span class="muted" data-testid="log-dropped">
            {store.logs.dropped.toLocaleString()} older lines left the window (it keeps the newest {store.logs.capacity.toLocaleString()}).
          </span>
        ) : null}
        {store.logs.entries.length > 0 && store.logs.olderInFiles ? (
          <button type="button" class="link-button" onClick={() => void run(() => loadOlder(store))}>
            Load older lines from the files
          </button>
        ) : null}
        {!follow ? <span class="muted">Paused: new lines are kept but the view stays put.</span> : null}
        {notice ? <span class="muted">{notice}</span> : null}
      </div>
      <ActionError state={action} />
      {showFileMatches && fileSearch.matches.length > 0 && matches.length > 0 ? <FileMatches search={fileSearch} compact /> : null}
      <div class="log-view">
        <div ref={probeRef} class="log-row log-row--probe" aria-hidden="true">
          <span class="log-row__time">00:00:00.000</span>
          <span class="log-row__source">runner</span>
          <span class="log-row__level">error</span>
          <span class="log-row__msg">
            <span class="log-row__sample">xxxxxxxxxx</span>
          </span>
        </div>
        {matches.length === 0 && fileSearch.matches.length > 0 ? (
          <FileMatches search={fileSearch} />
        ) : matches.length === 0 ? (
          <div class="log-empty">
            {store.logs.entries.length === 0 ? (
              <p class="muted">No log lines yet. Lines from the runner, Ollama and the app appear here as they are written.</p>
            ) : (
              <Problem
                tone="info"
                message={
                  fileSearch.status === 'searching'
                    ? 'No line in the window matches the filter; searching the files…'
                    : 'No lines match the filter, in the window or in the files.'
                }
                fix="Clear the text, lower the level or enable more sources."
              />
            )}
            <p class="muted">Log files are kept in {state.logsDir}.</p>
          </div>
        ) : (
          <VirtualList
            label="Log lines"
            count={rows.length}
            rowHeight={metrics.height}
            offsets={offsets}
            follow={follow}
            onScrolled={(atBottom) => setFollow(atBottom)}
            onReachTop={() => void loadOlder(store)}
            insertedAbove={insertedAbove}
            renderRow={(position, height) => {
              const index = rows[position] ?? -1;
              const entry = store.logs.at(index);
              // Stripes follow the line's position, not the DOM order, so they do not flicker while scrolling.
              const stripe = `${position % 2 === 1 ? ' log-row--odd' : ''}${wrap ? ' log-row--wrapped' : ''}`;
              const style = wrap ? { height: `${height}px` } : undefined;
              if (!entry) return <div key={position} class={`log-row${stripe}`} />;
              if (entry.gap) {
                const gap = entry.gap;
                return (
                  <div key={entry.seq} class={`log-row log-row--gap${stripe}`}>
                    <button type="button" class="log-row__gap" disabled={gap.loading} onClick={() => void run(() => openGap(store, index))}>
                      {gap.loading ? 'Loading lines from the files…' : `${entry.msg}: show them`}
                    </button>
                    {gap.error ? <span class="log-row__gap-error">Could not read the log files: {gap.error}</span> : null}
                  </div>
                );
              }
              const grouped = view.lineAt(index);
              if (grouped.kind === 'head') {
                const summary = groupSummary(store.logs, grouped.group) ?? entry;
                const open = unfolded.has(entry.seq);
                const count = grouped.group.members.length + 1;
                return (
                  <div key={entry.seq} class={`log-row log-row--error log-row--group${stripe}`} style={style} title={summary.msg}>
                    <span class="log-row__time">{formatClock(entry.ts)}</span>
                    <span class={`log-row__source log-row__source--${entry.source}`}>{entry.source}</span>
                    <span class="log-row__level">error</span>
                    <span class="log-row__msg">
                      <button type="button" class="log-row__fold" aria-expanded={open} onClick={() => toggleFold(entry.seq)}>
                        {open ? '▾' : '▸'} Traceback, {count} lines
                      </button>{' '}
                      {summary.msg}
                    </span>
                  </div>
                );
              }
              if (grouped.kind === 'member') {
                return (
                  <div key={entry.seq} class={`log-row log-row--member${stripe}`} style={style} title={entry.msg}>
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
                <div key={entry.seq} class={`log-row log-row--${entry.level}${stripe}`} style={style} title={fields ? `${entry.msg} ${fields}` : entry.msg}>
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

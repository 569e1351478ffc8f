import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { LOG_SOURCES } from '../src/shared/logs.ts';
import { fileLineTag } from '../src/main/logs/line-format.ts';
import { RotatingFile } from '../src/main/logs/rotating-file.ts';
import { searchLogs } from '../src/main/logs/search.ts';
import { FILE_SEARCH_PAGE } from '../src/renderer/log-search.ts';
import { rotatedFiles } from './lib/log-files.ts';
import { emptySection, type Section } from './lib/report.ts';
import { formatMb, formatMs, formatNumber, formatRatio, median, repeat } from './lib/stats.ts';

const run = promisify(execFile);

/** The app's rotation size (pipeline.ts); more generations are kept than the app does, to reach the size asked for. */
const FILE_MAX_BYTES = 20 * 1024 * 1024;
/** One line in this many holds the rare text the search looks for. */
const RARE_EVERY = 20_000;
const RARE_TEXT = 'Checkout-Timeout';
const QUERIES = [
  { label: 'rare text, any case', query: 'checkout-timeout' },
  { label: 'text in no line', query: 'no line holds this text' },
] as const;

/** A few shapes of line a runner and Ollama write: plain, logfmt, JSON. */
function body(index: number): string {
  if (index % RARE_EVERY === 0) return `${RARE_TEXT} order=${index} after 30000 ms`;
  switch (index % 4) {
    case 0:
      return `{"level":30,"time":${1_760_000_000_000 + index},"msg":"request handled","route":"/v1/chat","ms":${index % 997},"id":"req-${index}"}`;
    case 1:
      return `time=2026-01-19T07:00:00Z level=INFO source=server.go:${index % 900} msg="llama runner started" model=llama3.2 ctx=${index % 8192}`;
    case 2:
      return `[GIN] 2026/01/19 - 07:00:00 | 200 | ${index % 999}.1µs | 127.0.0.1 | GET "/api/tags"`;
    default:
      return `worker ${index % 16} streamed ${index % 4096} tokens for task-${index} in ${index % 3000} ms`;
  }
}

/** About `bytes` of history, spread over the sources, written by RotatingFile as the app writes it. */
async function writeHistory(dir: string, bytes: number): Promise<{ lines: number; rare: number }> {
  const perSource = bytes / LOG_SOURCES.length;
  let lines = 0;
  let rare = 0;
  const start = Date.UTC(2026, 0, 19, 7, 0, 0);
  for (const source of LOG_SOURCES) {
    const file = new RotatingFile({ dir, name: source, maxBytes: FILE_MAX_BYTES, count: Math.ceil(perSource / FILE_MAX_BYTES) + 2 });
    let written = 0;
    for (let index = 0; written < perSource;) {
      let batch = '';
      for (let line = 0; line < 2_000; line++, index++) {
        const ts = new Date(start + index).toISOString();
        if (index % RARE_EVERY === 0) rare++;
        batch += `${ts}${fileLineTag('info', 'stdout')}${body(index)}\n`;
      }
      written += Buffer.byteLength(batch);
      lines += 2_000;
      file.appendLines(batch);
      if (file.needsDrain) await new Promise<void>((resolve) => file.whenDrained(resolve));
    }
    await file.close();
  }
  return { lines, rare };
}

interface SearchRun {
  /** The first page answered: what the window shows first (matches so far, bytes searched). */
  firstMs: number;
  /** The first page holding a match. */
  firstMatchMs: number;
  completeMs: number;
  matches: number;
  pages: number;
  /** The event loop's longest stall while searching: what a `state:get` would wait for at worst. */
  maxStallMs: number;
  /** CPU time of this process for the whole search: what the search costs, whatever the load. */
  cpuMs: number;
}

/** Pages through the whole history as the window does (without its cap on matches kept). */
async function searchAll(dir: string, query: string): Promise<SearchRun> {
  const stalls = monitorEventLoopDelay({ resolution: 5 });
  stalls.enable();
  const started = performance.now();
  const cpu = process.cpuUsage();
  let firstMs = Number.NaN;
  let firstMatchMs = Number.NaN;
  let matches = 0;
  let pages = 0;
  let cursor: string | undefined;
  do {
    const page = await searchLogs(dir, { query, sources: LOG_SOURCES, limit: FILE_SEARCH_PAGE, cursor });
    pages++;
    matches += page.matches.length;
    if (Number.isNaN(firstMs)) firstMs = performance.now() - started;
    if (Number.isNaN(firstMatchMs) && page.matches.length > 0) firstMatchMs = performance.now() - started;
    cursor = page.cursor ?? undefined;
  } while (cursor);
  const completeMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  stalls.disable();
  return { firstMs, firstMatchMs, completeMs, matches, pages, maxStallMs: stalls.max / 1e6, cpuMs: (used.user + used.system) / 1000 };
}

/** `grep -c -i` over the same files: the baseline a user would reach for. */
async function grepBaseline(files: readonly string[], query: string): Promise<{ ms: number; matches: number }> {
  const started = performance.now();
  const { stdout } = await run('grep', ['-c', '-i', '-F', '-h', '--', query, ...files], { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 20 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const matches = stdout
    .split('\n')
    .filter(Boolean)
    .reduce((sum, count) => sum + Number(count), 0);
  return { ms: performance.now() - started, matches };
}

/** `log search`: 1 GB of rotated history searched newest first, page by page, against grep on the same files. */
export async function logSearch({ bytes, runs }: { bytes: number; runs: number }): Promise<Section> {
  const section = emptySection();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-search-'));
  try {
    const generated = performance.now();
    const { lines, rare } = await writeHistory(dir, bytes);
    const writeMs = performance.now() - generated;
    const files = LOG_SOURCES.flatMap((source) => rotatedFiles(dir, source));
    const total = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
    const load = os.loadavg()[0]!;
    for (const { label, query } of QUERIES) {
      const searches = await repeat(runs, () => searchAll(dir, query));
      const greps = await repeat(runs, () => grepBaseline(files, query));
      const expected = query === 'checkout-timeout' ? rare : 0;
      // With matches, the first result is the first page holding one; without, the first page (progress, none so far).
      const first = median(searches.map((search) => (expected > 0 ? search.firstMatchMs : search.firstMs)));
      const complete = median(searches.map((search) => search.completeMs));
      const grep = median(greps.map((result) => result.ms));
      const found = searches[0]!.matches;
      section.rows.push({
        benchmark: 'log search',
        subject: `${label} in ${formatMb(total)} (${files.length} files)`,
        median: `${formatMs(first)} first, ${formatMs(complete)} all`,
        detail: `runs (first page/first match/all) ${searches.map((search) => `${formatMs(search.firstMs)}/${formatMs(search.firstMatchMs)}/${formatMs(search.completeMs)}`).join(', ')}; ${formatNumber(found)} matches (expected ${formatNumber(expected)}) in ${searches[0]!.pages} pages; CPU ${formatMs(median(searches.map((search) => search.cpuMs)))}; grep -ci ${formatMs(grep)} (${formatNumber(greps[0]!.matches)} lines), ${formatRatio(complete / grep)} its time; longest event-loop stall ${formatMs(Math.max(...searches.map((search) => search.maxStallMs)))}`,
      });
      section.goals.push(
        { goal: `log search, ${label}: first results < 500 ms`, met: first < 500, observed: formatMs(first) },
        {
          goal: `log search, ${label}: complete < 2 s, every match found`,
          met: complete < 2000 && found === expected,
          observed: `${formatMs(complete)}, ${formatNumber(found)}/${formatNumber(expected)}`,
        },
      );
    }
    section.notes.push(
      `log search: ${formatMb(total)} of history (${formatNumber(lines)} lines, ${LOG_SOURCES.length} sources rotated at 20 MiB by RotatingFile) generated in ${formatNumber(writeMs / 1000, 1)} s and deleted after; files in the page cache (just written); 1-minute load average ${formatNumber(load, 1)} on ${os.cpus().length} cores when the searches began. "first" is the first page holding a match (for the text in no line: the first page, which shows the bytes searched and none found so far); "all" pages to the oldest line, ${FILE_SEARCH_PAGE} matches or 64 MB per page (8 MB for the first), as the window asks.`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return section;
}

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FLOOD_DONE, floodOutput } from './lib/flood.ts';
import { compareAppLog, compareRawLog, compareText, rotatedFiles, type Comparison } from './lib/log-files.ts';
import type { Pm2 } from './lib/pm2.ts';
import { emptySection, waitUntil, type Section } from './lib/report.ts';
import { epochMs, formatNumber, formatRatio, median } from './lib/stats.ts';

const execFileAsync = promisify(execFile);
const SUBJECT = path.join(import.meta.dirname, 'subjects/flood-subject.ts');
const FLOOD_RUNNER = path.join(import.meta.dirname, 'fixtures/flood-runner.ts');

export interface ThroughputOptions {
  lines: number;
  runs: number;
  /** Absent when PM2 cannot run here; `pm2Reason` says why. */
  pm2: Pm2 | undefined;
  pm2Reason?: string;
}

interface Measurement {
  ms: number;
  check: Comparison;
}

type Subject = 'baseline' | 'app' | 'pm2' | 'pm2Time';

async function inSubjectProcess(mode: 'baseline' | 'ours', lines: number, expected: Buffer): Promise<Measurement> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stigmer-bench-${mode}-`));
  const logsDir = path.join(dir, 'logs');
  fs.mkdirSync(logsDir);
  try {
    const { stdout } = await execFileAsync(process.execPath, [SUBJECT, mode, String(lines), logsDir], { maxBuffer: 1024 * 1024, timeout: 300_000 });
    const { startedAt, endedAt } = JSON.parse(stdout) as { startedAt: number; endedAt: number };
    const check =
      mode === 'baseline' ? compareRawLog([path.join(logsDir, 'baseline.log')], expected) : compareAppLog(rotatedFiles(logsDir, 'runner'), 'stdout', expected);
    return { ms: endedAt - startedAt, check };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** PM2's `--time` prefix, `YYYY-MM-DDTHH:mm:ss: `, on every line it writes. */
const PM2_TIME_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: /gm;

async function underPm2(pm2: Pm2, lines: number, expected: Buffer, run: number, timestamps: boolean): Promise<Measurement> {
  const name = `flood-${timestamps ? 'time' : 'raw'}-${run}`;
  const outLog = pm2.outLog(name);
  const errLog = path.join(pm2.home, `${name}-err.log`);
  await pm2.start(name, { argv: [process.execPath, FLOOD_RUNNER, String(lines), '--exit'], autorestart: false, timestamps });
  const tail = Buffer.from(`${FLOOD_DONE}\n`);
  // The last byte is on disk when the log ends with the flood's last line; polled every 2 ms.
  await waitUntil(
    'PM2 to write the whole flood',
    () => {
      if (!fs.existsSync(outLog)) return false;
      const size = fs.statSync(outLog).size;
      if (size < expected.length) return false;
      const end = Buffer.alloc(tail.length);
      const handle = fs.openSync(outLog, 'r');
      fs.readSync(handle, end, 0, end.length, size - end.length);
      fs.closeSync(handle);
      return end.equals(tail);
    },
    300_000,
    2,
  );
  const endedAt = epochMs();
  const startedAt = await waitUntil('the runner start time in PM2 error log', () => {
    const match = fs.existsSync(errLog) ? /"floodStartedAt":([\d.]+)/.exec(fs.readFileSync(errLog, 'utf8')) : null;
    return match ? Number(match[1]) : undefined;
  });
  const check = timestamps ? compareText(fs.readFileSync(outLog, 'utf8').replace(PM2_TIME_PREFIX, ''), expected) : compareRawLog([outLog], expected);
  await pm2.delete(name);
  fs.rmSync(outLog, { force: true });
  fs.rmSync(errLog, { force: true });
  return { ms: endedAt - startedAt, check };
}

/**
 * Log throughput: a runner writes `lines` lines as fast as its stdout accepts them; measured
 * from its first write to the last byte on disk, for the app's supervisor and log pipeline, a
 * baseline that only copies the pipe to a file, and PM2. The three run in turn in every round.
 */
export async function logThroughput(options: ThroughputOptions): Promise<Section> {
  const section = emptySection();
  const expected = floodOutput(options.lines);
  const results: Record<Subject, Measurement[]> = { baseline: [], app: [], pm2: [], pm2Time: [] };
  for (let run = 0; run < options.runs; run++) {
    results.baseline.push(await inSubjectProcess('baseline', options.lines, expected));
    results.app.push(await inSubjectProcess('ours', options.lines, expected));
    if (options.pm2) {
      results.pm2.push(await underPm2(options.pm2, options.lines, expected, run, false));
      results.pm2Time.push(await underPm2(options.pm2, options.lines, expected, run, true));
    }
  }
  const seconds = (subject: Subject) => median(results[subject].map((each) => each.ms)) / 1000;
  const base = seconds('baseline');
  const names: Record<Subject, string> = {
    baseline: 'baseline: pipe → file',
    app: 'app: supervisor → log pipeline → rotating file',
    pm2: 'PM2 (fork mode, its log file)',
    pm2Time: 'PM2 --time (a timestamp on each line, as the app writes)',
  };
  for (const subject of ['baseline', 'app', 'pm2', 'pm2Time'] as const) {
    const measured = results[subject];
    if (measured.length === 0) continue;
    const time = seconds(subject);
    const lost = Math.max(...measured.map((each) => each.check.expectedLines - each.check.matchedLines));
    const exact = measured.every((each) => each.check.exact);
    section.rows.push({
      benchmark: `log throughput (${formatNumber(options.lines)} lines)`,
      subject: names[subject],
      median: `${formatNumber(options.lines / time)} lines/s`,
      detail: `${formatNumber(expected.length / 1024 / 1024 / time, 1)} MiB/s; runs ${measured.map((each) => formatNumber(each.ms)).join(', ')} ms; ${formatRatio(base / time)} baseline; lines lost ${lost}; bytes on disk ${exact ? 'exact' : 'DIFFERENT'}`,
    });
  }
  const app = seconds('app');
  const appLost = results.app.some((each) => !each.check.exact);
  section.goals.push({
    goal: 'log throughput ≥ 0.8× the pipe-to-file baseline',
    met: base / app >= 0.8,
    observed: `${formatRatio(base / app)} (medians of ${options.runs} runs)`,
  });
  if (options.pm2) {
    const pm2 = seconds('pm2');
    const pm2Time = seconds('pm2Time');
    section.goals.push({
      goal: 'log throughput faster than PM2',
      met: app < pm2,
      observed: `${formatRatio(pm2 / app)} PM2's rate (${formatRatio(pm2Time / app)} the rate of PM2 --time)`,
    });
  } else {
    section.notes.push(`PM2 was not measured: ${options.pm2Reason ?? 'unavailable'}.`);
  }
  section.goals.push({
    goal: 'flood: zero lines lost, exact bytes on disk',
    met: !appLost,
    observed: appLost ? 'lines missing or changed' : 'every run exact',
  });
  return section;
}

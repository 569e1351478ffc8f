/**
 * `npm run bench`: every benchmark of issue 6, one after the other, printed as one table with
 * the goals and notes below it. `--only NAME,…` runs some (throughput, memory, busy, restart,
 * switch, coldstart, runner, idle, detection, search, renderer, desktop); `--quick` shortens them for a smoke test (its figures are not
 * for publishing); `--markdown FILE` also writes the report as Markdown.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { coldStartBench } from './cold-start.ts';
import { desktopStart } from './desktop.ts';
import { ollamaDetection } from './detection.ts';
import { idleCost } from './idle.ts';
import { logSearch } from './log-search.ts';
import { Pm2 } from './lib/pm2.ts';
import { machineInfo } from './lib/proc.ts';
import { markdownTable, type Section } from './lib/report.ts';
import { formatNumber } from './lib/stats.ts';
import { busyMachine, memoryUnderFlood } from './memory.ts';
import { providerSwitch } from './provider-switch.ts';
import { rendererBench } from './renderer.ts';
import { restartLatency } from './restart.ts';
import { runnerLifecycle } from './runner-lifecycle.ts';
import { logThroughput } from './throughput.ts';

const { values } = parseArgs({
  options: { only: { type: 'string' }, quick: { type: 'boolean' }, markdown: { type: 'string' } },
  strict: true,
});
const quick = values.quick === true;
const selected = new Set(
  (values.only ?? 'throughput,memory,busy,restart,switch,coldstart,runner,idle,detection,search,renderer,desktop').split(',').map((name) => name.trim()),
);

const opened = selected.has('throughput') || selected.has('restart') ? await Pm2.open() : { reason: 'not needed' };
const pm2 = 'pm2' in opened ? opened.pm2 : undefined;
const pm2Reason = 'reason' in opened ? opened.reason : undefined;

const benchmarks: [string, () => Promise<Section>][] = [
  ['throughput', () => logThroughput({ lines: 500_000, runs: quick ? 1 : 3, pm2, ...(pm2Reason ? { pm2Reason } : {}) })],
  ['memory', () => memoryUnderFlood({ lines: quick ? 200_000 : 2_000_000 })],
  ['busy', () => busyMachine({ lines: quick ? 200_000 : 2_000_000 })],
  ['restart', () => restartLatency({ kills: quick ? 2 : 5, pm2 })],
  ['switch', () => providerSwitch({ switches: quick ? 2 : 5 })],
  ['coldstart', () => coldStartBench({ runs: quick ? 1 : 5 })],
  ['runner', () => runnerLifecycle({ runs: quick ? 2 : 7 })],
  ['idle', () => idleCost({ seconds: quick ? 5 : 60, warmupSeconds: quick ? 1 : 5 })],
  ['detection', () => ollamaDetection({ runs: quick ? 3 : 5 })],
  ['search', () => logSearch({ bytes: quick ? 128 * 1024 * 1024 : 1024 * 1024 * 1024, runs: quick ? 1 : 3 })],
  ['renderer', () => rendererBench({ runs: quick ? 1 : 3, lines: quick ? 10_000 : 100_000, linesPerSecond: 5_000, streamSeconds: quick ? 3 : 10 })],
  ['desktop', () => desktopStart({ runs: quick ? 1 : 5, settleSeconds: quick ? 2 : 5 })],
];

const sections: Section[] = [];
const startedAt = Date.now();
try {
  for (const [name, run] of benchmarks) {
    if (!selected.has(name)) continue;
    process.stderr.write(`bench: ${name}…\n`);
    sections.push(await run());
  }
} finally {
  await pm2?.close();
}

const machine = machineInfo();
const pm2Version = pm2 ? await Pm2.version() : undefined;
const report = [
  `Machine: ${machine.cores} × ${machine.cpuModel}, ${formatNumber(machine.memoryGiB, 1)} GiB RAM, Linux ${machine.kernel}, Node ${machine.node}${pm2Version ? `, PM2 ${pm2Version}` : ''}`,
  `Command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''} (took ${formatNumber((Date.now() - startedAt) / 1000)} s)`,
  '',
  markdownTable(
    ['Benchmark', 'Subject', 'Median', 'Detail'],
    sections.flatMap((section) => section.rows.map((row) => [row.benchmark, row.subject, row.median, row.detail])),
  ),
  '',
  markdownTable(
    ['Goal', 'Met', 'Observed'],
    sections.flatMap((section) => section.goals.map((goal) => [goal.goal, goal.met ? 'yes' : 'NO', goal.observed])),
  ),
  '',
  ...sections.flatMap((section) => section.notes.map((note) => `- ${note}`)),
].join('\n');
process.stdout.write(`${report}\n`);
if (values.markdown) fs.writeFileSync(values.markdown, `${report}\n`);

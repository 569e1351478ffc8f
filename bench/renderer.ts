import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CHROMIUM, isChromiumInstalled } from '../test/support/chromium-binary.ts';
import { launchChromium } from '../test/support/chromium.ts';
import { buildRenderer } from '../src/main/headless/renderer-build.ts';
import { startUiServer } from '../src/main/headless/ui-server.ts';
import { FakeCore } from '../test/ui/fake-core.ts';
import { emptySection, type Section } from './lib/report.ts';
import { formatMs, formatNumber, median, repeat } from './lib/stats.ts';

/** The flags the renderer tests use. */
const SOURCES = ['runner', 'ollama', 'app'] as const;

const line = (index: number) => ({
  source: SOURCES[index % 3]!,
  level: index % 50 === 0 ? ('warn' as const) : ('info' as const),
  msg: `request ${index} handled by worker ${index % 8} in ${index % 997} ms ${'payload '.repeat(index % 5)}`,
});

/** The little of the DOM the page functions below use, typed here since Node has no DOM types. */
type PageGlobals = { document: { querySelector(selector: string): { textContent: string | null } | null }; __longTasks: number[]; __gaps: number[] };

/** Runs in the page (serialized, so it refers to nothing outside itself): whether the log count reads `N of N lines`. */
const showsLines = (total: number) =>
  (globalThis as unknown as PageGlobals).document
    .querySelector('[data-testid="log-count"]')
    ?.textContent?.replaceAll(',', '')
    .includes(`${total} of ${total} lines`) ?? false;

/**
 * Runs in the page: records every long task (over 50 ms) of the main thread from now on, both
 * as the Long Tasks API reports them and as gaps in a 10 ms timer, which a busy main thread
 * delays (headless Chromium does not always deliver 'longtask' entries).
 */
const OBSERVE_LONG_TASKS = `(() => {
  window.__longTasks = [];
  window.__gaps = [];
  try {
    new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__longTasks.push(entry.duration); }).observe({ type: 'longtask' });
  } catch {}
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 60) window.__gaps.push(now - last - 10);
    last = now;
  }, 10);
})()`;

const BLOCK_MAIN_THREAD_80_MS = '(() => { const end = performance.now() + 80; while (performance.now() < end); })()';

/**
 * The renderer in Chromium, served by the real UI server with the contract-following core
 * double: the time to show 100k log lines, and the main thread's long tasks while lines stream
 * in at `linesPerSecond`, in batches every 100 ms as the log pipeline sends them.
 */
export async function rendererBench(options: { runs: number; lines: number; linesPerSecond: number; streamSeconds: number }): Promise<Section> {
  const section = emptySection();
  if (!isChromiumInstalled()) {
    section.notes.push(`The renderer was not measured: Chromium is not installed at ${CHROMIUM}.`);
    return section;
  }
  const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-renderer-'));
  await buildRenderer(rendererDir);
  const browser = await launchChromium();
  try {
    const renderTimes = await repeat(options.runs, async () => {
      const core = new FakeCore();
      const server = await startUiServer({ rendererDir, handleCommand: core.handleCommand, subscribe: core.subscribe });
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      try {
        await page.goto(`${server.url}#/logs`);
        await page.getByText('No log lines yet').waitFor({ timeout: 30_000 });
        const started = performance.now();
        // Each batch once the page shows the previous one, so the bridge never has to sample.
        for (let sent = 0; sent < options.lines; sent += 1000) {
          core.pushLogs(1000, (index) => line(sent + index));
          await page.waitForFunction(showsLines, sent + 1000, { timeout: 60_000, polling: 'raf' });
        }
        return performance.now() - started;
      } finally {
        await page.close();
        await server.close();
      }
    });
    section.rows.push({
      benchmark: `renderer: ${formatNumber(options.lines)} log lines`,
      subject: 'Chromium, logs screen',
      median: formatMs(median(renderTimes)),
      detail: `batches of 1,000, each sent once the page shows the last; runs ${renderTimes.map((each) => formatNumber(each)).join(', ')} ms`,
    });

    const core = new FakeCore();
    const server = await startUiServer({ rendererDir, handleCommand: core.handleCommand, subscribe: core.subscribe });
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    try {
      await page.goto(`${server.url}#/logs`);
      await page.getByText('No log lines yet').waitFor({ timeout: 30_000 });
      await page.evaluate(OBSERVE_LONG_TASKS);
      const perBatch = options.linesPerSecond / 10;
      let sent = 0;
      const deadline = performance.now() + options.streamSeconds * 1000;
      for (let tick = performance.now(); tick < deadline; tick += 100) {
        core.pushLogs(perBatch, (index) => line(sent + index));
        sent += perBatch;
        await delay(Math.max(0, tick + 100 - performance.now()));
      }
      await page
        .getByTestId('log-count')
        .filter({ hasText: `of ${formatNumber(sent)} lines` })
        .waitFor({ timeout: 60_000 });
      const read = async () => ({
        longTasks: await page.evaluate<number[]>('window.__longTasks'),
        gaps: await page.evaluate<number[]>('window.__gaps'),
      });
      const seen = await read();
      // Each measure must see a long task when there is one, or "none" would prove nothing.
      await page.evaluate(BLOCK_MAIN_THREAD_80_MS);
      const proof = await page
        .waitForFunction(
          ([tasks, gaps]) => (globalThis as unknown as PageGlobals).__gaps.length > gaps || (globalThis as unknown as PageGlobals).__longTasks.length > tasks,
          [seen.longTasks.length, seen.gaps.length] as const,
          { timeout: 10_000 },
        )
        .then(read, () => undefined);
      const apiWorks = proof !== undefined && proof.longTasks.length > seen.longTasks.length;
      const gapsWork = proof !== undefined && proof.gaps.length > seen.gaps.length;
      const blocked = apiWorks ? seen.longTasks : seen.gaps;
      const longest = Math.max(0, ...blocked);
      section.rows.push({
        benchmark: `renderer: ${formatNumber(options.linesPerSecond)} lines/s for ${options.streamSeconds} s`,
        subject: 'Chromium, logs screen following',
        median: `${blocked.length} long tasks`,
        detail: `longest ${formatMs(longest)}; ${formatNumber(sent)} lines received; measured by ${apiWorks ? 'the Long Tasks API' : 'gaps in a 10 ms timer'} (checked with a deliberate 80 ms task)`,
      });
      if (!apiWorks && !gapsWork)
        section.notes.push('Neither long-task measure saw a deliberate 80 ms task, so the long-task figure is not trustworthy in this Chromium.');
      section.goals.push({
        goal: 'no long task over 50 ms while 5k lines/s stream in',
        met: (apiWorks || gapsWork) && blocked.length === 0,
        observed: blocked.length === 0 ? 'none' : `${blocked.length}, longest ${formatMs(longest)}`,
      });
    } finally {
      await page.close();
      await server.close();
    }
    return section;
  } finally {
    await browser.close();
    fs.rmSync(rendererDir, { recursive: true, force: true });
  }
}

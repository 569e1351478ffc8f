import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../test/faults/support.ts';
import type { LogEntry } from '../src/shared/logs.ts';
import { emptySection, waitUntil, type Section } from './lib/report.ts';
import { formatMs, formatNumber, median } from './lib/stats.ts';

const KEYS = { ANTHROPIC_API_KEY: 'sk-ant-api03-bench-provider-switch-0000000000', OPENAI_API_KEY: 'sk-proj-bench-provider-switch-000000000000' };

/** `switches` provider changes on one app core, alternating OpenAI and Anthropic, each until the new runner reports ready. */
async function measure(switches: number, configDebounceMs: number | undefined): Promise<number[]> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bench-switch-'));
  const readyAt = new Map<string, number>();
  const app = createApp({
    userDataDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: userDataDir, ...KEYS },
    ...(configDebounceMs !== undefined ? { runnerOptions: { configDebounceMs } } : {}),
    onEntry: (entry: LogEntry) => {
      const ready = /^Runner ready: (\w+) /.exec(entry.msg);
      if (ready) readyAt.set(`${ready[1]}#${readyAt.size}`, performance.now());
    },
  });
  try {
    await app.core.start();
    await waitUntil('the first runner to be ready', () => readyAt.size >= 1, 30_000, 2);
    const latencies: number[] = [];
    for (let index = 0; index < switches; index++) {
      const provider = index % 2 === 0 ? 'openai' : 'anthropic';
      const expected = `${provider}#${readyAt.size}`;
      const started = performance.now();
      await app.core.execute('config:set-provider', { provider });
      latencies.push((await waitUntil(`the ${provider} runner to be ready`, () => readyAt.get(expected), 30_000, 2)) - started);
    }
    return latencies;
  } finally {
    await app.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

/**
 * Provider switch: from `config:set-provider` to the built-in runner restarted with the new
 * provider and reporting ready, through the app core as both hosts drive it.
 */
export async function providerSwitch(options: { switches: number }): Promise<Section> {
  const section = emptySection();
  const asShipped = await measure(options.switches, undefined);
  const noDebounce = await measure(options.switches, 0);
  section.rows.push(
    {
      benchmark: 'provider switch → new runner ready',
      subject: 'app core, as shipped (500 ms debounce)',
      median: formatMs(median(asShipped)),
      detail: `runs ${asShipped.map((each) => formatNumber(each)).join(', ')} ms`,
    },
    {
      benchmark: 'provider switch → new runner ready',
      subject: 'app core, debounce 0 (the restart alone)',
      median: formatMs(median(noDebounce)),
      detail: `runs ${noDebounce.map((each) => formatNumber(each)).join(', ')} ms`,
    },
  );
  section.notes.push(
    'A provider switch waits 500 ms on purpose, so that a burst of changes (provider, model, key) restarts the runner once; the rest is stopping the old runner (SIGTERM) and starting Node with the built-in runner.',
  );
  return section;
}

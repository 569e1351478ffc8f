import net from 'node:net';
import { DEFAULT_PROBE_TIMEOUT_MS, probeOllama } from '../src/main/ollama/detect.ts';
import { startFakeOllama } from '../test/doubles/ollama/server.ts';
import { startBlackhole } from './lib/blackhole.ts';
import { emptySection, type Section } from './lib/report.ts';
import { formatMs, formatNumber, median, repeat } from './lib/stats.ts';

/** A loopback port nothing listens on: it is bound, read, and released. */
async function refusedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Ollama detection: the time `probeOllama` takes to reach a verdict for a running server (the
 * double), a refused port, and a blackholed one (accepts the connection, never answers).
 */
export async function ollamaDetection(options: { runs: number }): Promise<Section> {
  const section = emptySection();
  const running = await startFakeOllama();
  const blackhole = await startBlackhole();
  const targets: [string, string][] = [
    ['running Ollama (double)', running.url],
    ['refused port', `http://127.0.0.1:${await refusedPort()}`],
    ['blackholed port (accepts, never answers)', `http://127.0.0.1:${blackhole.port}`],
  ];
  try {
    for (const [subject, url] of targets) {
      const verdicts = new Set<string>();
      const times = await repeat(options.runs, async () => {
        const started = performance.now();
        verdicts.add((await probeOllama(url)).kind);
        return performance.now() - started;
      });
      section.rows.push({
        benchmark: 'Ollama detection → verdict',
        subject,
        median: formatMs(median(times)),
        detail: `verdict ${[...verdicts].join(', ')}; runs ${times.map((each) => formatNumber(each, 1)).join(', ')} ms`,
      });
    }
    const blackholed = targets[2]![1];
    const shown: number[] = [];
    const verdicts = await repeat(options.runs, async () => {
      const started = performance.now();
      const result = await probeOllama(blackholed, { onSlow: () => shown.push(performance.now() - started) });
      return performance.now() - started + (result.kind === 'timeout' ? 0 : Number.NaN);
    });
    section.rows.push({
      benchmark: 'Ollama detection → first state shown',
      subject: 'blackholed port: "not answering yet" (the waiting phase)',
      median: formatMs(median(shown)),
      detail: `then the verdict (timeout) at ${formatMs(median(verdicts))}; runs ${shown.map((each) => formatNumber(each, 1)).join(', ')} ms`,
    });
    section.goals.push({
      goal: 'blackholed Ollama: "not answering yet" shown < 500 ms, the verdict at the timeout',
      met: shown.length === options.runs && median(shown) < 500 && median(verdicts) >= DEFAULT_PROBE_TIMEOUT_MS,
      observed: `${formatMs(median(shown))}, verdict at ${formatMs(median(verdicts))}`,
    });
    section.notes.push(
      'A blackholed port is bounded by the probe timeout (2 s by default); a refused port answers at once. While a detection has no answer, the Ollama state is `waiting` ("Not answering yet" in the window, an "Ollama waiting: …" line in the headless output) from 300 ms on.',
    );
    return section;
  } finally {
    await blackhole.close();
    await running.close();
  }
}

/**
 * The headless host lives until it is told to stop (issue 10 §3), walked through the real host
 * without --ui: Ollama {external, launched by the app, absent, remote} × runner {healthy,
 * crash-loop, exits 78} × configuration {valid, invalid}. In every case the host stays up in the
 * state it reaches, says once what it waits for, exits 0 on SIGTERM, and leaves no process behind.
 *
 * Not the full cross product: with an invalid configuration the runner is never started, so the
 * runner dimension has one value there; a remote Ollama behaves as an external one for the runner,
 * so its crash-loop pair adds no code path. The cases run concurrently; the crash loops (15 s of
 * backoff each) start first.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { Scope, descendantsOf, hostEnv, isGone, readPidFile, startHost, waitFor } from '../support/e2e-host.ts';
import { runHeadlessCli } from '../support/headless.ts';

const TEST_DIR = path.resolve(import.meta.dirname, '..');
const fixture = (script: string, ...args: string[]) => [process.execPath, path.join(TEST_DIR, script), ...args].join(' ');

type OllamaMode = 'external' | 'launched' | 'absent' | 'remote';
type RunnerMode = 'healthy' | 'crash-loop' | 'exits-78';
type ConfigMode = 'valid' | 'olama' | 'openai-without-key';

const RUNNERS: Record<RunnerMode, string> = {
  healthy: fixture('runner/fixtures/sleeper.ts'),
  'crash-loop': fixture('e2e/fixtures/crashing-runner.ts'),
  'exits-78': fixture('runner/fixtures/exit-with.ts', '78'),
};

const CONFIGS: Record<ConfigMode, Record<string, string>> = {
  valid: {},
  olama: { LLM_PROVIDER: 'olama' },
  'openai-without-key': { LLM_PROVIDER: 'openai' },
};

/** Search path without the Ollama double: no `ollama` anywhere on it. */
const PATH_WITHOUT_OLLAMA = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);

const IDLE_NOTICE = 'Nothing is running:';
/** Each wait, on a busy 2-core machine with other test files running beside 6 hosts at once. */
const WAIT_MS = 90_000;
const app = (pattern: RegExp) => (line: string) => line.includes(' [app] ') && pattern.test(line);
const pidsIn = (lines: readonly string[], pattern: RegExp) => lines.flatMap((line) => pattern.exec(line)?.[1] ?? []).map(Number);

interface Case {
  ollama: OllamaMode;
  runner: RunnerMode;
  config: ConfigMode;
}

const CASES: Case[] = [
  { ollama: 'external', runner: 'crash-loop', config: 'valid' },
  { ollama: 'launched', runner: 'crash-loop', config: 'valid' },
  { ollama: 'absent', runner: 'crash-loop', config: 'valid' },
  { ollama: 'external', runner: 'healthy', config: 'valid' },
  { ollama: 'external', runner: 'exits-78', config: 'valid' },
  { ollama: 'launched', runner: 'healthy', config: 'valid' },
  { ollama: 'launched', runner: 'exits-78', config: 'valid' },
  { ollama: 'absent', runner: 'healthy', config: 'valid' },
  { ollama: 'absent', runner: 'exits-78', config: 'valid' },
  { ollama: 'remote', runner: 'healthy', config: 'valid' },
  { ollama: 'remote', runner: 'exits-78', config: 'valid' },
  { ollama: 'external', runner: 'healthy', config: 'olama' },
  { ollama: 'launched', runner: 'healthy', config: 'olama' },
  { ollama: 'remote', runner: 'healthy', config: 'olama' },
  { ollama: 'absent', runner: 'healthy', config: 'openai-without-key' },
];

describe('the headless host without --ui stays up in every state until SIGTERM', { concurrency: 6 }, () => {
  for (const c of CASES) {
    test(`Ollama ${c.ollama}, runner ${c.runner}, configuration ${c.config}`, async (t) => {
      const scope = new Scope(t);
      const userDataDir = scope.tempDir();
      const args = ['--runner-command', RUNNERS[c.runner], '--user-data-dir', userDataDir];
      let probes = 0;
      let ollamaHost: string;
      if (c.ollama === 'external' || c.ollama === 'remote') {
        const server = await startFakeOllama({ models: ['llama3.2'], onRequest: () => (probes += 1) });
        scope.defer(() => server.close());
        // Remote: a host the app does not count as this machine, so it never launches Ollama for
        // it, yet whose traffic stays on loopback. `0x7f000001` is 127.0.0.1 written as one hex
        // number: host.ts checks names and dotted addresses only, while URL parsing (WHATWG, as
        // fetch does it) and inet_aton read it as 127.0.0.1, so no name lookup and no packet ever
        // leaves this machine. A real name (even one resolving to loopback) would ask DNS.
        ollamaHost = c.ollama === 'external' ? server.url : `http://0x7f000001:${server.port}`;
      } else {
        ollamaHost = `127.0.0.1:${await freePort()}`;
      }
      if (c.ollama === 'launched') args.push('--ollama-path', path.join(FAKE_OLLAMA_BIN_DIR, 'ollama'));
      const env = hostEnv(scope, { ollamaHost, fakeOllama: { models: ['llama3.2'] }, extra: CONFIGS[c.config] });
      if (c.ollama === 'absent') env.PATH = PATH_WITHOUT_OLLAMA;

      const host = startHost(scope, args, env);
      // Every process seen under the host, SIGKILLed at the end should the test fail half-way.
      const seen = new Set<number>();
      const remember = () => {
        for (const pid of descendantsOf(host.pid)) {
          if (seen.has(pid)) continue;
          seen.add(pid);
          scope.killAtEnd(pid);
        }
      };

      if (c.config !== 'valid') {
        await host.waitForLine(
          'the configuration error',
          app(c.config === 'olama' ? /ERROR .*LLM_PROVIDER="olama"/ : /ERROR .*OpenAI needs an API key/),
          WAIT_MS,
        );
      } else if (c.runner === 'healthy') {
        await host.waitForLine('the runner to be ready', (line) => / \[runner\] ready \d+$/.test(line), WAIT_MS);
      } else {
        await host.waitForLine(
          `the runner to stop in ${c.runner}`,
          app(c.runner === 'crash-loop' ? /Runner crash-loop:/ : /Runner failed: .*exit code 78/),
          WAIT_MS,
        );
      }
      if (c.ollama === 'launched') await host.waitForLine('the launched Ollama', app(/launched by this app \(pid \d+\)$/), WAIT_MS);
      remember();

      const idle = c.config !== 'valid' || c.runner !== 'healthy';
      if (idle) {
        const notice = await host.waitForLine('the idle notice', app(/WARN .*Nothing is running: /), WAIT_MS);
        assert.match(notice, /stop it \(Ctrl-C or SIGTERM\) and start it again/);
        if (c.config !== 'valid') assert.match(notice, c.config === 'olama' ? /LLM_PROVIDER="olama"/ : /OpenAI needs an API key/, 'it names what to fix');
        else assert.match(notice, c.runner === 'crash-loop' ? /exited 5 times/ : /EX_CONFIG/, 'it names what to fix');
      }
      if (idle && (c.ollama === 'external' || c.ollama === 'remote') && c.config !== 'openai-without-key') {
        // With nothing of its own running, the host still watches Ollama: it is alive, not merely not yet gone.
        const before = probes;
        await waitFor(
          'a health check after the notice',
          () => {
            if (!host.running) throw new Error(`the host exited while idle\n${host.stdout}\n${host.stderr}`);
            return probes > before;
          },
          WAIT_MS,
        );
      }
      if (c.ollama === 'launched' && c.runner === 'crash-loop') {
        // The launched Ollama dies while no runner runs: the host is left with no child at all, and restarts it.
        const first = readPidFile(userDataDir, 'ollama.pid')!;
        process.kill(first, 'SIGKILL');
        await host.waitForLine(
          'Ollama to be relaunched',
          (line) => app(/launched by this app \(pid (\d+)\)$/)(line) && !line.endsWith(`(pid ${first})`),
          WAIT_MS,
        );
        remember();
      }
      if (c.ollama === 'remote') assert.equal(readPidFile(userDataDir, 'ollama.pid'), undefined, 'a remote Ollama is never launched');
      if (c.ollama === 'remote' && c.config === 'valid') assert.ok(host.lines().some(app(/Ollama .* running at http:\/\/0x7f000001:\d+, on another machine$/)));
      if (c.config !== 'valid') assert.ok(!host.lines().some(app(/Starting the runner/)), 'no runner with an invalid configuration');
      assert.equal(host.lines().filter((line) => line.includes(IDLE_NOTICE)).length, idle ? 1 : 0, 'the notice is said once, and only when nothing runs');
      assert.ok(host.running, 'the host is still up');

      const exit = await host.stop('SIGTERM', WAIT_MS);
      assert.deepEqual(exit, { code: 0, signal: null }, host.stdout);
      assert.ok(host.lines().some(app(/SIGTERM received/)), 'it was up when the signal came');
      const started = [
        ...seen,
        ...pidsIn(host.lines(), /Runner running: started \(pid (\d+)\)/),
        ...pidsIn(host.lines(), /launched by this app \(pid (\d+)\)$/),
      ];
      for (const pid of started) assert.ok(isGone(pid), `process ${pid} (started by the host) is gone`);
      for (const name of ['runner.pid', 'ollama.pid', 'app.lock'])
        assert.equal(fs.existsSync(path.join(userDataDir, 'run', name)), false, `${name} is removed`);
    });
  }
});

test('exit codes: 2 for a usage error, 1 when the host cannot start', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const usage = await runHeadlessCli(['--no-such-flag', '--user-data-dir', userDataDir], { PATH: PATH_WITHOUT_OLLAMA, HOME: userDataDir }, WAIT_MS);
  assert.equal(usage.code, 2, usage.stderr);
  assert.match(usage.stderr, /no-such-flag/);

  // The window's port is taken: the host cannot start, says so, and exits instead of waiting.
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  scope.defer(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const port = (taken.address() as net.AddressInfo).port;
  const noUi = await runHeadlessCli(
    ['--ui', '--ui-port', String(port), '--user-data-dir', userDataDir],
    { PATH: PATH_WITHOUT_OLLAMA, HOME: userDataDir, LLM_PROVIDER: 'openai' },
    WAIT_MS,
  );
  assert.equal(noUi.code, 1, noUi.stdout + noUi.stderr);
  assert.match(noUi.stdout, /Cannot start: .*EADDRINUSE/);

  const held = startHost(scope, ['--user-data-dir', userDataDir], { PATH: PATH_WITHOUT_OLLAMA, HOME: userDataDir, LLM_PROVIDER: 'openai' });
  await held.waitForLine('the first host to wait', (line) => line.includes(IDLE_NOTICE), WAIT_MS);
  const second = await runHeadlessCli(['--user-data-dir', userDataDir], { PATH: PATH_WITHOUT_OLLAMA, HOME: userDataDir }, WAIT_MS);
  assert.equal(second.code, 1, second.stderr);
  assert.deepEqual(await held.stop('SIGTERM', WAIT_MS), { code: 0, signal: null });
});

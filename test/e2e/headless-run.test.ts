/**
 * The headless host end to end, as a user runs it: `node src/main/headless/cli.ts` as a real
 * child process, with the fake `ollama` executable first on PATH, and signals from outside.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { FAKE_OPENAI_KEY } from '../doubles/cloud/openai.ts';
import { FAKE_OLLAMA_BIN_DIR, startFakeOllama } from '../doubles/ollama/server.ts';
import { freePort } from '../ollama/support.ts';
import { HOST_WAIT_MS, Scope, commandLineOf, descendantsOf, filesUnder, hostEnv, isGone, readPidFile, startHost, waitFor } from '../support/e2e-host.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';
import { environOf } from '../support/proc.ts';

const STUBBORN_RUNNER = path.join(import.meta.dirname, 'fixtures', 'stubborn-env-runner.ts');
const CRASHING_RUNNER = path.join(import.meta.dirname, 'fixtures', 'crashing-runner.ts');
/** The runner gets 5 s after SIGTERM before its tree is SIGKILLed; the host must be gone soon after. */
const STUBBORN_STOP_MS = 15_000;

/** `--runner-command` for the careless fixture, recording what it got into `dumpFile`. */
const stubbornRunnerCommand = (dumpFile: string) => `${process.execPath} ${STUBBORN_RUNNER} ${dumpFile}`;

interface RunnerDump {
  pid: number;
  grandchild: number;
  env: Record<string, string>;
  argv: string[];
}

const readDump = (file: string): RunnerDump | undefined => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as RunnerDump) : undefined);

/**
 * The variables of the runner contract, and every other one a provider SDK or Ollama client reads.
 * STIGMER_LAUNCH_ID is checked for its form only: a fresh marker per launch (docs/RELIABILITY.md).
 */
const contractVariables = (env: Record<string, string>): Record<string, string> => {
  assert.match(env.STIGMER_LAUNCH_ID ?? '', /^[0-9a-f-]{36}$/, 'each launch carries its marker');
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'STIGMER_LAUNCH_ID' && /^(STIGMER_|LLM_|OLLAMA_|ANTHROPIC_|OPENAI_)/.test(name)));
};

/** A text-mode stdout line from one source, e.g. `… INFO  [app] Runner ready: …`. */
const fromSource = (source: 'app' | 'ollama' | 'runner', pattern: RegExp) => (line: string) =>
  line.includes(` [${source}] `) && pattern.test(line.slice(line.indexOf(` [${source}] `)));

const answers = async (url: string): Promise<boolean> => {
  try {
    return (await fetch(`${url}/api/version`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
};

test('with no cloud key the host launches Ollama and the built-in runner, and SIGTERM stops both and exits 0', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--user-data-dir', userDataDir], env);

  await host.waitForLine('the runner to report ready', fromSource('app', new RegExp(`Runner ready: ollama llama3\\.2\\S* at http://127\\.0\\.0\\.1:${port}$`)));
  // The runner may say it is ready before its pid file is written (the write is not awaited first).
  const [ollamaPid, runnerPid] = await waitFor<[number, number]>(
    'both pid files to be written',
    () => {
      const pids = [readPidFile(userDataDir, 'ollama.pid'), readPidFile(userDataDir, 'runner.pid')];
      return pids.every((pid) => pid !== undefined) && (pids as [number, number]);
    },
    HOST_WAIT_MS,
  );
  scope.killAtEnd(ollamaPid);
  scope.killAtEnd(runnerPid);
  assert.deepEqual(commandLineOf(ollamaPid).slice(-2), [path.join(FAKE_OLLAMA_BIN_DIR, 'ollama'), 'serve'], 'the ollama found on PATH was launched');
  assert.ok(
    commandLineOf(runnerPid).some((arg) => arg.endsWith(path.join('src', 'builtin-runner', 'index.ts'))),
    'the built-in runner runs',
  );
  assert.ok(await answers(`http://127.0.0.1:${port}`), 'the launched Ollama answers at OLLAMA_HOST');
  assert.deepEqual(contractVariables(environOf(runnerPid)), {
    STIGMER_LLM_PROVIDER: 'ollama',
    STIGMER_LLM_MODEL: 'llama3.2',
    // OLLAMA_HOST was given as host:port; the runner gets Ollama's native URL.
    STIGMER_LLM_BASE_URL: `http://127.0.0.1:${port}`,
    OLLAMA_HOST: `http://127.0.0.1:${port}`,
    // ADR 019's names, Ollama in its OpenAI-compatible form.
    LLM_PROVIDER: 'ollama',
    LLM_MODEL: 'llama3.2',
    LLM_BASE_URL: `http://127.0.0.1:${port}/v1`,
  });
  await host.waitForLine('the runner to log its configuration', fromSource('runner', /runner starting \{.*"provider":"ollama"/));
  const started = descendantsOf(host.pid);

  const exit = await host.stop('SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, host.stdout);
  assert.ok(isGone(runnerPid), 'the runner is stopped');
  assert.ok(isGone(ollamaPid), 'the Ollama this host launched is stopped');
  for (const pid of started) assert.ok(isGone(pid), `process ${pid} (started by the host) is gone`);
  assert.equal(fs.existsSync(path.join(userDataDir, 'run', 'runner.pid')), false, 'runner pid file removed');
  assert.equal(fs.existsSync(path.join(userDataDir, 'run', 'ollama.pid')), false, 'ollama pid file removed');
  assert.equal(await answers(`http://127.0.0.1:${port}`), false, 'nothing answers at the port any more');
});

test('an Ollama that was already running is used, not launched, and is left running after the host exits', async (t) => {
  const scope = new Scope(t);
  const external = await startFakeOllama({ models: ['llama3.2'] });
  scope.defer(() => external.close());
  const userDataDir = scope.tempDir();
  const env = hostEnv(scope, { ollamaHost: external.url });
  const host = startHost(scope, ['--user-data-dir', userDataDir], env);

  await host.waitForLine('the runner to report ready', fromSource('app', new RegExp(`Runner ready: ollama llama3\\.2\\S* at ${escapeRegExp(external.url)}$`)));
  assert.equal(readPidFile(userDataDir, 'ollama.pid'), undefined, 'no Ollama was launched');
  assert.ok(
    descendantsOf(host.pid).every((pid) => !commandLineOf(pid).includes('serve')),
    "no `ollama serve` among the host's processes",
  );

  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
  assert.ok(await answers(external.url), 'the external Ollama still answers');
  assert.deepEqual(external.installedModels(), ['llama3.2:latest']);
});

test('--log-format json: every stdout line is one JSON object with ts, source, level and msg, through Ctrl-C', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--log-format', 'json', '--user-data-dir', userDataDir], env, { ownProcessGroup: true });

  await host.waitForLine('the runner to report ready', (line) => line.includes('"msg":"Runner ready: ollama'));
  await host.waitForLine('a line from the runner itself', (line) => line.includes('"source":"runner"'));
  const started = descendantsOf(host.pid);
  // The launched `ollama serve` leads its own process group, so the host, not the terminal, stops it.
  assert.deepEqual(await host.interruptGroup(), { code: 0, signal: null }, host.stdout);
  for (const pid of started) assert.ok(isGone(pid), `process ${pid} (started by the host) is gone`);

  const lines = host.lines();
  assert.ok(lines.length > 10, `a run logs more than ${lines.length} lines`);
  assert.ok(host.stdout.endsWith('\n'), 'the last line is complete');
  const sources = new Set<string>();
  for (const line of lines) {
    let record: unknown;
    assert.doesNotThrow(() => (record = JSON.parse(line)), `not JSON: ${line}`);
    assert.ok(typeof record === 'object' && record !== null && !Array.isArray(record), `not an object: ${line}`);
    const { ts, source, level, msg } = record as Record<string, unknown>;
    assert.ok(typeof ts === 'string' && !Number.isNaN(Date.parse(ts)), `ts: ${line}`);
    assert.ok(source === 'app' || source === 'ollama' || source === 'runner', `source: ${line}`);
    assert.ok(typeof level === 'string' && ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(level), `level: ${line}`);
    assert.equal(typeof msg, 'string', `msg: ${line}`);
    sources.add(source);
  }
  assert.deepEqual([...sources].sort(), ['app', 'ollama', 'runner']);
  const starting = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => record.msg === 'runner starting');
  assert.equal(starting?.provider, 'ollama', 'a structured runner line keeps its fields');
});

test('a custom runner gets exactly the runner contract, no secret in argv, and dies with its grandchild when the host gets SIGTERM', async (t) => {
  const scope = new Scope(t);
  const anthropic = await startFakeAnthropic();
  scope.defer(() => anthropic.close());
  const userDataDir = scope.tempDir();
  const dumpFile = path.join(scope.tempDir(), 'runner-env.json');
  const port = await freePort();
  const env = hostEnv(scope, {
    ollamaHost: `127.0.0.1:${port}`,
    extra: {
      LLM_PROVIDER: 'anthropic',
      LLM_MODEL: 'claude-haiku-4-5',
      STIGMER_LLM_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
      // Inherited by the app, but it belongs to a provider that is not active.
      OPENAI_API_KEY: FAKE_OPENAI_KEY,
      E2E_MARKER: 'passed through',
    },
  });
  const host = startHost(scope, ['--runner-command', stubbornRunnerCommand(dumpFile), '--user-data-dir', userDataDir], env);

  const dump = await waitFor('the custom runner to record its environment', () => readDump(dumpFile), HOST_WAIT_MS);
  scope.killAtEnd(dump.pid);
  scope.killAtEnd(dump.grandchild);
  assert.deepEqual(contractVariables(dump.env), {
    STIGMER_LLM_PROVIDER: 'anthropic',
    STIGMER_LLM_MODEL: 'claude-haiku-4-5',
    STIGMER_LLM_BASE_URL: anthropic.url,
    STIGMER_LLM_API_KEY: FAKE_ANTHROPIC_KEY,
    ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
    LLM_PROVIDER: 'anthropic',
    LLM_MODEL: 'claude-haiku-4-5',
    LLM_BASE_URL: anthropic.url,
  });
  assert.equal(dump.env.E2E_MARKER, 'passed through', 'the rest of the environment is inherited');
  assert.equal(dump.env.PATH, env.PATH);
  assert.deepEqual(dump.argv.slice(1), [STUBBORN_RUNNER, dumpFile], 'argv is the command, split without a shell');
  for (const pid of [host.pid, dump.pid, dump.grandchild]) {
    const argv = commandLineOf(pid).join(' ');
    assert.ok(!argv.includes(FAKE_ANTHROPIC_KEY) && !argv.includes(FAKE_OPENAI_KEY), `no key in /proc/${pid}/cmdline`);
  }

  const leak = await host.waitForLine('the runner to print its key', fromSource('runner', /custom runner up/));
  assert.ok(leak.endsWith(`custom runner up with provider anthropic, key ${maskSecret(FAKE_ANTHROPIC_KEY)}`), `the key is masked: ${leak}`);
  await host.waitForLine('the grandchild to be up', fromSource('runner', /grandchild up$/));
  await host.waitForLine('a structured runner line', fromSource('runner', /structured line from the custom runner \{"pid":\d+\}$/));

  const exit = await host.stop('SIGTERM', STUBBORN_STOP_MS);
  assert.deepEqual(exit, { code: 0, signal: null }, host.stdout);
  assert.ok(isGone(dump.pid), 'the runner that ignored SIGTERM is gone');
  assert.ok(isGone(dump.grandchild), 'its grandchild that ignored SIGTERM is gone');
  assert.ok(host.lines().some(fromSource('runner', /custom runner ignores SIGTERM/)), 'it was asked nicely first');
  assert.equal(fs.existsSync(path.join(userDataDir, 'run', 'runner.pid')), false);

  // The log files: the runner's lines are there, and no key appears in full anywhere.
  const runnerLog = fs.readFileSync(path.join(userDataDir, 'logs', 'runner.log'), 'utf8');
  assert.match(runnerLog, /custom runner up with provider anthropic/);
  assert.match(runnerLog, /grandchild up/);
  assert.match(runnerLog, /structured line from the custom runner/);
  assert.match(fs.readFileSync(path.join(userDataDir, 'logs', 'app.log'), 'utf8'), /SIGTERM received/);
  for (const file of filesUnder(userDataDir)) {
    const content = fs.readFileSync(file, 'utf8');
    assert.ok(!content.includes(FAKE_ANTHROPIC_KEY) && !content.includes(FAKE_OPENAI_KEY), `no full key in ${file}`);
  }
  assert.ok(!host.stdout.includes(FAKE_ANTHROPIC_KEY) && !host.stdout.includes(FAKE_OPENAI_KEY), 'no full key on stdout');
  assert.ok(!host.stderr.includes(FAKE_ANTHROPIC_KEY), 'no full key on stderr');
});

test('a runner orphaned by a SIGKILLed host is ended at the next start, which keeps the saved settings', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const dumpFile = path.join(scope.tempDir(), 'runner-env.json');
  const port = await freePort();
  const settingsFile = path.join(userDataDir, 'settings.json');
  const saved = {
    version: 1,
    provider: 'ollama',
    providers: { anthropic: {}, openai: {}, ollama: { model: 'qwen2.5:0.5b' } },
    ollama: { exposeToNetwork: false, keepAlive: '10m' },
    runner: { command: stubbornRunnerCommand(dumpFile) },
    secrets: { encrypted: {}, acceptWeakStorage: false },
    startAtLogin: false,
    firstRunCompleted: true,
  };
  fs.writeFileSync(settingsFile, JSON.stringify(saved, null, 2));
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2', 'qwen2.5:0.5b'] } });

  const first = startHost(scope, ['--user-data-dir', userDataDir], env);
  const orphan = await waitFor('the first runner to record its environment', () => readDump(dumpFile), HOST_WAIT_MS);
  scope.killAtEnd(orphan.pid);
  scope.killAtEnd(orphan.grandchild);
  assert.equal(orphan.env.STIGMER_LLM_MODEL, 'qwen2.5:0.5b', 'the saved model is used');
  await waitFor('the runner pid file', () => readPidFile(userDataDir, 'runner.pid') === orphan.pid, HOST_WAIT_MS);
  const firstOllama = readPidFile(userDataDir, 'ollama.pid');
  assert.ok(firstOllama !== undefined);
  scope.killAtEnd(firstOllama);

  assert.deepEqual(await first.stop('SIGKILL'), { code: null, signal: 'SIGKILL' });
  assert.ok(!isGone(orphan.pid) && !isGone(orphan.grandchild), 'the runner and its grandchild outlived the killed host');
  fs.rmSync(dumpFile);

  const second = startHost(scope, ['--user-data-dir', userDataDir], env);
  const next = await waitFor('the next runner to record its environment', () => readDump(dumpFile), HOST_WAIT_MS);
  scope.killAtEnd(next.pid);
  scope.killAtEnd(next.grandchild);
  assert.notEqual(next.pid, orphan.pid);
  assert.ok(isGone(orphan.pid), 'the orphaned runner was ended before the new one started');
  assert.ok(isGone(orphan.grandchild), 'and its grandchild too');
  assert.ok(isGone(firstOllama), 'the Ollama the killed host had launched was stopped');
  await second.waitForLine('the orphan clean-up to be reported', fromSource('app', new RegExp(`ended runner ${orphan.pid} left over from a previous run`)));
  assert.equal(next.env.STIGMER_LLM_MODEL, 'qwen2.5:0.5b', 'the saved model is still used');
  assert.deepEqual(JSON.parse(fs.readFileSync(settingsFile, 'utf8')), saved, 'the settings are kept as they were');

  const exit = await second.stop('SIGTERM', STUBBORN_STOP_MS);
  assert.deepEqual(exit, { code: 0, signal: null }, second.stdout);
  assert.ok(isGone(next.pid) && isGone(next.grandchild));
});

test('an invalid LLM_PROVIDER is reported, the host keeps running without a runner, and SIGTERM exits 0', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const dumpFile = path.join(scope.tempDir(), 'runner-env.json');
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] }, extra: { LLM_PROVIDER: 'olama' } });
  const host = startHost(scope, ['--runner-command', stubbornRunnerCommand(dumpFile), '--user-data-dir', userDataDir], env);

  const error = await host.waitForLine('the configuration error', (line) => / ERROR \[app\] .*LLM_PROVIDER/.test(line));
  assert.match(error, /LLM_PROVIDER="olama" is not one of anthropic, openai, ollama/);
  assert.ok(host.running, 'an invalid configuration does not end the host');
  const started = descendantsOf(host.pid);

  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
  assert.ok(host.lines().some(fromSource('app', /SIGTERM received/)), 'it was still running when the signal came');
  assert.equal(fs.existsSync(dumpFile), false, 'the runner never started');
  assert.ok(!host.lines().some(fromSource('app', /Starting the runner/)), 'nor was it attempted');
  for (const pid of started) assert.ok(isGone(pid), `process ${pid} (started by the host) is gone`);
  assert.match(fs.readFileSync(path.join(userDataDir, 'logs', 'app.log'), 'utf8'), /LLM_PROVIDER="olama"/, 'the error is in the log file');
});

test('a runner that keeps crashing is restarted after growing delays, then left in crash-loop while the host runs on', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const host = startHost(scope, ['--runner-command', `${process.execPath} ${CRASHING_RUNNER}`, '--user-data-dir', userDataDir], env);

  // 1 + 2 + 4 + 8 s of backoff before the fifth exit stops it.
  const stopped = await host.waitForLine('the crash-loop stop', fromSource('app', /Runner crash-loop:/), 90_000);
  assert.match(stopped, / ERROR .*exited 5 times within 2 min.* — read its last lines, fix the cause, then retry$/);
  const timeOf = (line: string) => Date.parse(line.slice(0, line.indexOf(' ')));
  const lines = host.lines();
  const backoffs = lines.filter(fromSource('app', /Runner backoff:/));
  assert.deepEqual(
    backoffs.map((line) => /restarting in (\S+ s)$/.exec(line)?.[1]),
    ['1 s', '2 s', '4 s', '8 s'],
    'the announced delays double',
  );
  const starts = lines.filter(fromSource('app', /Runner running: started \(pid \d+\)/));
  assert.equal(starts.length, 5, 'started once, restarted four times');
  backoffs.forEach((line, index) => {
    const announced = [1000, 2000, 4000, 8000][index]!;
    const waited = timeOf(starts[index + 1]!) - timeOf(line);
    assert.ok(waited >= announced - 50, `restart ${index + 1} waited ${waited} ms, at least the announced ${announced} ms`);
  });
  await waitFor(
    "each crash's reason in the log",
    () => host.lines().filter(fromSource('runner', /crashing runner \d+: cannot reach the agent queue/)).length === 5,
    HOST_WAIT_MS,
  );

  assert.ok(host.running, 'the host itself runs on');
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
  assert.equal(host.lines().filter(fromSource('app', /Runner running:/)).length, 5, 'no restart after the crash-loop stop');
});

test('a runner command that does not exist is one clear error, not a restart loop', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}`, fakeOllama: { models: ['llama3.2'] } });
  const missing = path.join(userDataDir, 'no-such-agent');
  const host = startHost(scope, ['--runner-command', `${missing} --queue local`, '--user-data-dir', userDataDir], env);

  const failed = await host.waitForLine('the runner failure', fromSource('app', /Runner failed:/));
  assert.ok(failed.includes(`runner command ${JSON.stringify(missing)} (from --runner-command) does not exist`), failed);
  assert.match(failed, /check the path, or change --runner-command$/, 'the line ends with the fix');
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
  assert.ok(!host.lines().some(fromSource('app', /Runner (backoff|running):/)), 'it is not retried on its own');
});

test('a port held by a program that is not Ollama is reported as such, and that program is left alone', async (t) => {
  const scope = new Scope(t);
  const foreign = http.createServer((_request, response) => response.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>'));
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  scope.defer(() => new Promise<void>((resolve) => foreign.close(() => resolve())));
  const foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  const userDataDir = scope.tempDir();
  const env = hostEnv(scope, { ollamaHost: foreignUrl });
  const host = startHost(scope, ['--user-data-dir', userDataDir], env);

  const report = await host.waitForLine(
    'the app to report the port',
    fromSource('app', new RegExp(`${escapeRegExp(foreignUrl)} is answered by a program that is not Ollama`)),
  );
  assert.match(report, / (WARN |ERROR) /);
  assert.equal(readPidFile(userDataDir, 'ollama.pid'), undefined, 'no Ollama was launched over it');
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
  assert.equal((await fetch(`${foreignUrl}/`)).status, 404, 'the foreign server still answers');
});

test('without Ollama installed the host says so and how to install it, and keeps running', async (t) => {
  const scope = new Scope(t);
  const userDataDir = scope.tempDir();
  const port = await freePort();
  const env = hostEnv(scope, { ollamaHost: `127.0.0.1:${port}` });
  env.PATH = [path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter);
  const host = startHost(scope, ['--user-data-dir', userDataDir], env);

  const report = await host.waitForLine('the app to report Ollama missing', fromSource('app', /Ollama is not installed/));
  assert.match(report, /ollama\.com/, `the line says where to get it: ${report}`);
  assert.ok(host.running);
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
});

/**
 * Journey: `stigmer`, installed from a fresh clone by `npm install -g <clone>`, runs the seed's five
 * manual cases verbatim as `stigmer local start …` (each stopped by Ctrl-C, exit 0), and a second
 * terminal's `status`, `use`, `keys set` (stdin), `logs` and `models` steer the running host over
 * its control socket.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import type { FakeServer } from '../doubles/cloud/common.ts';
import { startFakeOllama, type FakeOllamaServer } from '../doubles/ollama/server.ts';
import { HOST_WAIT_MS, Scope, commandLineOf, hostEnv, readPidFile, startHost, waitFor, type HeadlessHost } from '../support/e2e-host.ts';
import { escapeRegExp } from '../../src/lib/escape-regexp.ts';
import { REPO_ROOT, runCommand } from '../support/headless.ts';
import { cloneUnavailable, cloneWorkingTree, userEnv } from './../journeys/fresh-clone.ts';
import { environOf } from '../support/proc.ts';

const REGISTRY = { 'qwen2.5:0.5b': [397_807_936, 6_929] };

describe('stigmer, installed from a fresh clone', { skip: cloneUnavailable() ?? false }, () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-cli-'));
  const prefix = path.join(work, 'prefix');
  const stigmer = path.join(prefix, 'bin', 'stigmer');
  /** `stigmer …` with `input` piped into its stdin, as `printf %s "$KEY" | stigmer keys set anthropic` does. */
  const keysSet = (args: string[], input: string, env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(stigmer, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(`${input}\n`);
    });
  let ollama: FakeOllamaServer;
  let anthropic: FakeServer;

  /** The user's environment for the command: the installed bin first on PATH, Ollama's double at OLLAMA_HOST, the Anthropic double as its base URL. */
  const env = (scope: Scope, extra: Record<string, string> = {}) => {
    const base = hostEnv(scope, { ollamaHost: ollama.url, extra: { ANTHROPIC_BASE_URL: anthropic.url, ...extra } });
    return { ...base, PATH: `${path.dirname(stigmer)}${path.delimiter}${base.PATH}` };
  };
  /** `stigmer local start …` in a terminal of its own (Ctrl-C reaches its whole process group). */
  const localStart = (scope: Scope, args: string[], hostEnvironment: NodeJS.ProcessEnv) =>
    startHost(scope, ['local', 'start', ...args], hostEnvironment, { command: stigmer, ownProcessGroup: true });
  /** A second terminal's `stigmer …`, run to its end. */
  const second = (args: string[], environment: NodeJS.ProcessEnv) => runCommand(stigmer, args, { env: environment, cwd: os.tmpdir(), timeoutMs: 60_000 });
  const readyLine = (host: HeadlessHost, what: RegExp) => host.waitForLine(`the runner to report ready (${what})`, (line) => what.test(line), 120_000);

  before(async () => {
    const clone = cloneWorkingTree(work);
    // The dependencies as installed here: what is under test is the command, not npm ci.
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    const install = await runCommand('npm', ['install', '-g', clone, '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: work,
      env: userEnv(),
      timeoutMs: 120_000,
    });
    assert.equal(install.code, 0, `${install.stdout}\n${install.stderr}`);
    ollama = await startFakeOllama({ models: ['llama3.2', 'llama3:70b'], registry: REGISTRY, pullIntervalMs: 20, pullStepsPerLayer: 5 });
    anthropic = await startFakeAnthropic({ validKeys: [FAKE_ANTHROPIC_KEY] });
  });
  after(async () => {
    await ollama?.close();
    await anthropic?.close();
    fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  });

  test('npm put stigmer on PATH; --version, help, and a command with no app running says how to start one (exit 3)', async (t) => {
    const scope = new Scope(t);
    const environment = env(scope);
    assert.ok(fs.existsSync(stigmer), 'the bin is installed');
    const version = await second(['--version'], environment);
    assert.deepEqual([version.code, version.stdout], [0, `stigmer ${JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version}\n`]);
    const help = await second(['help'], environment);
    assert.equal(help.code, 0);
    for (const command of ['local start', 'status', 'use PROVIDER', 'logs', 'keys set|rm PROVIDER', 'models', 'config', 'doctor'])
      assert.ok(help.stdout.includes(command), command);
    const empty = scope.tempDir();
    const status = await second(['status', '--user-data-dir', empty], environment);
    assert.equal(status.code, 3);
    assert.equal(status.stdout, '');
    assert.equal(
      status.stderr,
      `stigmer: no Stigmer app is running for ${empty}. Start one with \`stigmer local start --user-data-dir ${empty}\`, or open Stigmer Desktop.\n`,
    );
  });

  test('on an older Node the command stops before anything runs, naming the Node it needs (exit 1)', async (t) => {
    // The machine's own PATH, without this Node's folder: its `node` is what the bin's `#!/usr/bin/env node` finds.
    const machinePath = (process.env.PATH ?? '').split(path.delimiter).filter((entry) => entry && path.resolve(entry) !== path.dirname(process.execPath));
    const environment = { PATH: [path.dirname(stigmer), ...machinePath].join(path.delimiter), HOME: os.tmpdir() };
    const version = await runCommand('node', ['--version'], { env: environment, cwd: os.tmpdir() }).catch(() => undefined);
    if (!version || version.stdout.startsWith('v24.')) return t.skip('no older Node on this machine');
    const result = await runCommand(stigmer, ['local', 'start'], { env: environment, cwd: os.tmpdir() });
    assert.deepEqual([result.code, result.stdout], [1, '']);
    assert.match(result.stderr, new RegExp(`^Stigmer Desktop needs Node 24 but this is Node ${escapeRegExp(version.stdout.trim().slice(1))}: run \`nvm use\``));
  });

  // The seed's five manual cases, verbatim but for the private folder each gets.
  const SEED_CASES: { name: string; args: string[]; env: Record<string, string>; ready: RegExp }[] = [
    { name: '1. default, no key: falls back to Ollama', args: [], env: {}, ready: /Runner ready: ollama llama3\.2\S* at / },
    {
      name: '2. ANTHROPIC_API_KEY set: Anthropic with its default model',
      args: [],
      env: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY },
      ready: /Runner ready: anthropic claude-sonnet-5-5 at /,
    },
    {
      name: '3. --anthropic-key: Anthropic without the variable',
      args: [`--anthropic-key=${FAKE_ANTHROPIC_KEY}`],
      env: {},
      ready: /Runner ready: anthropic claude-sonnet-5-5 at /,
    },
    {
      name: '4. --llm-provider=ollama beats ANTHROPIC_API_KEY',
      args: ['--llm-provider=ollama'],
      env: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY },
      ready: /Runner ready: ollama llama3\.2\S* at /,
    },
    { name: '5. --llm-model=llama3:70b', args: ['--llm-model=llama3:70b'], env: {}, ready: /Runner ready: ollama llama3:70b at / },
  ];
  for (const seed of SEED_CASES) {
    test(`seed case ${seed.name}; Ctrl-C exits 0`, async (t) => {
      const scope = new Scope(t);
      const host = localStart(scope, [...seed.args, '--user-data-dir', scope.tempDir()], env(scope, seed.env));
      await readyLine(host, seed.ready);
      assert.deepEqual(await host.interruptGroup(), { code: 0, signal: null }, host.stderr);
      assert.ok(!host.stdout.includes(FAKE_ANTHROPIC_KEY), 'the key is masked in the output');
    });
  }

  test('a value pinned by a flag is refused by stigmer use, naming the pin; SIGTERM and SIGHUP exit 0 too', async (t) => {
    const scope = new Scope(t);
    const userDataDir = scope.tempDir();
    const environment = env(scope);
    const host = localStart(scope, ['--llm-provider=ollama', '--user-data-dir', userDataDir], environment);
    await readyLine(host, /Runner ready: ollama/);
    const refused = await second(['use', 'anthropic', '--user-data-dir', userDataDir], environment);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^stigmer: The provider is pinned to ollama by --llm-provider\. Unset --llm-provider/);
    assert.deepEqual(await host.stop('SIGHUP'), { code: 0, signal: null }, host.stderr);
    const again = localStart(scope, ['--user-data-dir', userDataDir], environment);
    await readyLine(again, /Runner ready: ollama/);
    assert.deepEqual(await again.stop('SIGTERM'), { code: 0, signal: null }, again.stderr);
  });

  test('a second terminal steers the running host: status, keys set from stdin, use, logs (-f), models', async (t) => {
    const scope = new Scope(t);
    const userDataDir = scope.tempDir();
    const environment = env(scope);
    const dir = ['--user-data-dir', userDataDir];
    const host = localStart(scope, dir, environment);
    await readyLine(host, /Runner ready: ollama llama3\.2/);
    const socket = path.join(userDataDir, 'run', 'control.sock');
    assert.equal(fs.statSync(socket).mode & 0o777, 0o600, 'the socket is the owner’s only');
    assert.equal(fs.statSync(path.dirname(socket)).mode & 0o777, 0o700, 'and so is its folder');

    const status = await second(['status', '--json', ...dir], environment);
    assert.equal(status.code, 0, status.stderr);
    const before = JSON.parse(status.stdout);
    assert.deepEqual(before.provider, { value: 'ollama', source: 'default', pinned: false });
    assert.equal(before.model.value, 'llama3.2');
    assert.deepEqual(before.baseUrl, { value: ollama.url, source: 'env:OLLAMA_HOST', pinned: true });
    assert.deepEqual([before.ollama.phase, before.ollama.owner], ['running', 'external']);
    assert.equal(before.runner.state, 'running');
    const firstPid = before.runner.pid as number;
    const text = await second(['status', ...dir], environment);
    assert.match(text.stdout, /^App: {6}headless\nProvider: ollama {2}\(default\)\nModel: {4}llama3\.2/);

    // The key goes in on stdin: never in argv, never echoed.
    const rejected = await keysSet(['keys', 'set', 'anthropic', ...dir], 'sk-ant-api03-WRONG-wrongwrongwrongwrong-0000', environment);
    assert.equal(rejected.code, 1, 'a key the provider rejects is not saved');
    assert.equal(rejected.stdout, '');
    assert.match(rejected.stderr, /\b401\b|reject|invalid/i, 'the provider’s verdict is said');
    assert.ok(!`${rejected.stdout}${rejected.stderr}`.includes('WRONG'), 'not even a rejected key is printed');
    const keyed = await keysSet(['keys', 'set', 'anthropic', ...dir], FAKE_ANTHROPIC_KEY, environment);
    assert.equal(keyed.code, 0, keyed.stderr);
    const [saved, kept, ...rest] = keyed.stdout.split('\n');
    assert.equal(saved, `Saved the Anthropic key ${maskSecret(FAKE_ANTHROPIC_KEY)}: Anthropic accepted this key.`);
    assert.match(kept ?? '', /^No OS keychain answered \(.*\), so keys are kept for this session only\. /, 'where the key is kept');
    assert.deepEqual(rest, ['']);
    assert.ok(!`${keyed.stdout}${keyed.stderr}${host.stdout}`.includes(FAKE_ANTHROPIC_KEY));

    // With no provider chosen, the smart default takes the saved key: the runner restarts with Anthropic.
    await readyLine(host, new RegExp(`Runner ready: anthropic claude-sonnet-5-5 at ${escapeRegExp(anthropic.url)}`));
    const anthropicPid = await waitFor(
      'the new runner',
      () => {
        const pid = readPidFile(userDataDir, 'runner.pid');
        return pid !== undefined && pid !== firstPid ? pid : undefined;
      },
      HOST_WAIT_MS,
    );
    assert.equal(environOf(anthropicPid).ANTHROPIC_API_KEY, FAKE_ANTHROPIC_KEY, "the key reached the runner's environment");
    assert.ok(!commandLineOf(anthropicPid).join(' ').includes(FAKE_ANTHROPIC_KEY), 'but not its argv');

    // A follower started now sees the switch's lines as they come.
    const follower = startHost(scope, ['logs', '-f', '-n', '1', '--source', 'app', ...dir], environment, { command: stigmer, ownProcessGroup: true });
    await follower.waitForLine('the follower to print the newest line', () => true);
    const used = await second(['use', 'ollama', ...dir], environment);
    assert.equal(used.code, 0, used.stderr);
    assert.equal(used.stdout, 'Using Ollama llama3.2; the runner restarted with it.\n');
    await follower.waitForLine('the follower to show the switch', (line) => / INFO {2}\[app\] Runner ready: ollama llama3\.2/.test(line));
    assert.ok(
      follower.lines().every((line) => line.includes(' [app] ')),
      'only the app source was asked for',
    );
    assert.deepEqual(await follower.interruptGroup(), { code: 0, signal: null }, follower.stderr);
    const after = JSON.parse((await second(['status', '--json', ...dir], environment)).stdout);
    assert.deepEqual(after.provider, { value: 'ollama', source: 'settings', pinned: false });

    const recent = await second(['logs', '-n', '200', ...dir], environment);
    assert.equal(recent.code, 0, recent.stderr);
    assert.match(recent.stdout, /\[app\] The runner's configuration changed: Anthropic key saved/);
    assert.match(recent.stdout, /\[runner\] runner starting .*"provider":"anthropic"/);
    assert.ok(!recent.stdout.includes(FAKE_ANTHROPIC_KEY));
    const warnings = await second(['logs', '--level', 'warn', ...dir], environment);
    assert.ok(
      warnings.stdout
        .split('\n')
        .filter(Boolean)
        .every((line) => / (WARN |ERROR|FATAL) /.test(line)),
      warnings.stdout,
    );

    const listed = await second(['models', ...dir], environment);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^\* llama3\.2:latest .*\(in use\)$/m);
    assert.match(listed.stdout, /^ {2}llama3:70b /m);

    const pulled = await second(['models', 'pull', 'qwen2.5:0.5b', ...dir], environment);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(pulled.stdout, 'Pulled qwen2.5:0.5b.\n');
    assert.ok(ollama.installedModels().includes('qwen2.5:0.5b'));
    const removed = await second(['models', 'rm', 'qwen2.5:0.5b', ...dir], environment);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /^Deleted qwen2\.5:0\.5b, freeing \d/);
    assert.ok(!ollama.installedModels().includes('qwen2.5:0.5b'));

    // On a terminal (script(1) gives the command one) the progress is one line, rewritten in place.
    const onTerminal = await runCommand('script', ['-qec', `${stigmer} models pull qwen2.5:0.5b --user-data-dir ${userDataDir}`, '/dev/null'], {
      env: environment,
      cwd: os.tmpdir(),
      timeoutMs: 60_000,
    });
    assert.equal(onTerminal.code, 0, onTerminal.stdout);
    assert.match(onTerminal.stdout, /\r\x1b\[2Kqwen2\.5:0\.5b: pulling \S+, \d+% /);
    assert.match(onTerminal.stdout, /\nPulled qwen2\.5:0\.5b\.\r?\n$/);
    assert.equal((await second(['models', 'rm', 'qwen2.5:0.5b', ...dir], environment)).code, 0);

    const gone = await second(['keys', 'rm', 'anthropic', ...dir], environment);
    assert.deepEqual([gone.code, gone.stdout], [0, 'Removed the Anthropic key.\n']);
    const lastFollower = startHost(scope, ['logs', '-f', '-n', '1', ...dir], environment, { command: stigmer });
    await lastFollower.waitForLine('the follower to print the newest line', () => true);
    assert.deepEqual(await host.interruptGroup(), { code: 0, signal: null }, host.stderr);
    assert.equal(fs.existsSync(socket), false, 'the socket is removed when the host stops');
    assert.deepEqual(await lastFollower.waitForExit(), { code: 0, signal: null }, 'a follower ends with the app');
    assert.equal(lastFollower.stderr, 'The app stopped.\n');
  });
});

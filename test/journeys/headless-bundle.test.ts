/**
 * Journey: the README's `npm run headless` runs a bundle of the host (out/headless/cli.js, with the
 * built-in runner beside it as runner.js) that its pre-script builds after the Node check, and
 * rebuilds only when a source changed. In a fresh checkout, where nothing is built yet: the
 * one-shot commands, then `--ui`, whose renderer the bundled host builds too; then this tree's
 * bundle runs Ollama and the built-in runner until SIGTERM.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeOllama, type FakeOllamaServer } from '../doubles/ollama/server.ts';
import { Scope, commandLineOf, hostEnv, isGone, readPidFile, setUpProfile, startHost, waitFor } from '../support/e2e-host.ts';
import { HEADLESS_BUNDLE, REPO_ROOT, ensureHeadlessBuilt, runCommand } from '../support/headless.ts';
import { uiUrl } from '../support/ui-e2e.ts';
import { connectUi } from '../support/websocket.ts';
import { cloneUnavailable, cloneWorkingTree } from './fresh-clone.ts';

const ANTHROPIC_KEY = 'sk-ant-api03-BUNDLE-abcdefghijklmnopqrstu-4k3j';

describe('npm run headless in a fresh checkout: built first, then the bundle runs', { skip: cloneUnavailable() ?? false }, () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stigmer-bundle-'));
  let clone: string;
  let ollama: FakeOllamaServer;
  const built = (name: string) => path.join(clone, 'out/headless', name);
  const builtAt = () => fs.statSync(built('cli.js')).mtimeMs;
  /** `npm run -s headless -- …` in the checkout, as the user types it, with the Ollama double on PATH and at OLLAMA_HOST. */
  const npmHeadless = (t: { after(fn: () => Promise<void>): void }, args: string[], extra: Record<string, string> = {}) => {
    const scope = new Scope(t);
    const env = hostEnv(scope, { ollamaHost: ollama.url, extra });
    return runCommand('npm', ['run', '-s', 'headless', '--', ...args, '--user-data-dir', scope.tempDir()], { cwd: clone, env, timeoutMs: 120_000 });
  };

  before(async () => {
    clone = cloneWorkingTree(work);
    // The dependencies as installed here: what is under test is the build and the bundle, not npm ci.
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    ollama = await startFakeOllama({ models: ['llama3.2'] });
  });
  after(async () => {
    await ollama?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('--print-config builds the host, then prints only the resolved configuration, the key masked', async (t) => {
    assert.equal(fs.existsSync(path.join(clone, 'out')), false, 'nothing is built in a fresh checkout');
    const result = await npmHeadless(t, ['--print-config'], { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '', 'the build says nothing when it succeeds');
    const json = JSON.parse(result.stdout);
    assert.deepEqual(json.provider, { value: 'anthropic', source: 'default', pinned: false });
    assert.match(json.model.value, /^claude-/);
    assert.deepEqual(json.apiKey, { value: 'sk-ant-…4k3j', source: 'env:ANTHROPIC_API_KEY', pinned: true });
    assert.deepEqual([json.errors, json.warnings], [[], []]);
    assert.ok(!result.stdout.includes(ANTHROPIC_KEY));
    assert.ok(fs.existsSync(built('cli.js')) && fs.existsSync(built('runner.js')), 'the host and its runner were bundled');
  });

  test('an invalid configuration prints the same JSON with its error and exits 2, from the same build', async (t) => {
    const before = builtAt();
    const result = await npmHeadless(t, ['--print-config'], { LLM_PROVIDER: 'olama' });
    assert.equal(result.code, 2, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(json).slice(0, 6), ['provider', 'endpoint', 'endpoints', 'model', 'baseUrl', 'apiKey']);
    assert.ok(
      json.errors.some((error: string) => error.includes('olama')),
      result.stdout,
    );
    assert.equal(builtAt(), before, 'nothing changed, so nothing was rebuilt');
  });

  test('--doctor --json finds Ollama, its model and the bundled built-in runner', async (t) => {
    const result = await npmHeadless(t, ['--doctor', '--json']);
    const report = JSON.parse(result.stdout);
    assert.equal(result.code, 0, result.stdout);
    assert.equal(report.ok, true);
    assert.equal(report.ollama.server.reachable, true);
    assert.deepEqual(report.ollama.models, ['llama3.2:latest']);
    assert.equal(report.ollama.configuredModelPresent, true);
    assert.deepEqual(report.runner.command, [process.execPath, built('runner.js')]);
    const runnerCheck = report.checks.find((item: { name: string }) => item.name === 'runner');
    assert.deepEqual([runnerCheck.status, runnerCheck.detail], ['ok', `built-in runner (default) → ${process.execPath}`]);
  });

  test('--ui builds the renderer the checkout lacks, serves it, and its WebSocket bridge answers', async (t) => {
    const scope = new Scope(t);
    assert.equal(fs.existsSync(path.join(clone, 'out/renderer')), false);
    const args = ['--ui', '--user-data-dir', setUpProfile(scope)];
    const host = startHost(scope, args, hostEnv(scope, { ollamaHost: ollama.url }), { entry: built('cli.js') });
    const url = await uiUrl(host);
    assert.ok(fs.existsSync(path.join(clone, 'out/renderer/index.html')), 'built with vite, loaded from node_modules by the bundle');
    const page = await fetch(url);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<title>Stigmer<\/title>/);
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    assert.ok(script, html);
    // Relative to the page, which the printed address redirects to (the app path).
    const bundle = await fetch(new URL(script, page.url));
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    const ui = await connectUi(url);
    scope.defer(() => ui.close());
    const state = await ui.request('state:get');
    assert.equal(state.ok, true, JSON.stringify(state));
    assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stderr);
  });

  test('a changed source is rebuilt before the next run, and the change is what runs', async (t) => {
    const before = builtAt();
    fs.appendFileSync(path.join(clone, 'src/main/headless/cli.ts'), "process.stderr.write('edited after the first build\\n');\n");
    const result = await npmHeadless(t, ['--print-config']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, 'edited after the first build\n');
    assert.notEqual(builtAt(), before);
  });

  test('a source that does not compile stops the command with its file and line, and leaves the last bundle as it was', async (t) => {
    const before = fs.readFileSync(built('cli.js'), 'utf8');
    fs.appendFileSync(path.join(clone, 'src/main/headless/run.ts'), 'const broken: = 1;\n');
    const result = await npmHeadless(t, ['--print-config']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '', 'the host did not run');
    assert.match(result.stderr, /stigmer: cannot build the headless host: /);
    assert.match(result.stderr, /src\/main\/headless\/run\.ts:\d+:\d+/);
    assert.match(result.stderr, /Fix the source named above, then run the command again\.\n$/);
    assert.doesNotMatch(result.stderr, /at async /, 'no stack trace of the build tool');
    assert.equal(fs.readFileSync(built('cli.js'), 'utf8'), before);
  });
});

describe('the bundled host runs the app', () => {
  before(() => ensureHeadlessBuilt());

  test('it starts the bundled built-in runner against Ollama, which gets ready, and stops it on SIGTERM', async (t) => {
    const scope = new Scope(t);
    const ollama = await startFakeOllama({ models: ['llama3.2'] });
    scope.defer(() => ollama.close());
    const userDataDir = scope.tempDir();
    const host = startHost(scope, ['--user-data-dir', userDataDir], hostEnv(scope, { ollamaHost: ollama.url }), { entry: HEADLESS_BUNDLE });
    await host.waitForLine('the runner to be ready', (line) => line.includes('Runner ready: ollama llama3.2 at '));
    const runnerPid = readPidFile(userDataDir, 'runner.pid');
    assert.ok(runnerPid !== undefined);
    assert.deepEqual(commandLineOf(runnerPid), [process.execPath, path.join(path.dirname(HEADLESS_BUNDLE), 'runner.js')]);
    const exit = await host.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, host.stderr);
    await waitFor('the runner to be gone', () => isGone(runnerPid) || undefined);
  });
});

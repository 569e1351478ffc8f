/**
 * Issue 15 §4: the reference Python worker (examples/python-worker) under the real headless host,
 * for the seed's five manual test cases (and OpenAI). Each ends in a request that reaches the
 * right server with the right model, read from the doubles' own records: the cloud doubles'
 * request logs, and for Ollama its access log and `/api/ps` (the models a chat loaded).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { PROVIDER_SPECS } from '../../src/shared/providers.ts';
import { FAKE_ANTHROPIC_KEY } from '../doubles/cloud/anthropic.ts';
import { FAKE_OPENAI_KEY } from '../doubles/cloud/openai.ts';
import { REPO_ROOT, cleanEnv } from '../support/headless.ts';
import { HOST_WAIT_MS, Scope, hostEnv, startHost, waitFor } from '../support/e2e-host.ts';
import { RUNNER_COMMAND, WORKER, chatRequests, modelsLoadedBy, profileFor, startServers, type Servers } from './support.ts';

/**
 * Runs the worker under the host until it logs its start-up request's answer; the cloud
 * doubles' base URLs are saved settings, which belong to their provider.
 */
async function runWorker(t: { after(fn: () => Promise<void>): void }, flags: string[], extra: Record<string, string>) {
  const scope = new Scope(t);
  const servers = await startServers(scope);
  const userDataDir = profileFor(scope, servers);
  const env = hostEnv(scope, { ollamaHost: servers.ollama.url, extra });
  const host = startHost(scope, ['--user-data-dir', userDataDir, '--runner-command', RUNNER_COMMAND, ...flags], env);
  const answer = await host.waitForLine(
    'the worker to log its provider check',
    (line) => line.includes(' [runner] ') && /provider check (ok|failed)/.test(line),
  );
  assert.match(answer, /provider check ok: /, host.stdout);
  const started = host.lines().find((line) => line.includes('worker starting: '));
  assert.deepEqual(await host.stop('SIGTERM'), { code: 0, signal: null }, host.stdout);
  return { servers, started: started ?? '', stdout: host.stdout };
}

async function assertOllamaAnswered({ servers }: { servers: Servers }, model: string): Promise<void> {
  assert.ok(servers.ollamaRequests.includes('POST /v1/chat/completions'), `Ollama got the chat request: ${servers.ollamaRequests.join(', ')}`);
  assert.deepEqual(await modelsLoadedBy(servers.ollama), [model]);
  assert.deepEqual(chatRequests(servers.anthropic, '/v1/messages'), [], 'nothing reached Anthropic');
  assert.deepEqual(chatRequests(servers.openai, '/v1/chat/completions'), [], 'nothing reached OpenAI');
}

function assertAnthropicAnswered({ servers }: { servers: Servers }, model: string): void {
  const requests = chatRequests(servers.anthropic, '/v1/messages');
  assert.equal(requests.length, 1, 'one start-up request reached Anthropic');
  assert.equal((requests[0]!.body as { model: string }).model, model);
  assert.equal(requests[0]!.headers['x-api-key'], FAKE_ANTHROPIC_KEY);
  assert.ok(!servers.ollamaRequests.includes('POST /v1/chat/completions'), 'nothing was asked of Ollama');
}

test('seed case 1, no configuration: the worker falls back to Ollama', async (t) => {
  const run = await runWorker(t, [], {});
  await assertOllamaAnswered(run, 'llama3.2:latest');
  assert.match(run.started, /provider=ollama \(env:STIGMER_LLM_PROVIDER\) model=llama3\.2/);
});

test('seed case 2, ANTHROPIC_API_KEY in the environment: the worker uses Anthropic with the default model', async (t) => {
  const run = await runWorker(t, [], { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY });
  assertAnthropicAnswered(run, PROVIDER_SPECS.anthropic.defaultModel);
  assert.ok(!run.stdout.includes(FAKE_ANTHROPIC_KEY), 'the key is never logged');
});

test('seed case 3, --anthropic-key: the worker uses Anthropic without any key in the environment', async (t) => {
  const run = await runWorker(t, [`--anthropic-key=${FAKE_ANTHROPIC_KEY}`], {});
  assertAnthropicAnswered(run, PROVIDER_SPECS.anthropic.defaultModel);
});

test('seed case 4, --llm-provider=ollama over ANTHROPIC_API_KEY: the flag wins and Ollama answers', async (t) => {
  const run = await runWorker(t, ['--llm-provider=ollama'], { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY });
  await assertOllamaAnswered(run, 'llama3.2:latest');
  assert.ok(!run.started.includes('sk-ant'), "the inactive provider's key did not reach the worker");
});

test('seed case 5, --llm-model=llama3:70b: the request names that model', async (t) => {
  const run = await runWorker(t, ['--llm-model=llama3:70b'], {});
  await assertOllamaAnswered(run, 'llama3:70b');
});

test('OPENAI_API_KEY alone: the worker uses OpenAI through /v1/chat/completions', async (t) => {
  const run = await runWorker(t, [], { OPENAI_API_KEY: FAKE_OPENAI_KEY });
  const requests = chatRequests(run.servers.openai, '/v1/chat/completions');
  assert.equal(requests.length, 1);
  assert.equal((requests[0]!.body as { model: string }).model, PROVIDER_SPECS.openai.defaultModel);
  assert.equal(requests[0]!.headers.authorization, `Bearer ${FAKE_OPENAI_KEY}`);
});

/** The worker on its own, as an ADR 019-era deployment runs it, with exactly `env`. */
const runAlone = (env: Record<string, string>, timeoutMs = 10_000) =>
  spawnSync('python3', [WORKER], { cwd: REPO_ROOT, env: cleanEnv(env), encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGTERM' });

test('a bad configuration is one clear line and exit code 78 (EX_CONFIG), so the app does not restart it', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ LLM_PROVIDER: 'olama' }, /configuration error: LLM_PROVIDER="olama" is not one of anthropic, openai, ollama; set it to one of them/],
    [{}, /configuration error: the anthropic provider needs an API key; set STIGMER_LLM_API_KEY or ANTHROPIC_API_KEY/],
    [{ STIGMER_LLM_PROVIDER: 'ollama', STIGMER_LLM_BASE_URL: 'localhost:11434' }, /STIGMER_LLM_BASE_URL="localhost:11434" is not an http\(s\) URL/],
    [{ LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-proj with space' }, /OPENAI_API_KEY contains whitespace/],
    [{ LLM_PROVIDER: 'ollama', STIGMER_CONTROL_FD: '7' }, /STIGMER_CONTROL_FD='7' is not an open socket .*; unset it to run without the control channel/],
  ];
  for (const [env, message] of cases) {
    const result = runAlone(env);
    assert.equal(result.status, 78, `${JSON.stringify(env)}: ${result.stdout}${result.stderr}`);
    assert.match(result.stdout, message);
    assert.equal(result.stdout.trim().split('\n').length, 1, 'one line, no traceback');
  }
});

test("an ADR 019 environment (LLM_PROVIDER, LLM_BASE_URL in /v1 form, no STIGMER_LLM_*) reaches Ollama with ADR 019's default model", async (t) => {
  const scope = new Scope(t);
  const servers = await startServers(scope);
  const child = spawn('python3', [WORKER], {
    cwd: REPO_ROOT,
    env: cleanEnv({ LLM_PROVIDER: 'ollama', LLM_BASE_URL: `${servers.ollama.url}/v1` }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  scope.defer(() => void child.kill('SIGKILL'));
  await waitFor('the provider check', () => /provider check (ok|failed)/.test(output), HOST_WAIT_MS);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, 'SIGTERM is a clean exit 0');
  // ADR 019's default Ollama model is llama3, which this double does not have installed.
  assert.match(output, /model=llama3 \(default\) base_url=http:\/\/127\.0\.0\.1:\d+\/v1 \(env:LLM_BASE_URL\)/);
  assert.match(output, /provider check failed: .*\/v1\/chat\/completions answered 404: model "llama3" not found/);
  assert.ok(servers.ollamaRequests.includes('POST /v1/chat/completions'));
});

/**
 * Issue 15 §4, "answers the same tasks as the built-in runner": the reference Python worker under
 * the real headless host with `--runner-control-channel`, driven as the window drives it (the
 * `playground:run` command over the UI's WebSocket). For each of the seed's five cases the task's
 * own request reaches the right server with the right model, and the streamed answer comes back
 * to the app; a rejected key arrives as the protocol's `auth` error, a cancelled task ends as
 * `cancelled`, and a runner started without the flag is started as before and takes no tasks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROVIDER_SPECS } from '../../src/shared/providers.ts';
import type { PlaygroundEvent } from '../../src/shared/ipc.ts';
import type { AppState } from '../../src/shared/state-schema.ts';
import { FAKE_ANTHROPIC_KEY, type FakeAnthropicOptions } from '../doubles/cloud/anthropic.ts';
import { FAKE_OPENAI_KEY } from '../doubles/cloud/openai.ts';
import { DEFAULT_REPLY, type FakeServer } from '../doubles/cloud/common.ts';
import { HOST_WAIT_MS, Scope, hostEnv, readPidFile, startHost, waitFor, type HeadlessHost } from '../support/e2e-host.ts';
import { uiUrl } from '../support/ui-e2e.ts';
import { connectUi, type UiClient } from '../support/websocket.ts';
import { RUNNER_COMMAND, chatRequests, modelsLoadedBy, profileFor, startServers, type Servers } from './support.ts';
import { environOf, openFiles } from '../support/proc.ts';

/** The fake Ollama's reply (test/doubles/ollama). */
const OLLAMA_REPLY = 'Hello from the fake Ollama.';

interface Session {
  scope: Scope;
  servers: Servers;
  host: HeadlessHost;
  ui: UiClient;
  userDataDir: string;
}

/** The host with the UI, running the Python worker; resolves once the app has heard the worker's `ready` (or, without the channel, once the worker runs). */
async function startSession(
  t: { after(fn: () => Promise<void>): void },
  {
    flags = [],
    extra = {},
    channel = true,
    anthropic = {},
  }: { flags?: string[]; extra?: Record<string, string>; channel?: boolean; anthropic?: FakeAnthropicOptions } = {},
): Promise<Session> {
  const scope = new Scope(t);
  const servers = await startServers(scope, { anthropic });
  const userDataDir = profileFor(scope, servers);
  const args = ['--user-data-dir', userDataDir, '--ui', '--runner-command', RUNNER_COMMAND, ...(channel ? ['--runner-control-channel'] : []), ...flags];
  const host = startHost(scope, args, hostEnv(scope, { ollamaHost: servers.ollama.url, extra }));
  const ui = await connectUi(await uiUrl(host));
  scope.defer(() => ui.close());
  await host.waitForLine(channel ? 'the app to hear the worker is ready' : 'the worker to run', (line) =>
    channel ? line.includes('Runner ready: ') : line.includes(' [runner] ') && line.includes('no control channel'),
  );
  return { scope, servers, host, ui, userDataDir };
}

const playground = (ui: UiClient, taskId: string): PlaygroundEvent[] =>
  (ui.events('playground') as PlaygroundEvent[]).filter((event) => event.taskId === taskId);

/** Sends a prompt the way the window's playground and the wizard's first answer do, and waits for the task's last event. */
async function runTask(session: Session, prompt: string) {
  const reply = await session.ui.request('playground:run', { prompt });
  assert.ok(reply.ok, `playground:run was accepted: ${JSON.stringify(reply.error)}\n${session.host.stdout}`);
  const { taskId } = reply.value as { taskId: string };
  const last = await waitFor(
    () => `the end of task ${taskId}\n${session.host.stdout}`,
    () => playground(session.ui, taskId).find((event) => event.type !== 'delta'),
    HOST_WAIT_MS,
  );
  // The app validates every message with the protocol's schemas and drops one that does not match.
  assert.ok(!session.host.stdout.includes('does not match the protocol'), session.host.stdout);
  const text = playground(session.ui, taskId)
    .flatMap((event) => (event.type === 'delta' ? [event.text] : []))
    .join('');
  return { taskId, last, text };
}

const pick = (body: unknown, keys: string[]) => Object.fromEntries(keys.map((key) => [key, (body as Record<string, unknown>)[key]]));

/** The chat requests that carried this prompt: the task's own, not the worker's start-up request. */
const requestsWith = (server: FakeServer, apiPath: string, prompt: string) =>
  chatRequests(server, apiPath).filter((request) => JSON.stringify(request.body).includes(prompt));

async function assertOllamaTask(session: Session, model: string): Promise<void> {
  const prompt = `Which model answers? ${model}`;
  const chats = () => session.servers.ollamaRequests.filter((request) => request === 'POST /v1/chat/completions').length;
  const { last, text } = await runTask(session, prompt);
  assert.equal(last.type, 'done', JSON.stringify(last));
  assert.deepEqual({ provider: last.type === 'done' && last.provider, model: last.type === 'done' && last.model }, { provider: 'ollama', model });
  assert.equal(text, OLLAMA_REPLY, 'the streamed answer reached the app');
  // The double answers with the model it was asked for, so `done.model` above is what reached it.
  // Ollama's access log records a request once it is answered: the worker's start-up request and the task's.
  await waitFor(
    () => `two chat requests in Ollama's log: ${session.servers.ollamaRequests.join(', ')}`,
    () => chats() === 2,
    HOST_WAIT_MS,
  );
  assert.ok((await modelsLoadedBy(session.servers.ollama)).includes(model.includes(':') ? model : `${model}:latest`));
  assert.deepEqual(requestsWith(session.servers.anthropic, '/v1/messages', prompt), [], 'nothing reached Anthropic');
}

async function assertAnthropicTask(session: Session): Promise<void> {
  const prompt = 'Which model answers? anthropic';
  const { last, text } = await runTask(session, prompt);
  assert.equal(last.type, 'done', JSON.stringify(last));
  assert.equal(last.type === 'done' && last.model, PROVIDER_SPECS.anthropic.defaultModel);
  assert.equal(text, DEFAULT_REPLY, 'the streamed answer reached the app');
  const [request, ...more] = requestsWith(session.servers.anthropic, '/v1/messages', prompt);
  assert.equal(more.length, 0);
  assert.ok(request, 'the task reached Anthropic');
  assert.deepEqual(
    pick(request.body, ['model', 'stream']),
    { model: PROVIDER_SPECS.anthropic.defaultModel, stream: true },
    'the task streams from the default model',
  );
  assert.equal(request.headers['x-api-key'], FAKE_ANTHROPIC_KEY);
  assert.ok(!session.servers.ollamaRequests.includes('POST /v1/chat/completions'), 'nothing was asked of Ollama');
}

test('seed case 1, no configuration: a task from the app is answered by Ollama through the worker', async (t) => {
  const session = await startSession(t);
  await assertOllamaTask(session, 'llama3.2');
});

test('seed case 2, ANTHROPIC_API_KEY: the task reaches Anthropic with the default model, and the app\u2019s provider check passes', async (t) => {
  const session = await startSession(t, { extra: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY } });
  await assertAnthropicTask(session);
  // The app asks a cloud runner for a check once it is ready (GET /v1/models/{model}); the worker answers it.
  await session.host.waitForLine('the provider check to pass', (line) => line.includes('Provider check passed: anthropic'));
  assert.ok(
    session.servers.anthropic.requests.some((request) => request.method === 'GET' && request.path === `/v1/models/${PROVIDER_SPECS.anthropic.defaultModel}`),
  );
});

test('seed case 3, --anthropic-key: the task reaches Anthropic', async (t) => {
  const session = await startSession(t, { flags: [`--anthropic-key=${FAKE_ANTHROPIC_KEY}`] });
  await assertAnthropicTask(session);
});

test('seed case 4, --llm-provider=ollama over ANTHROPIC_API_KEY: the task reaches Ollama', async (t) => {
  const session = await startSession(t, { flags: ['--llm-provider=ollama'], extra: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY } });
  await assertOllamaTask(session, 'llama3.2');
  assert.deepEqual(chatRequests(session.servers.anthropic, '/v1/messages'), [], 'nothing reached Anthropic');
});

test('seed case 5, --llm-model=llama3:70b: the task names that model', async (t) => {
  const session = await startSession(t, { flags: ['--llm-model=llama3:70b'] });
  await assertOllamaTask(session, 'llama3:70b');
});

test('OPENAI_API_KEY: the task reaches OpenAI through /v1/chat/completions with its default model', async (t) => {
  const session = await startSession(t, { extra: { OPENAI_API_KEY: FAKE_OPENAI_KEY } });
  const prompt = 'Which model answers? openai';
  const { last, text } = await runTask(session, prompt);
  assert.equal(last.type === 'done' && last.model, PROVIDER_SPECS.openai.defaultModel, JSON.stringify(last));
  assert.equal(text, DEFAULT_REPLY);
  const [request, ...more] = requestsWith(session.servers.openai, '/v1/chat/completions', prompt);
  assert.equal(more.length, 0);
  assert.ok(request, 'the task reached OpenAI');
  assert.deepEqual(pick(request.body, ['model', 'stream']), { model: PROVIDER_SPECS.openai.defaultModel, stream: true });
  assert.equal(request.headers.authorization, `Bearer ${FAKE_OPENAI_KEY}`);
});

test('a model Ollama does not have: the worker reports it at start as the built-in runner does, and the task ends as model-not-found', async (t) => {
  const session = await startSession(t, { flags: ['--llm-model=mistral'] });
  await session.host.waitForLine(
    'the missing model to be shown',
    (line) => line.includes('[runner] The runner') && line.includes('“the model "mistral" is not installed in Ollama'),
  );
  const { last } = await runTask(session, 'Are you there?');
  assert.equal(last.type === 'error' && last.code, 'model-not-found', JSON.stringify(last));
  assert.equal(last.type === 'error' && last.fix, 'Run `ollama pull mistral`, or choose an installed model.');
});

test('a rejected key (401) reaches the app as the protocol\u2019s auth error, for the task and the provider check', async (t) => {
  const wrongKey = 'sk-ant-api03-wrong000000000000000000000000000000000000000000000-TESTZZ';
  const session = await startSession(t, { extra: { ANTHROPIC_API_KEY: wrongKey } });
  const { last } = await runTask(session, 'Does this key work?');
  assert.equal(last.type, 'error');
  assert.equal(last.type === 'error' && last.code, 'auth');
  assert.match(last.type === 'error' ? last.message : '', /the Anthropic API key was rejected \(401\)/);
  await session.host.waitForLine('the failed check to be shown', (line) =>
    line.includes("[runner] The runner's provider check failed: “the Anthropic API key was rejected (401)"),
  );
  const { keyChecks } = (await session.ui.request('state:get')).value as AppState;
  assert.equal(keyChecks.anthropic?.state, 'rejected', 'the answer to the app\u2019s own check rejects the key, in the app\u2019s words');
  assert.equal(keyChecks.anthropic?.message, 'Anthropic rejected this key when the runner checked it.');
  assert.ok(!session.host.stdout.includes(wrongKey), 'the key is never shown');
});

test('cancel: a task whose answer is still streaming ends as cancelled, and the worker stays up', async (t) => {
  const session = await startSession(t, { extra: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY }, anthropic: { stallAfterFirstDelta: true } });
  const reply = await session.ui.request('playground:run', { prompt: 'Stream forever' });
  const { taskId } = reply.value as { taskId: string };
  await waitFor('the first delta', () => playground(session.ui, taskId).some((event) => event.type === 'delta'), HOST_WAIT_MS);
  assert.ok((await session.ui.request('playground:cancel', { taskId })).ok);
  const last = await waitFor('the end of the task', () => playground(session.ui, taskId).find((event) => event.type !== 'delta'), HOST_WAIT_MS);
  assert.equal(last.type === 'error' && last.code, 'cancelled', JSON.stringify(last));
  const state = (await session.ui.request('state:get')).value as AppState;
  assert.equal(state.runner.state, 'running');
});

test('without --runner-control-channel the worker is started as before: no descriptor, no variable, and the app sends it no task', async (t) => {
  const session = await startSession(t, { channel: false });
  const pid = readPidFile(session.userDataDir, 'runner.pid');
  assert.ok(pid !== undefined);
  assert.ok(!('STIGMER_CONTROL_FD' in environOf(pid)), 'no channel variable');
  await waitFor('the start-up request to end', () => session.host.lines().some((line) => /provider check (ok|failed)/.test(line)), HOST_WAIT_MS);
  // stdout and stderr are sockets too (libuv's pipes are socket pairs); nothing beyond them is.
  const sockets = [...openFiles(pid)].filter(([, target]) => target.startsWith('socket:')).map(([fd]) => String(fd));
  assert.deepEqual(sockets, ['1', '2'], 'the idle worker holds no socket but its output: it has no channel');
  const reply = await session.ui.request('playground:run', { prompt: 'Anyone there?' });
  assert.equal(reply.ok, false);
  assert.match(JSON.stringify(reply.error), /a custom runner has no task channel/);
  const state = (await session.ui.request('state:get')).value as AppState;
  assert.ok(!state.runnerEnv?.variables.some((variable) => variable.name === 'STIGMER_CONTROL_FD'));
});

test('a Playground conversation with this worker falls back to the single prompt: it did not announce history, so none is sent, and it answers', async (t) => {
  const session = await startSession(t);
  const history = [
    { role: 'user', content: 'Earlier question' },
    { role: 'assistant', content: 'Earlier answer' },
  ];
  const reply = await session.ui.request('playground:run', { prompt: 'And now?', history });
  assert.ok(reply.ok, JSON.stringify(reply.error));
  const { taskId, withHistory } = reply.value as { taskId: string; withHistory: boolean };
  assert.equal(withHistory, false, 'the window is told the worker answers each prompt alone');
  const last = await waitFor(
    () => `the end of task ${taskId}\n${session.host.stdout}`,
    () => playground(session.ui, taskId).find((event) => event.type !== 'delta'),
    HOST_WAIT_MS,
  );
  // The worker refuses a field it does not know (channel.py's validate), so an answer proves the task came without `history`.
  assert.equal(last.type, 'done', JSON.stringify(last));
  assert.ok(!session.host.stdout.includes('unrecognized key'), session.host.stdout);
});

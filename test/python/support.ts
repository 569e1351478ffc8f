/**
 * What the tests of the reference Python worker share: the three servers it may talk to (the
 * Ollama double and the local Anthropic and OpenAI servers) and what each one recorded.
 */
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic, type FakeAnthropicOptions } from '../doubles/cloud/anthropic.ts';
import type { FakeServer } from '../doubles/cloud/common.ts';
import { FAKE_OPENAI_KEY, startFakeOpenAI } from '../doubles/cloud/openai.ts';
import { startFakeOllama, type FakeOllamaServer } from '../doubles/ollama/server.ts';
import { setUpProfile, type Scope } from '../support/e2e-host.ts';

export const WORKER = 'examples/python-worker/worker.py';
export const RUNNER_COMMAND = `python3 ${WORKER}`;

export interface Servers {
  ollama: FakeOllamaServer;
  /** Method and path of every request Ollama's double answered. */
  ollamaRequests: string[];
  anthropic: FakeServer;
  openai: FakeServer;
}

export async function startServers(scope: Scope, { anthropic: anthropicOptions = {} }: { anthropic?: FakeAnthropicOptions } = {}): Promise<Servers> {
  const ollamaRequests: string[] = [];
  const ollama = await startFakeOllama({ models: ['llama3.2', 'llama3:70b'], onRequest: (method, pathname) => ollamaRequests.push(`${method} ${pathname}`) });
  scope.defer(() => ollama.close());
  const anthropic = await startFakeAnthropic({ validKeys: [FAKE_ANTHROPIC_KEY], ...anthropicOptions });
  scope.defer(() => anthropic.close());
  const openai = await startFakeOpenAI({ validKeys: [FAKE_OPENAI_KEY] });
  scope.defer(() => openai.close());
  return { ollama, ollamaRequests, anthropic, openai };
}

/** A profile past the first run whose cloud base URLs are the local servers (saved settings, which belong to their provider). */
export const profileFor = (scope: Scope, servers: Servers): string =>
  setUpProfile(scope, (settings) => {
    settings.providers.anthropic.baseUrl = servers.anthropic.url;
    settings.providers.openai.baseUrl = `${servers.openai.url}/v1`;
  });

export const modelsLoadedBy = async (ollama: FakeOllamaServer): Promise<string[]> =>
  ((await (await fetch(`${ollama.url}/api/ps`)).json()) as { models: { name: string }[] }).models.map((model) => model.name);

export const chatRequests = (server: FakeServer, apiPath: string) => server.requests.filter((request) => request.method === 'POST' && request.path === apiPath);

/**
 * Issue 11 §4 end to end: a key must not follow a URL the user did not give for its provider.
 * The real headless host runs the built-in runner, whose provider check is an authenticated call,
 * while a recorder stands where ADR 019 tells users to point `LLM_BASE_URL` for Ollama.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAKE_ANTHROPIC_KEY, startFakeAnthropic } from '../doubles/cloud/anthropic.ts';
import { sendJson, startServer, type RecordedRequest } from '../doubles/cloud/common.ts';
import { Scope, hostEnv, startHost } from '../support/e2e-host.ts';

const carriesKey = (request: RecordedRequest, key: string): boolean => JSON.stringify(request).includes(key);

test("ADR 019's Ollama URL plus an Anthropic key: the smart default's Anthropic key never reaches that URL, and the user is told why", async (t) => {
  const scope = new Scope(t);
  // Answers nothing useful: it only records who called and with what.
  const recorder = await startServer((_request, response) => sendJson(response, 404, { error: 'not found' }));
  scope.defer(() => recorder.close());
  const anthropic = await startFakeAnthropic();
  scope.defer(() => anthropic.close());

  const env = hostEnv(scope, {
    ollamaHost: new URL(recorder.url).host,
    extra: {
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
      // ADR 019's advice, on a port the OS chose: `http://host:port/v1`.
      LLM_BASE_URL: `${recorder.url}/v1`,
      // Where Anthropic requests should go here: the SDK's own variable.
      ANTHROPIC_BASE_URL: anthropic.url,
    },
  });
  const host = startHost(scope, ['--user-data-dir', scope.tempDir()], env);

  // The check's outcome either way, so that a leak is reported as the leak it is.
  const outcome = await host.waitForLine('the provider check', (line) => line.includes('Provider check passed') || line.includes('[runner] The runner'));
  const leaked = recorder.requests.filter((request) => carriesKey(request, FAKE_ANTHROPIC_KEY));
  assert.deepEqual(
    leaked.map((request) => `${request.method} ${request.path}`),
    [],
    'no request to the Ollama URL carries the Anthropic key',
  );
  assert.match(outcome, /Provider check passed: anthropic/);
  assert.ok(
    anthropic.requests.some((request) => carriesKey(request, FAKE_ANTHROPIC_KEY)),
    'the check did send the key, to Anthropic',
  );
  const warning = host.lines().find((line) => line.includes(`LLM_BASE_URL="${recorder.url}/v1" is not used for Anthropic`));
  assert.ok(warning, `a warning names LLM_BASE_URL and says why:\n${host.stdout}`);
  assert.match(warning, /so the Anthropic key is not sent there: it looks like Ollama's address/);
  assert.match(warning, /set LLM_PROVIDER=ollama/);

  for (const request of recorder.requests) {
    assert.equal(request.headers['x-api-key'], undefined);
    assert.equal(request.headers.authorization, undefined);
  }

  assert.deepEqual(await host.stop(), { code: 0, signal: null });
});

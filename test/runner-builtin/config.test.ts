import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RUNNER_CONFIG_EXIT_CODE, RunnerToAppSchema } from '../../src/shared/runner-protocol.ts';
import { maskSecret } from '../../src/shared/secret-mask.ts';
import { isType, jsonLines, startRunner, waitFor } from './support.ts';

const ANTHROPIC_KEY = 'sk-ant-api03-config0test0key0000000000000000000000000000-WXYZ';

const badConfigurations: { name: string; env: Record<string, string>; variable: string; fix: RegExp }[] = [
  { name: 'no provider', env: {}, variable: 'STIGMER_LLM_PROVIDER', fix: /set it to one of anthropic, openai, ollama/ },
  {
    name: 'a misspelt provider',
    env: { STIGMER_LLM_PROVIDER: 'olama' },
    variable: 'STIGMER_LLM_PROVIDER="olama"',
    fix: /not one of anthropic, openai, ollama/,
  },
  { name: 'a cloud provider without a key', env: { STIGMER_LLM_PROVIDER: 'anthropic' }, variable: 'STIGMER_LLM_API_KEY', fix: /ANTHROPIC_API_KEY/ },
  {
    name: 'a base URL that is not a URL',
    env: { STIGMER_LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-proj-config0test0key00000000000000WXYZ', STIGMER_LLM_BASE_URL: 'api.openai' },
    variable: 'STIGMER_LLM_BASE_URL="api.openai"',
    fix: /set it to a URL such as https:\/\/api\.openai\.com\/v1/,
  },
  {
    name: 'an OLLAMA_HOST with a bad port',
    env: { STIGMER_LLM_PROVIDER: 'ollama', OLLAMA_HOST: '127.0.0.1:99999' },
    variable: 'OLLAMA_HOST="127.0.0.1:99999"',
    fix: /invalid port/,
  },
  {
    name: 'a retry count that is not a number',
    env: { STIGMER_LLM_PROVIDER: 'ollama', STIGMER_RUNNER_MAX_RETRIES: 'many' },
    variable: 'STIGMER_RUNNER_MAX_RETRIES="many"',
    fix: /set it to 0-10/,
  },
];

for (const { name, env, variable, fix } of badConfigurations) {
  test(`${name}: one line on stderr naming ${variable.split('=')[0]}, exit ${RUNNER_CONFIG_EXIT_CODE}`, async (t) => {
    const runner = startRunner(t, env);
    const { code } = await runner.waitForExit();
    assert.equal(code, RUNNER_CONFIG_EXIT_CODE);
    assert.equal(runner.stdout(), '');
    const lines = jsonLines(runner.stderr());
    assert.equal(lines.length, 1, runner.stderr());
    const [line] = lines;
    assert.equal(line?.level, 60);
    assert.ok(String(line?.msg).includes(variable), String(line?.msg));
    assert.match(String(line?.msg), fix);
    assert.deepEqual(runner.messages, [], 'a misconfigured runner sends no control message');
  });
}

test('a key with a line break is refused without printing the key', async (t) => {
  const runner = startRunner(t, { STIGMER_LLM_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: `${ANTHROPIC_KEY}\nsecond-line` });
  const { code } = await runner.waitForExit();
  assert.equal(code, RUNNER_CONFIG_EXIT_CODE);
  assert.match(runner.stderr(), /ANTHROPIC_API_KEY contains whitespace/);
  assert.ok(!runner.stderr().includes(ANTHROPIC_KEY));
});

test('started by hand, it logs its configuration with the key masked and waits without a control channel', async (t) => {
  const runner = startRunner(
    t,
    {
      STIGMER_LLM_PROVIDER: 'anthropic',
      STIGMER_LLM_API_KEY: ANTHROPIC_KEY,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      STIGMER_LLM_MODEL: 'claude-haiku-4-5',
      STIGMER_LLM_BASE_URL: 'http://127.0.0.1:9/v1',
    },
    { ipc: false },
  );
  await waitFor('the no-control-channel line', () => runner.stdout().includes('no control channel'));
  const lines = jsonLines(runner.stdout());
  const start = lines.find((line) => line.msg === 'runner starting');
  assert.ok(start, runner.stdout());
  assert.equal(start.level, 30);
  assert.equal(typeof start.time, 'number');
  assert.equal(start.provider, 'anthropic');
  assert.equal(start.model, 'claude-haiku-4-5');
  assert.equal(start.baseUrl, 'http://127.0.0.1:9', 'Anthropic base URLs are normalised without /v1');
  assert.equal(start.apiKey, maskSecret(ANTHROPIC_KEY));

  runner.child.kill('SIGTERM');
  const { code } = await runner.waitForExit();
  assert.equal(code, 0, 'SIGTERM is a clean stop');
  assert.ok(jsonLines(runner.stdout()).some((line) => line.msg === 'runner stopping' && line.reason === 'SIGTERM'));
  assert.ok(!runner.stdout().includes(ANTHROPIC_KEY) && !runner.stderr().includes(ANTHROPIC_KEY), 'the full key is never printed');
});

test('with a control channel it announces itself there, and stdout carries only log lines', async (t) => {
  const runner = startRunner(t, { STIGMER_LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-proj-config0test0key00000000000000WXYZ', STIGMER_LLM_MODEL: 'gpt-4.1' });
  const ready = await runner.waitForMessage(isType('ready'), 'ready');
  assert.deepEqual(ready, { type: 'ready', provider: 'openai', model: 'gpt-4.1', baseUrl: 'https://api.openai.com/v1', history: true });

  runner.send({ type: 'cancel', id: 'nothing-running' });
  runner.child.send({ type: 'task', id: 'bad', prompt: '' });
  const rejected = await runner.waitForMessage(isType('error', 'bad'), 'the rejection of an invalid task');
  assert.equal(rejected.code, 'protocol');
  assert.match(rejected.message, /prompt/);

  const lines = jsonLines(runner.stdout());
  assert.ok(lines.length >= 2);
  for (const line of lines) assert.ok(!RunnerToAppSchema.safeParse(line).success, `a control message leaked to stdout: ${JSON.stringify(line)}`);
  assert.ok(!runner.stdout().includes('"type":"ready"'));
});

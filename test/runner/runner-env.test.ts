import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { resolveConfig, type CascadeInput } from '../../src/main/config/resolve.ts';
import { Redactor } from '../../src/lib/redactor.ts';
import { buildRunnerEnv, describeRunnerEnv } from '../../src/main/runner/runner-env.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { cleanEnv, tempDir } from '../support/headless.ts';
import { fixtureCommand, supervise, waitFor } from './support.ts';

const ANTHROPIC_KEY = 'sk-ant-api03-inherited-anthropic-key-0000';
const OPENAI_KEY = 'sk-proj-openai-key-for-the-runner-9999';

const resolve = (env: Record<string, string>, flags: CascadeInput['flags'] = {}) =>
  resolveConfig({ flags, env, settings: defaultSettings(), storedKeys: {}, facts: {} });

/** Starts the env-dump fixture under the supervisor and returns what it received. */
async function runAndDump(t: Parameters<typeof supervise>[0], env: Record<string, string>) {
  const dumpFile = path.join(tempDir(t), 'dump.json');
  const runner = supervise(t, { command: fixtureCommand('env-dump.ts', dumpFile), env });
  await runner.supervisor.start();
  const { pid } = (await runner.reach('running')).status;
  await waitFor('the runner to dump its environment', () => fs.existsSync(dumpFile));
  const dump = JSON.parse(fs.readFileSync(dumpFile, 'utf8')) as { pid: number; env: Record<string, string>; argv: string[] };
  assert.equal(dump.pid, pid);
  const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  return { dump, cmdline };
}

test('an OpenAI runner gets exactly the contract variables: no Anthropic key, even inherited, and no secret in argv', async (t) => {
  const inherited = cleanEnv({
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'gpt-4.1-mini',
    OPENAI_API_KEY: OPENAI_KEY,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    ANTHROPIC_AUTH_TOKEN: 'another-anthropic-credential',
    OLLAMA_HOST: '127.0.0.1:11555',
    UNRELATED_SETTING: 'kept',
  }) as Record<string, string>;
  const config = resolve(inherited);
  assert.deepEqual(config.errors, []);

  const { dump, cmdline } = await runAndDump(t, buildRunnerEnv(config, inherited));
  assert.deepEqual(dump.env, {
    PATH: inherited.PATH,
    HOME: inherited.HOME,
    UNRELATED_SETTING: 'kept',
    PYTHONUNBUFFERED: '1',
    STIGMER_LLM_PROVIDER: 'openai',
    STIGMER_LLM_MODEL: 'gpt-4.1-mini',
    STIGMER_LLM_BASE_URL: 'https://api.openai.com/v1',
    STIGMER_LLM_API_KEY: OPENAI_KEY,
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: 'https://api.openai.com/v1',
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'gpt-4.1-mini',
    LLM_BASE_URL: 'https://api.openai.com/v1',
  });
  assert.ok(!cmdline.includes(OPENAI_KEY) && !cmdline.includes(ANTHROPIC_KEY), `argv: ${cmdline.split('\0').join(' ')}`);
  assert.ok(!JSON.stringify(dump.argv).includes('sk-'));
});

test('an Anthropic runner never receives the OpenAI key the app inherited', async (t) => {
  const inherited = cleanEnv({ ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY, STIGMER_LLM_API_KEY: OPENAI_KEY }) as Record<string, string>;
  const config = resolve(inherited, { llmProvider: 'anthropic' });
  const { dump, cmdline } = await runAndDump(t, buildRunnerEnv(config, inherited));
  assert.equal(dump.env.STIGMER_LLM_PROVIDER, 'anthropic');
  assert.equal(dump.env.STIGMER_LLM_API_KEY, ANTHROPIC_KEY);
  assert.equal(dump.env.ANTHROPIC_API_KEY, ANTHROPIC_KEY);
  assert.equal(dump.env.OPENAI_API_KEY, undefined);
  assert.ok(!Object.values(dump.env).includes(OPENAI_KEY), 'the OpenAI key is nowhere in the environment');
  assert.ok(!cmdline.includes(ANTHROPIC_KEY));
});

test('an Ollama runner gets the native base URL and OLLAMA_HOST, and no cloud key at all', async (t) => {
  const inherited = cleanEnv({
    LLM_PROVIDER: 'ollama',
    LLM_BASE_URL: 'http://localhost:11555/v1/',
    LLM_MODEL: 'llama3.2:3b',
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: 'http://proxy.invalid/v1',
  }) as Record<string, string>;
  const { dump } = await runAndDump(t, buildRunnerEnv(resolve(inherited), inherited));
  assert.deepEqual(dump.env, {
    PATH: inherited.PATH,
    HOME: inherited.HOME,
    PYTHONUNBUFFERED: '1',
    STIGMER_LLM_PROVIDER: 'ollama',
    STIGMER_LLM_MODEL: 'llama3.2:3b',
    STIGMER_LLM_BASE_URL: 'http://localhost:11555',
    OLLAMA_HOST: 'http://localhost:11555',
    LLM_PROVIDER: 'ollama',
    LLM_MODEL: 'llama3.2:3b',
    LLM_BASE_URL: 'http://localhost:11555/v1',
  });
});

test('an ADR 019 runner reads the resolution, never an inherited LLM_* or SDK base URL meant for another provider', () => {
  // ADR 019's Ollama advice plus an Anthropic key: the smart default picks Anthropic, and the
  // inherited Ollama URL and a stale OpenAI proxy must not reach an Anthropic runner.
  const inherited = cleanEnv({
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    LLM_BASE_URL: 'http://localhost:11434/v1',
    LLM_MODEL: 'llama3',
    OPENAI_BASE_URL: 'http://127.0.0.1:4000/v1',
  }) as Record<string, string>;
  const config = resolve(inherited, { llmModel: 'claude-haiku-4-5' });
  assert.deepEqual(config.errors, []);
  const env = buildRunnerEnv(config, inherited);
  assert.equal(env.LLM_PROVIDER, 'anthropic', 'a runner that falls back to Anthropic without LLM_PROVIDER is told so explicitly');
  assert.equal(env.LLM_MODEL, 'claude-haiku-4-5', 'the flag, not the inherited LLM_MODEL');
  assert.equal(env.LLM_BASE_URL, 'https://api.anthropic.com');
  assert.equal(env.ANTHROPIC_BASE_URL, 'https://api.anthropic.com');
  assert.equal(env.STIGMER_LLM_BASE_URL, 'https://api.anthropic.com');
  assert.equal(env.OPENAI_BASE_URL, undefined);
  assert.ok(!Object.values(env).some((value) => value.includes(':11434') || value.includes(':4000')), JSON.stringify(env));
});

test("an Anthropic proxy given as ANTHROPIC_BASE_URL is the runner's base URL under every name", () => {
  const inherited = { PATH: '/usr/bin', ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787/' };
  const config = resolve(inherited);
  assert.deepEqual(config.baseUrl, { value: 'http://127.0.0.1:8787', source: 'env:ANTHROPIC_BASE_URL', pinned: true });
  const env = buildRunnerEnv(config, inherited);
  assert.deepEqual(
    [env.STIGMER_LLM_BASE_URL, env.LLM_BASE_URL, env.ANTHROPIC_BASE_URL],
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
  );
});

test('the window is shown the contract variables with keys masked, and only the names of withheld ones', () => {
  const inherited = cleanEnv({
    OPENAI_API_KEY: OPENAI_KEY,
    ANTHROPIC_API_KEY: ANTHROPIC_KEY,
    LLM_PROVIDER: 'openai',
    OPENAI_BASE_URL: 'http://127.0.0.1:4000/v1',
  }) as Record<string, string>;
  const env = buildRunnerEnv(resolve(inherited), inherited);
  const redactor = new Redactor([OPENAI_KEY, ANTHROPIC_KEY]);
  const shown = describeRunnerEnv(env, inherited, (text) => redactor.redact(text));
  assert.deepEqual(shown.variables, [
    { name: 'STIGMER_LLM_PROVIDER', value: 'openai' },
    { name: 'STIGMER_LLM_MODEL', value: 'gpt-5.4-mini' },
    { name: 'STIGMER_LLM_BASE_URL', value: 'http://127.0.0.1:4000/v1' },
    { name: 'STIGMER_LLM_API_KEY', value: 'sk-proj…9999' },
    { name: 'LLM_PROVIDER', value: 'openai' },
    { name: 'LLM_MODEL', value: 'gpt-5.4-mini' },
    { name: 'LLM_BASE_URL', value: 'http://127.0.0.1:4000/v1' },
    { name: 'OPENAI_API_KEY', value: 'sk-proj…9999' },
    { name: 'OPENAI_BASE_URL', value: 'http://127.0.0.1:4000/v1' },
    { name: 'PYTHONUNBUFFERED', value: '1' },
  ]);
  assert.deepEqual(shown.withheld, ['ANTHROPIC_API_KEY']);
  assert.ok(!JSON.stringify(shown).includes(OPENAI_KEY) && !JSON.stringify(shown).includes(ANTHROPIC_KEY));
});

test("Ollama's own OLLAMA_HOST forms become the native URL a client connects to", () => {
  const inherited = { PATH: '/usr/bin', LLM_PROVIDER: 'ollama', OLLAMA_HOST: '0.0.0.0:11500' };
  const env = buildRunnerEnv(resolve(inherited), inherited);
  assert.equal(env.STIGMER_LLM_BASE_URL, 'http://127.0.0.1:11500');
  assert.equal(env.OLLAMA_HOST, 'http://127.0.0.1:11500');
});

test('an invalid configuration builds no runner environment', () => {
  const inherited = { PATH: '/usr/bin', LLM_PROVIDER: 'anthropic' };
  assert.throws(() => buildRunnerEnv(resolve(inherited), inherited), /cannot start until the configuration is fixed: Anthropic needs an API key/);
});

test('a PYTHONUNBUFFERED the user set is kept, even an empty one that turns unbuffering off', () => {
  for (const value of ['0', '']) {
    const inherited = { PATH: '/usr/bin', LLM_PROVIDER: 'ollama', PYTHONUNBUFFERED: value };
    assert.equal(buildRunnerEnv(resolve(inherited), inherited).PYTHONUNBUFFERED, value);
  }
});

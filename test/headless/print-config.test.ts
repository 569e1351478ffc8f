import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { cleanEnv, runHeadlessCli, tempDir } from '../support/headless.ts';

const ANTHROPIC_KEY = 'sk-ant-api03-PRINTCONFIG-abcdefghijklmnop-9z8y';
const OPENAI_KEY = 'sk-proj-PRINTCONFIG-abcdefghijklmnopqrs-7x6w';

async function printConfig(t: Parameters<typeof tempDir>[0], args: string[], env: Record<string, string> = {}) {
  const dir = tempDir(t);
  const result = await runHeadlessCli(['--print-config', '--user-data-dir', dir, ...args], cleanEnv(env));
  for (const key of [ANTHROPIC_KEY, OPENAI_KEY]) {
    assert.ok(!result.stdout.includes(key) && !result.stderr.includes(key), 'a full key never reaches stdout or stderr');
    for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const full = `${dir}/${file}`;
      if (fs.statSync(full).isFile()) assert.ok(!fs.readFileSync(full, 'utf8').includes(key), `no full key in ${file}`);
    }
  }
  return { ...result, json: JSON.parse(result.stdout) };
}

describe('npm run headless -- --print-config, with a clean environment', () => {
  test('seed case 1: no configuration → Ollama from the default', async (t) => {
    const { code, json } = await printConfig(t, []);
    assert.equal(code, 0);
    assert.deepEqual(json.provider, { value: 'ollama', source: 'default', pinned: false });
    assert.deepEqual(json.baseUrl, { value: 'http://127.0.0.1:11434', source: 'default', pinned: false });
    assert.deepEqual(json.apiKey, { value: null, source: 'default', pinned: false });
    assert.deepEqual(json.errors, []);
  });

  test('seed case 2: ANTHROPIC_API_KEY → Anthropic, default model, masked key', async (t) => {
    const { code, json } = await printConfig(t, [], { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
    assert.equal(code, 0);
    assert.deepEqual(json.provider, { value: 'anthropic', source: 'default', pinned: false });
    assert.equal(json.model.source, 'default');
    assert.match(json.model.value, /^claude-/);
    assert.deepEqual(json.apiKey, { value: 'sk-ant-…9z8y', source: 'env:ANTHROPIC_API_KEY', pinned: true });
  });

  test('seed case 3: --anthropic-key → Anthropic, and a warning about the command line', async (t) => {
    const { code, json } = await printConfig(t, [`--anthropic-key=${ANTHROPIC_KEY}`]);
    assert.equal(code, 0);
    assert.equal(json.provider.value, 'anthropic');
    assert.equal(json.apiKey.source, 'flag:--anthropic-key');
    assert.ok(json.warnings.some((warning: string) => warning.includes('--anthropic-key')));
  });

  test('seed case 4: --llm-provider=ollama overrides an Anthropic key in the environment', async (t) => {
    const { code, json } = await printConfig(t, ['--llm-provider=ollama'], { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
    assert.equal(code, 0);
    assert.deepEqual(json.provider, { value: 'ollama', source: 'flag:--llm-provider', pinned: true });
    assert.equal(json.apiKey.value, null);
  });

  test('seed case 5: --llm-model=llama3:70b is the model', async (t) => {
    const { code, json } = await printConfig(t, ['--llm-model=llama3:70b']);
    assert.equal(code, 0);
    assert.deepEqual(json.model, { value: 'llama3:70b', source: 'flag:--llm-model', pinned: true });
  });

  test('an invalid provider prints the same document with errors and exits 2', async (t) => {
    const { code, json } = await printConfig(t, [], { LLM_PROVIDER: 'olama' });
    assert.equal(code, 2);
    assert.ok(json.errors.some((error: string) => error.startsWith('LLM_PROVIDER="olama" is not one of anthropic, openai, ollama')));
    assert.equal(json.provider.value, 'ollama');
  });

  test('sources are spelled exactly as docs/ARCHITECTURE.md says', async (t) => {
    const { json } = await printConfig(t, ['--llm-base-url=http://127.0.0.1:9000/v1'], {
      STIGMER_LLM_PROVIDER: 'openai',
      LLM_MODEL: 'gpt-4.1',
      OPENAI_API_KEY: OPENAI_KEY,
    });
    assert.equal(json.provider.source, 'env:STIGMER_LLM_PROVIDER');
    assert.equal(json.model.source, 'env:LLM_MODEL');
    assert.deepEqual(json.baseUrl, { value: 'http://127.0.0.1:9000/v1', source: 'flag:--llm-base-url', pinned: true });
    assert.deepEqual(json.apiKey, { value: 'sk-proj…7x6w', source: 'env:OPENAI_API_KEY', pinned: true });
  });

  test('saved settings are read from --user-data-dir', async (t) => {
    const dir = tempDir(t);
    fs.writeFileSync(`${dir}/settings.json`, JSON.stringify({ provider: 'ollama', model: 'qwen2.5:0.5b' }));
    const result = await runHeadlessCli(['--print-config', '--user-data-dir', dir], cleanEnv());
    const json = JSON.parse(result.stdout);
    assert.deepEqual(json.model, { value: 'qwen2.5:0.5b', source: 'settings', pinned: false });
    assert.deepEqual(json.provider, { value: 'ollama', source: 'settings', pinned: false });
  });

  test('a corrupt settings file is reported on stderr, left as it is, and the config still prints', async (t) => {
    const dir = tempDir(t);
    fs.writeFileSync(`${dir}/settings.json`, '{"version": 1, "provider": ');
    const result = await runHeadlessCli(['--print-config', '--user-data-dir', dir], cleanEnv());
    assert.equal(result.code, 0);
    assert.match(
      result.stderr,
      /warning: Settings file .*: it was invalid \(the file is not valid JSON\) and defaults are in use\. This command only reads, so the file is left as it is\./,
    );
    assert.equal(JSON.parse(result.stdout).provider.value, 'ollama');
    assert.deepEqual(fs.readdirSync(dir), ['settings.json'], '--print-config writes nothing');
    assert.equal(fs.readFileSync(`${dir}/settings.json`, 'utf8'), '{"version": 1, "provider": ');
  });

  test('a usage error is one line on stderr naming the flag, exit 2', async (t) => {
    const result = await runHeadlessCli(['--print-config', '--llm-provder=x', '--user-data-dir', tempDir(t)], cleanEnv());
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'stigmer: unknown option --llm-provder; run with --help to list the options\n');
  });
});

describe('npm run headless -- --print-config: where each provider lives', () => {
  test("ADR 019's Ollama URL with an Anthropic key: Anthropic keeps its own endpoint, the URL is Ollama's, and a warning says why", async (t) => {
    const { code, json } = await printConfig(t, [], { ANTHROPIC_API_KEY: ANTHROPIC_KEY, LLM_BASE_URL: 'http://localhost:11434/v1' });
    assert.equal(code, 0);
    assert.deepEqual(json.provider, { value: 'anthropic', source: 'default', pinned: false });
    assert.deepEqual(json.baseUrl, { value: 'https://api.anthropic.com', source: 'default', pinned: false });
    assert.deepEqual(json.endpoints.ollama, { value: 'http://localhost:11434', source: 'env:LLM_BASE_URL', pinned: true });
    assert.ok(
      json.warnings.some((warning: string) =>
        warning.startsWith(
          'LLM_BASE_URL="http://localhost:11434/v1" is not used for Anthropic (chosen by default, as its key is available), so the Anthropic key is not sent there',
        ),
      ),
      JSON.stringify(json.warnings),
    );
  });

  test('OPENAI_BASE_URL and ANTHROPIC_BASE_URL are shown with their source like every other value', async (t) => {
    const env = { OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: 'http://127.0.0.1:4000', ANTHROPIC_BASE_URL: 'https://anthropic-gw.example.com/' };
    const { code, json } = await printConfig(t, [], env);
    assert.equal(code, 0);
    assert.deepEqual(json.baseUrl, { value: 'http://127.0.0.1:4000/v1', source: 'env:OPENAI_BASE_URL', pinned: true });
    assert.deepEqual(json.endpoints, {
      anthropic: { value: 'https://anthropic-gw.example.com', source: 'env:ANTHROPIC_BASE_URL', pinned: true },
      openai: { value: 'http://127.0.0.1:4000/v1', source: 'env:OPENAI_BASE_URL', pinned: true },
      ollama: { value: 'http://127.0.0.1:11434', source: 'default', pinned: false },
    });
  });

  test('--llm-base-url for an explicit cloud provider does not move Ollama', async (t) => {
    const { json } = await printConfig(t, ['--llm-provider=openai', '--llm-base-url=https://gw.example.com/v1'], {
      OPENAI_API_KEY: OPENAI_KEY,
      OLLAMA_HOST: '127.0.0.1:11500',
    });
    assert.deepEqual(json.baseUrl, { value: 'https://gw.example.com/v1', source: 'flag:--llm-base-url', pinned: true });
    assert.deepEqual(json.endpoints.ollama, { value: 'http://127.0.0.1:11500', source: 'env:OLLAMA_HOST', pinned: true });
  });

  test("ANTHROPIC_BASE_URL at OpenAI's API: the URL is used as told, and a warning names the variable, OpenAI and the Anthropic key", async (t) => {
    const { code, json } = await printConfig(t, [], { ANTHROPIC_API_KEY: ANTHROPIC_KEY, ANTHROPIC_BASE_URL: 'https://api.openai.com/v1' });
    assert.equal(code, 0);
    assert.deepEqual(json.baseUrl, { value: 'https://api.openai.com', source: 'env:ANTHROPIC_BASE_URL', pinned: true });
    assert.ok(
      json.warnings.includes(
        "ANTHROPIC_BASE_URL=\"https://api.openai.com/v1\" is OpenAI's address (api.openai.com is OpenAI's API), but it is given for Anthropic, so the Anthropic key is sent to OpenAI. To fix: unset ANTHROPIC_BASE_URL, or give it Anthropic's URL (https://api.anthropic.com)",
      ),
      JSON.stringify(json.warnings),
    );
  });

  test('a cloud key over plain HTTP to another machine is refused: errors, exit 2', async (t) => {
    const { code, json } = await printConfig(t, ['--llm-provider=anthropic', '--llm-base-url=http://192.168.1.20:8080'], { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
    assert.equal(code, 2);
    assert.ok(
      json.errors.some((error: string) =>
        /^--llm-base-url="http:\/\/192\.168\.1\.20:8080" is plain HTTP to another machine, so the Anthropic key would cross the network unencrypted; use https:\/\//.test(
          error,
        ),
      ),
      JSON.stringify(json.errors),
    );
  });
});

test('STIGMER_LLM_MODEL=balanced prints the model it resolved to, the alias and its source', async (t) => {
  const { code, json } = await printConfig(t, [], { ANTHROPIC_API_KEY: ANTHROPIC_KEY, STIGMER_LLM_MODEL: 'balanced' });
  assert.equal(code, 0);
  assert.deepEqual(json.model, {
    value: 'claude-sonnet-5-5',
    source: 'env:STIGMER_LLM_MODEL',
    pinned: true,
    alias: { alias: 'balanced', basis: "Anthropic's balanced tier in the app's model table" },
  });
});

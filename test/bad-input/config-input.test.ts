/**
 * Bad configuration input through the cascade (environment) and the command line (flags): every
 * case names the input in its error, and nothing is saved.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseCommandLine } from '../../src/main/config/cli-options.ts';
import { resolveConfig } from '../../src/main/config/resolve.ts';
import { defaultSettings } from '../../src/shared/settings.ts';
import { runHeadlessCli, tempDir } from '../support/headless.ts';

const resolveWith = (env: Record<string, string>) => resolveConfig({ flags: {}, env, settings: defaultSettings(), storedKeys: {}, facts: {} });

/** Environment values the cascade must refuse, each with what its error must say. */
const BAD_ENV: [string, Record<string, string>, RegExp][] = [
  ['unknown provider in LLM_PROVIDER', { LLM_PROVIDER: 'olama' }, /^LLM_PROVIDER="olama" is not one of anthropic, openai, ollama/],
  ['unknown provider in STIGMER_LLM_PROVIDER', { STIGMER_LLM_PROVIDER: 'gemini' }, /^STIGMER_LLM_PROVIDER="gemini" is not one of anthropic, openai, ollama/],
  ['provider with a space inside', { LLM_PROVIDER: 'open ai' }, /^LLM_PROVIDER="open ai" is not one of/],
  ['provider with a trailing dot', { LLM_PROVIDER: 'ollama.' }, /^LLM_PROVIDER="ollama\." is not one of/],
  ['provider in full-width letters', { LLM_PROVIDER: 'ｏｌｌａｍａ' }, /^LLM_PROVIDER="ｏｌｌａｍａ" is not one of/],
  ['provider with a zero-width space', { LLM_PROVIDER: 'ollama\u200b' }, /^LLM_PROVIDER="ollama\\u200b"|^LLM_PROVIDER="ollama\u200b" is not one of/],
  ['provider with a Cyrillic a', { LLM_PROVIDER: 'оllama' }, /^LLM_PROVIDER="оllama" is not one of/],
  ['provider as an emoji', { LLM_PROVIDER: '🦙' }, /^LLM_PROVIDER="🦙" is not one of/],
  ['provider as a number', { LLM_PROVIDER: '3' }, /^LLM_PROVIDER="3" is not one of/],
  ['provider as JSON', { LLM_PROVIDER: '{"provider":"ollama"}' }, /^LLM_PROVIDER="\{\\"provider\\":\\"ollama\\"\}" is not one of/],
  ['a 10 000-character provider is quoted shortened', { LLM_PROVIDER: 'x'.repeat(10_000) }, /^LLM_PROVIDER="x{80}…" is not one of/],
  [
    'base URL without a scheme separator',
    { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-0000000000000000000000', LLM_BASE_URL: 'http//api.example.com' },
    /^LLM_BASE_URL="http\/\/api\.example\.com" is not a valid http\(s\) URL/,
  ],
  [
    'base URL with an ftp scheme',
    { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-0000000000000000000000', STIGMER_LLM_BASE_URL: 'ftp://example.com' },
    /^STIGMER_LLM_BASE_URL="ftp:\/\/example\.com" is not a valid http\(s\) URL/,
  ],
  [
    'base URL with a space',
    { LLM_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-ant-test-00000000000000000000', LLM_BASE_URL: 'https://api.anthropic .com' },
    /^LLM_BASE_URL="https:\/\/api\.anthropic \.com" is not a valid http\(s\) URL/,
  ],
  [
    'base URL with a query',
    { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-0000000000000000000000', LLM_BASE_URL: 'https://api.openai.com/v1?x=1' },
    /^LLM_BASE_URL="https:\/\/api\.openai\.com\/v1\?x=1" is not a valid http\(s\) URL/,
  ],
  [
    'base URL with a fragment',
    { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-0000000000000000000000', LLM_BASE_URL: 'https://api.openai.com/#v1' },
    /^LLM_BASE_URL="https:\/\/api\.openai\.com\/#v1" is not a valid http\(s\) URL/,
  ],
  [
    'base URL that is only a scheme',
    { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-0000000000000000000000', LLM_BASE_URL: 'https://' },
    /^LLM_BASE_URL="https:\/\/" is not a valid http\(s\) URL/,
  ],
  [
    'base URL with a port out of range',
    { LLM_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-0000000000000000000000', LLM_BASE_URL: 'http://localhost:99999' },
    /^LLM_BASE_URL="http:\/\/localhost:99999" is not a valid http\(s\) URL/,
  ],
  [
    'Ollama base URL with a bad port',
    { LLM_PROVIDER: 'ollama', LLM_BASE_URL: 'http://127.0.0.1:port' },
    /^LLM_BASE_URL="http:\/\/127\.0\.0\.1:port" (is not a valid URL|has an invalid port)/,
  ],
  [
    'Ollama base URL with a space',
    { LLM_PROVIDER: 'ollama', STIGMER_LLM_BASE_URL: 'http://127.0.0.1 :11434' },
    /^STIGMER_LLM_BASE_URL="http:\/\/127\.0\.0\.1 :11434" is not a valid URL/,
  ],
  [
    'Ollama base URL with a file scheme',
    { LLM_PROVIDER: 'ollama', LLM_BASE_URL: 'file:///etc/passwd' },
    /^LLM_BASE_URL="file:\/\/\/etc\/passwd" (is not a valid URL|uses scheme "file")/,
  ],
  ['Ollama base URL in unicode quotes', { LLM_PROVIDER: 'ollama', LLM_BASE_URL: '“http://127.0.0.1:11434”' }, /^LLM_BASE_URL="“http:\/\/127\.0\.0\.1:11434”" /],
  [
    'a cloud provider without a key',
    { LLM_PROVIDER: 'anthropic' },
    /^Anthropic needs an API key: set ANTHROPIC_API_KEY, pass --anthropic-key, or add a key in Settings$/,
  ],
];

for (const [name, env, expected] of BAD_ENV) {
  test(`env: ${name} is refused with an error naming the variable`, () => {
    const config = resolveWith(env);
    assert.ok(config.errors.length > 0, 'an error');
    assert.match(config.errors[0]!.message, expected);
    assert.ok(!config.errors[0]!.message.includes('sk-'), 'no key in the message');
  });
}

/** Blank values count as unset at every layer: the next layer is used, and nothing is an error. */
const BLANK_ENV: [string, string][] = [
  ['an empty string', ''],
  ['spaces', '   '],
  ['a tab and a newline', '\t\n'],
  ['a no-break space and an ideographic space', '\u00a0\u3000'],
];
for (const [name, blank] of BLANK_ENV) {
  test(`env: ${name} in every LLM variable counts as unset, so the defaults apply`, () => {
    const config = resolveWith({
      LLM_PROVIDER: blank,
      STIGMER_LLM_PROVIDER: blank,
      LLM_MODEL: blank,
      LLM_BASE_URL: blank,
      OLLAMA_HOST: blank,
      ANTHROPIC_API_KEY: blank,
    });
    assert.deepEqual(config.errors, []);
    assert.deepEqual([config.provider.source, config.model.source, config.baseUrl.source], ['default', 'default', 'default']);
    assert.equal(config.keys.anthropic, null);
  });
}

/** Command lines the hosts must refuse, with the error each must give. */
const BAD_FLAGS: [string, string[], RegExp][] = [
  ['a misspelt option', ['--llm-providr', 'ollama'], /^unknown option --llm-providr; run with --help to list the options$/],
  ['an unknown option', ['--verbose'], /^unknown option --verbose; /],
  ['an unknown short option', ['-x'], /^unknown option -x; /],
  ['an option with a single dash', ['-llm-provider=ollama'], /^unknown option -l; /],
  ['a positional argument', ['ollama'], /^unexpected argument "ollama"; options start with --/],
  ['a stray word after an option', ['--ui', 'now'], /^unexpected argument "now"/],
  ['--llm-provider with no value', ['--llm-provider'], /^option --llm-provider needs a value, e.g. --llm-provider=VALUE$/],
  ['--llm-model with no value', ['--llm-model'], /^option --llm-model needs a value/],
  ['--llm-base-url with no value', ['--llm-base-url'], /^option --llm-base-url needs a value/],
  ['--user-data-dir with no value', ['--user-data-dir'], /^option --user-data-dir needs a value/],
  ['--runner-command with no value', ['--runner-command'], /^option --runner-command needs a value/],
  ['--ollama-path with no value', ['--ollama-path'], /^option --ollama-path needs a value/],
  ['--log-format with no value', ['--log-format'], /^option --log-format needs a value/],
  ['--ui-port with no value', ['--ui-port'], /^option --ui-port needs a value/],
  [
    'a value that looks like an option',
    ['--llm-model', '--ui'],
    /^option --llm-model needs a value; to pass a value starting with "-", write --llm-model=VALUE$/,
  ],
  ['--llm-provider given twice', ['--llm-provider', 'ollama', '--llm-provider', 'openai'], /^option --llm-provider is given 2 times; give it once$/],
  ['--llm-model given twice', ['--llm-model=a', '--llm-model=b'], /^option --llm-model is given 2 times/],
  ['--user-data-dir given three times', ['--user-data-dir=a', '--user-data-dir=b', '--user-data-dir=c'], /^option --user-data-dir is given 3 times/],
  ['--ui given twice', ['--ui', '--ui'], /^option --ui is given 2 times/],
  [
    '--anthropic-key given twice',
    ['--anthropic-key=sk-ant-aaaaaaaaaaaa', '--anthropic-key=sk-ant-bbbbbbbbbbbb'],
    /^option --anthropic-key is given 2 times; give it once$/,
  ],
  ['a switch given a value', ['--ui=yes'], /^option --ui is a switch and takes no value$/],
  ['--print-config given a value', ['--print-config=true'], /^option --print-config is a switch and takes no value$/],
  ['an unknown log format', ['--log-format', 'yaml'], /^--log-format="yaml" is not one of text, json$/],
  ['a log format in unicode', ['--log-format=ｊｓｏｎ'], /^--log-format="ｊｓｏｎ" is not one of text, json$/],
  ['a port that is a word', ['--ui-port', 'eighty'], /^--ui-port="eighty" is not a port number \(0-65535\)$/],
  ['a port over 65535', ['--ui-port', '70000'], /^--ui-port="70000" is not a port number/],
  ['a negative port', ['--ui-port=-1'], /^--ui-port="-1" is not a port number/],
  ['a port with a fraction', ['--ui-port', '80.5'], /^--ui-port="80\.5" is not a port number/],
  ['a port in Arabic-Indic digits', ['--ui-port', '٨٠'], /^--ui-port="٨٠" is not a port number/],
];

for (const [name, argv, expected] of BAD_FLAGS) {
  test(`flags: ${name} is refused with an error naming the option`, () => {
    const parsed = parseCommandLine(argv);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) {
      assert.match(parsed.error, expected);
      assert.ok(!/sk-ant-[ab]{12}/.test(parsed.error), 'a key given on the command line is not echoed');
    }
  });
}

/** A representative few through the real headless host: exit 2, the message on stderr, nothing saved. */
const THROUGH_THE_HOST: [string, string[], Record<string, string>, RegExp, 'stderr' | 'stdout'][] = [
  ['an unknown option', ['--llm-providr=ollama'], {}, /stigmer: unknown option --llm-providr/, 'stderr'],
  ['a duplicated option', ['--llm-model=a', '--llm-model=b'], {}, /stigmer: option --llm-model is given 2 times; give it once/, 'stderr'],
  ['a missing value', ['--user-data-dir'], {}, /stigmer: option --user-data-dir needs a value/, 'stderr'],
  [
    'an unknown provider in the environment',
    ['--print-config'],
    { LLM_PROVIDER: 'olama' },
    /LLM_PROVIDER=\\"olama\\" is not one of anthropic, openai, ollama/,
    'stdout',
  ],
  [
    'a malformed base URL in the environment',
    ['--print-config'],
    { LLM_PROVIDER: 'ollama', STIGMER_LLM_BASE_URL: 'http://[::1' },
    /STIGMER_LLM_BASE_URL=\\"http:\/\/\[::1\\" is not a valid URL/,
    'stdout',
  ],
];

for (const [name, args, env, expected, stream] of THROUGH_THE_HOST) {
  test(`headless host: ${name} exits 2 with the error and saves nothing`, async (t) => {
    const dir = tempDir(t, 'stigmer-bad-input-');
    const userData = path.join(dir, 'user-data');
    const withDir = args.includes('--user-data-dir') ? args : [...args, '--user-data-dir', userData];
    const result = await runHeadlessCli(withDir, { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env });
    assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
    assert.match(result[stream], expected);
    assert.ok(!fs.existsSync(path.join(userData, 'settings.json')), 'no settings were written');
  });
}
